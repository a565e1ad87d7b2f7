"""What the review API accepts and shows: claim edits, reviews, history, queue stats, webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.claims.schemas import ClaimOut
from service.db import as_utc
from service.net.urls import HttpUrlText
from service.review.models import Review
from service.review.workflow import Status
from service.webhooks.models import Webhook, WebhookDelivery

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ClaimPatch(BaseModel):
    """Fields a reviewer may change; only the fields sent are changed (send null to clear assignee)."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    assignee: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    priority: int | None = Field(default=None, ge=-1000, le=1000)
    tags: list[Tag] | None = Field(default=None, max_length=50)
    dismiss_reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] | None = None


class ReviewIn(BaseModel):
    """A reviewer's verdict on a claim, with the reader-facing summary and the evidence used."""

    model_config = ConfigDict(extra="forbid")

    verdict: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    summary: Annotated[str, StringConstraints(max_length=20_000)] | None = None
    note: Annotated[str, StringConstraints(max_length=20_000)] | None = None
    evidence: list[int | Annotated[str, StringConstraints(min_length=1, max_length=2000)]] = Field(
        default_factory=list, max_length=200, description="Passage ids or URLs."
    )
    status: Status | None = Field(
        default=None,
        description="Where the review leaves the claim: in_review, reviewed (default), published.",
    )


class ReviewOut(BaseModel):
    id: int
    claim_id: int
    verdict: str
    summary: str | None
    note: str | None
    evidence: list[int | str]
    actor: str
    key_id: int | None
    created_at: datetime

    @classmethod
    def from_review(cls, review: Review) -> ReviewOut:
        assert review.id is not None
        return cls(
            id=review.id,
            claim_id=review.claim_id,
            verdict=review.verdict,
            summary=review.summary,
            note=review.note,
            evidence=list(review.evidence),
            actor=review.actor,
            key_id=review.key_id,
            created_at=as_utc(review.created_at),
        )


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrlText
    secret: Annotated[str, StringConstraints(min_length=16, max_length=200)] | None = None


class WebhookOut(BaseModel):
    id: int
    url: str
    active: bool
    created_at: datetime

    @classmethod
    def from_webhook(cls, webhook: Webhook) -> WebhookOut:
        assert webhook.id is not None
        return cls(
            id=webhook.id, url=webhook.url, active=webhook.active, created_at=as_utc(webhook.created_at)
        )


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Shown only now: the key for checking X-Claimcheck-Signature.")


class DeliveryOut(BaseModel):
    id: int
    webhook_id: int
    event: str
    claim_id: int | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def from_delivery(cls, delivery: WebhookDelivery) -> DeliveryOut:
        assert delivery.id is not None
        claim = delivery.payload.get("claim")
        return cls(
            id=delivery.id,
            webhook_id=delivery.webhook_id,
            event=delivery.event,
            claim_id=claim.get("id") if isinstance(claim, dict) else None,
            status=delivery.status,
            attempts=delivery.attempts,
            next_attempt_at=as_utc(delivery.next_attempt_at) if delivery.next_attempt_at else None,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            created_at=as_utc(delivery.created_at),
            delivered_at=as_utc(delivery.delivered_at) if delivery.delivered_at else None,
        )


class ReviewResult(BaseModel):
    """A stored review and the claim as it stands after it."""

    review: ReviewOut
    claim: ClaimOut
