"""What the API shows of a claim."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from service.claims.models import Claim, ClaimEvent
from service.db import as_utc
from service.identity import DifferenceKind


class EntityOut(BaseModel):
    text: str
    label: str
    span: tuple[int, int]


class QuantityOut(BaseModel):
    text: str
    kind: str
    value: float | str
    unit: str | None = None
    span: tuple[int, int]


class MatchRelation(StrEnum):
    """How a stored claim relates to the text it was matched with."""

    same = "same"
    related = "related"


class DifferenceOut(BaseModel):
    """One way a matched claim differs from the text: 'checked: 5.1%, this claim: 25.1%'."""

    kind: DifferenceKind
    this: str = Field(description="what the matched text says")
    checked: str = Field(description="what the stored (checked) claim says")


class PriorCheck(BaseModel):
    """A stored claim that a new text repeats (`same`) or resembles (`related`)."""

    id: int
    external_id: str | None
    text: str
    score: float = Field(
        description="0-100: the probability, in per cent, that the stored claim repeats the text"
    )
    status: str
    verdict: str | None = Field(description="the stored claim's own verdict")
    relation: MatchRelation = Field(
        description="same: the signatures agree (numbers, dates, entities, polarity, direction, order) and "
        "the score reaches MATCH_THRESHOLD; related: otherwise"
    )
    differs: list[DifferenceKind] = Field(
        default_factory=list, description="for related: what differs (number, date, entity, ...)"
    )
    differences: list[DifferenceOut] = Field(default_factory=list)
    reusable_verdict: str | None = Field(
        default=None, description="the verdict, offered for reuse only when relation is same"
    )
    review_url: str | None = None
    publisher: str | None = None
    reviewed_at: datetime | None = None


class ClaimStats(BaseModel):
    """Counts for a dashboard: every status and verdict appears, with 0 when none match."""

    total: int
    by_status: dict[str, int]
    by_verdict: dict[str, int]
    unrated: int = Field(description="Claims without a verdict yet.")


class ClaimEventOut(BaseModel):
    """One entry of a claim's append-only history."""

    id: int
    claim_id: int
    version: int
    action: str
    field: str | None
    before: Any
    after: Any
    actor: str
    key_id: int | None
    at: datetime

    @classmethod
    def from_event(cls, event: ClaimEvent) -> ClaimEventOut:
        assert event.id is not None
        return cls(
            id=event.id,
            claim_id=event.claim_id,
            version=event.version,
            action=event.action,
            field=event.field,
            before=event.before,
            after=event.after,
            actor=event.actor,
            key_id=event.key_id,
            at=as_utc(event.at),
        )


class ClaimOut(BaseModel):
    id: int
    article_id: int | None
    text: str
    quote: str | None
    span: tuple[int, int] | None
    checkworthy: bool
    score: float
    kind: str
    items: list[str]
    entities: list[EntityOut]
    quantities: list[QuantityOut]
    status: str
    verdict: str | None
    assignee: str | None
    priority: int
    tags: list[str]
    summary: str | None
    dismiss_reason: str | None
    version: int
    extractor: str | None
    prompt_version: str | None
    external_id: str | None
    source_url: str | None
    speaker: str | None
    claimed_at: datetime | None
    review_url: str | None
    publisher: str | None
    language: str | None
    duplicate_of: int | None
    created_at: datetime
    updated_at: datetime
    reviewed_at: datetime | None
    published_at: datetime | None
    matches: list[PriorCheck] = Field(default_factory=list)

    @classmethod
    def from_claim(
        cls, claim: Claim, *, tags: list[str] | None = None, matches: list[PriorCheck] | None = None
    ) -> ClaimOut:
        assert claim.id is not None
        span = (
            (claim.span_start, claim.span_end)
            if claim.span_start is not None and claim.span_end is not None
            else None
        )
        return cls(
            id=claim.id,
            article_id=claim.article_id,
            text=claim.text,
            quote=claim.quote,
            span=span,
            checkworthy=claim.checkworthy,
            score=claim.score,
            kind=claim.kind,
            items=list(claim.items),
            entities=[_entity(entity) for entity in claim.entities],
            quantities=[_quantity(quantity) for quantity in claim.quantities],
            status=claim.status,
            verdict=claim.verdict,
            assignee=claim.assignee,
            priority=claim.priority,
            tags=sorted(tags or []),
            summary=claim.summary,
            dismiss_reason=claim.dismiss_reason,
            version=claim.version,
            extractor=claim.extractor,
            prompt_version=claim.prompt_version,
            external_id=claim.external_id,
            source_url=claim.source_url,
            speaker=claim.speaker,
            claimed_at=_utc(claim.claimed_at),
            review_url=claim.review_url,
            publisher=claim.publisher,
            language=claim.language,
            duplicate_of=claim.duplicate_of,
            created_at=as_utc(claim.created_at),
            updated_at=as_utc(claim.updated_at),
            reviewed_at=_utc(claim.reviewed_at),
            published_at=_utc(claim.published_at),
            matches=matches or [],
        )


def _utc(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None


def _entity(stored: dict[str, Any]) -> EntityOut:
    return EntityOut(text=stored["text"], label=stored["label"], span=(stored["start"], stored["end"]))


def _quantity(stored: dict[str, Any]) -> QuantityOut:
    return QuantityOut(
        text=stored["text"],
        kind=stored["kind"],
        value=stored["value"],
        unit=stored.get("unit"),
        span=(stored["start"], stored["end"]),
    )
