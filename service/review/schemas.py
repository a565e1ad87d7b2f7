"""What the review API accepts and shows: claim edits, reviews, history, queue stats, webhooks."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.claims.schemas import ClaimOut
from service.net.urls import HttpUrlText
from service.review.workflow import Status
from service.schemas import ResponseModel, UtcDateTime

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


class ReviewOut(ResponseModel):
    id: int
    claim_id: int
    verdict: str
    summary: str | None
    note: str | None
    evidence: list[int | str]
    actor: str
    key_id: int | None
    created_at: UtcDateTime


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrlText
    secret: Annotated[str, StringConstraints(min_length=16, max_length=200)] | None = None


class WebhookOut(ResponseModel):
    id: int
    url: str
    active: bool
    created_at: UtcDateTime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Shown only now: the key for checking X-Claimcheck-Signature.")


class DeliveryOut(ResponseModel):
    id: int
    webhook_id: int
    event: str
    claim_id: int | None
    status: str
    attempts: int
    next_attempt_at: UtcDateTime | None
    last_status_code: int | None
    last_error: str | None
    created_at: UtcDateTime
    delivered_at: UtcDateTime | None


class ReviewResult(ResponseModel):
    """A stored review and the claim as it stands after it."""

    review: ReviewOut
    claim: ClaimOut
