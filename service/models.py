"""Every table model, imported in one place so metadata (and alembic) sees them all."""

from service.articles.models import Article, ArticleSentence, LLMCacheEntry
from service.auth.models import ApiKey
from service.claims.models import Claim, ClaimEvent, ClaimTag
from service.imports.models import ImportChunk, ImportJob
from service.linking.models import EvidenceLink, Passage, PassageEmbedding, Source
from service.matching.models import ClaimEmbedding
from service.review.models import Review
from service.ui.models import UiSession
from service.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "ApiKey",
    "Article",
    "ArticleSentence",
    "Claim",
    "ClaimEmbedding",
    "ClaimEvent",
    "ClaimTag",
    "EvidenceLink",
    "ImportChunk",
    "ImportJob",
    "LLMCacheEntry",
    "Passage",
    "PassageEmbedding",
    "Review",
    "Source",
    "UiSession",
    "Webhook",
    "WebhookDelivery",
]
