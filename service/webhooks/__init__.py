"""Signed event delivery to subscribers (publish, article extracted): subscriptions, the delivery log and the
thread that delivers with retries. Its own package so that any domain may raise an event without depending on
the domain that owns another event (articles and review both do)."""
