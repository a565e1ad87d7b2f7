"""Claims (extracted or imported), their reviews, tags and append-only history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Text, event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper
from sqlmodel import Field, SQLModel

from service.db import utcnow
from service.identity import claim_signature


class Claim(SQLModel, table=True):
    __tablename__ = "claim"
    # Review queue: status filter + sort column + id tie-break (migration 0010_review_queue_indexes).
    __table_args__ = (
        Index("ix_claim_status_score_id", "status", "score", "id"),
        Index("ix_claim_status_priority_id", "status", "priority", "id"),
        Index("ix_claim_status_created_at_id", "status", "created_at", "id"),
        # Duplicate candidates: claims whose quantities and dates agree (migration 0012_claim_signature).
        Index("ix_claim_signature_key", "signature_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), index=True)
    )
    text: str = Field(sa_column=Column(Text, nullable=False))
    # Lower-cased, punctuation-free text, used for duplicate detection and lexical matching.
    text_normalized: str = Field(default="", sa_column=Column(Text, nullable=False))
    text_hash: str = Field(default="", max_length=64, index=True)
    # Claim identity (service.identity): the signature as JSON, and the hash of its quantities and dates
    # ('' when it has none) that a duplicate must share. Filled on insert when not given.
    signature: str | None = Field(default=None, sa_column=Column(Text))
    signature_key: str = Field(default="", sa_column=Column(String(16), nullable=False, server_default=""))
    quote: str | None = Field(default=None, sa_column=Column(Text))
    span_start: int | None = None
    span_end: int | None = None
    sentence_index: int | None = None
    checkworthy: bool = True
    score: float = Field(default=0.0, index=True)
    kind: str = Field(default="other", max_length=20)
    items: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    entities: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    quantities: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    extractor: str | None = Field(default=None, max_length=20)
    prompt_version: str | None = Field(default=None, max_length=40)

    status: str = Field(default="new", max_length=20, index=True)
    verdict: str | None = Field(default=None, max_length=40, index=True)
    assignee: str | None = Field(default=None, max_length=200, index=True)
    priority: int = 0
    summary: str | None = Field(default=None, sa_column=Column(Text))
    dismiss_reason: str | None = Field(default=None, sa_column=Column(Text))
    version: int = 1

    external_id: str | None = Field(default=None, max_length=200, index=True)
    source_url: str | None = Field(default=None, max_length=2000)
    speaker: str | None = Field(default=None, max_length=500)
    # An extracted claim that still leans on its article (an unresolved pronoun, a speaker's unnamed
    # "we") is False; NULL for imported claims and for claims extracted before migration 0018.
    decontextualised: bool | None = Field(default=None)
    claimed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    review_url: str | None = Field(default=None, max_length=2000)
    publisher: str | None = Field(default=None, max_length=500)
    language: str | None = Field(default=None, max_length=20)
    duplicate_of: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("claim.id", ondelete="SET NULL"))
    )
    import_job_id: int | None = Field(default=None, index=True)

    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), index=True))
    created_by_key_id: int | None = None

    @property
    def span(self) -> tuple[int, int] | None:
        """The claim's (start, end) offsets into its article's body, when it has them."""
        if self.span_start is None or self.span_end is None:
            return None
        return (self.span_start, self.span_end)


@event.listens_for(Claim, "before_insert")
def _sign_new_claim(_mapper: Mapper[Claim], _connection: Connection, claim: Claim) -> None:
    if claim.signature is None:
        sign(claim)


@event.listens_for(Claim, "before_update")
def _sign_changed_claim(_mapper: Mapper[Claim], _connection: Connection, claim: Claim) -> None:
    if claim.signature is None or inspect(claim).attrs.text.history.has_changes():
        sign(claim)


def sign(claim: Claim, reference_date: date | None = None) -> None:
    """Compute the claim's signature from its text (relative dates against `reference_date`, else the
    date the claim was made, when known)."""
    if reference_date is None and claim.claimed_at is not None:
        reference_date = claim.claimed_at.date()
    signature = claim_signature(claim.text or "", reference_date=reference_date)
    claim.signature, claim.signature_key = signature.to_json(), signature.key


class ClaimTag(SQLModel, table=True):
    __tablename__ = "claim_tag"

    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True)
    )
    tag: str = Field(sa_column=Column(String(100), primary_key=True, index=True))


class ClaimAction(StrEnum):
    """What a history entry records."""

    created = "created"
    imported = "imported"
    updated = "updated"
    status_changed = "status_changed"
    review_added = "review_added"
    evidence_pinned = "evidence_pinned"
    evidence_rejected = "evidence_rejected"


class ClaimEvent(SQLModel, table=True):
    """One change to a claim. Rows are only ever inserted: this is the audit history."""

    __tablename__ = "claim_event"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    version: int
    action: str = Field(max_length=40)
    field: str | None = Field(default=None, max_length=60)
    before: Any = Field(default=None, sa_column=Column(JSON))
    after: Any = Field(default=None, sa_column=Column(JSON))
    key_id: int | None = None
    actor: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
