"""Claims out of claimcheck for data desks: CSV, NDJSON and ClaimReview JSON that import back unchanged."""
