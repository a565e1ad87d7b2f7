"""What the public, key-free page of a published claim shows: verdict, summary, claim, where it appeared, and
the ClaimReview JSON-LD whose `url` is that page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from service.articles.models import Article
from service.claims.models import Claim
from service.exceptions import NotFound
from service.review.claimreview import claim_review
from service.review.scale import RatingScale, verdict_label
from service.review.workflow import Status
from service.settings import Settings


@dataclass(frozen=True)
class PublishedClaim:
    claim: Claim
    article: Article | None
    verdict_label: str
    claim_review: dict[str, Any]


def published_claim(*, session: Session, claim_id: int, settings: Settings) -> PublishedClaim:
    """A published claim for its public page; 404 for any other claim, so drafts stay unseen."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status != Status.published.value or claim.verdict is None:
        raise NotFound(f"No published claim with id {claim_id}.")
    article = session.get(Article, claim.article_id) if claim.article_id is not None else None
    document = claim_review(
        claim=claim, article=article, scale=RatingScale.from_settings(settings), settings=settings
    )
    return PublishedClaim(
        claim=claim, article=article, verdict_label=verdict_label(claim.verdict), claim_review=document
    )
