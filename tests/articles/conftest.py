"""The loopback webhook receiver of the review tests, for the `article.extracted` event."""

from tests.review.test_webhooks import receiver  # noqa: F401 (a fixture)
