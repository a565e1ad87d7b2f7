"""What the API shows of a claim."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from service.identity import DifferenceKind
from service.schemas import ResponseModel, UtcDateTime


class _StoredSpan(ResponseModel):
    """Read from a claim's stored entity or quantity, whose offsets are 'start' and 'end'."""

    @model_validator(mode="before")
    @classmethod
    def _span_of_offsets(cls, stored: Any) -> Any:
        if isinstance(stored, dict) and "span" not in stored:
            return {**stored, "span": (stored["start"], stored["end"])}
        return stored


class EntityOut(_StoredSpan):
    text: str
    label: str
    span: tuple[int, int]


class QuantityOut(_StoredSpan):
    text: str
    kind: str
    value: float | str
    unit: str | None = None
    span: tuple[int, int]


class MatchRelation(StrEnum):
    """How a stored claim relates to the text it was matched with."""

    same = "same"
    related = "related"


class DifferenceOut(ResponseModel):
    """One way a matched claim differs from the text: 'checked: 5.1%, this claim: 25.1%'."""

    kind: DifferenceKind
    this: str = Field(description="what the matched text says")
    checked: str = Field(description="what the stored (checked) claim says")


class PriorCheck(ResponseModel):
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
    reviewed_at: UtcDateTime | None = None


class ClaimStats(ResponseModel):
    """Counts for a dashboard: every status and verdict appears, with 0 when none match."""

    total: int
    by_status: dict[str, int]
    by_verdict: dict[str, int]
    unrated: int = Field(description="Claims without a verdict yet.")


class ClaimEventOut(ResponseModel):
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
    at: UtcDateTime


# ClaimOut.of(claim, tags=..., matches=...): tags are rows of another table. (No docstring: it would
# become the schema's description in the OpenAPI document.)
class ClaimOut(ResponseModel):
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
    tags: Annotated[list[str], AfterValidator(sorted)]
    summary: str | None
    dismiss_reason: str | None
    version: int
    extractor: str | None
    prompt_version: str | None
    external_id: str | None
    source_url: str | None
    speaker: str | None
    # False when an extracted claim's text still leans on its article (an unresolved pronoun); None
    # when not recorded (imported claims, claims extracted before migration 0018).
    decontextualised: bool | None = None
    claimed_at: UtcDateTime | None
    review_url: str | None
    publisher: str | None
    language: str | None
    duplicate_of: int | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    reviewed_at: UtcDateTime | None
    published_at: UtcDateTime | None
    matches: list[PriorCheck] = Field(default_factory=list)
