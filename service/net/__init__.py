"""Rules for URLs and addresses that come from users: which may be stored, which may be sent to."""
