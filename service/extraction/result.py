"""The values an extractor returns: plain data, no database, no HTTP.

Every extractor (rule-based or LLM) produces an `Extraction`; the articles service stores it.
Offsets are character offsets into the exact text the extractor was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ClaimKind = Literal[
    "quantity",
    "statistic",
    "quote",
    "attribution",
    "event",
    "role",
    "position",
    "list",
    "comparison",
    "other",
]

SentenceLabel = Literal[
    "claim",  # yields at least one checkable claim
    "opinion",
    "prediction",
    "rhetoric",
    "question",
    "heading",
    "not_checkworthy",
    "fragment",
    "unreadable",  # garbled copy or OCR: word salad, no claim taken from it
]


@dataclass(frozen=True)
class Entity:
    """A named entity found in the claim's quote; offsets into the article body."""

    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Quantity:
    """A normalised number, amount of money, percentage or date mentioned by a claim.

    `value` is a float for numbers, money and percentages and an ISO date string for dates
    (`2022-01-14`, or `2022-01-10/2022-01-16` for a range such as "last week").
    """

    text: str
    kind: Literal["number", "money", "percent", "date"]
    value: float | str
    start: int
    end: int
    unit: str | None = None


@dataclass
class ExtractedClaim:
    """One atomic, checkable statement and the exact text it comes from."""

    text: str
    quote: str
    start: int
    end: int
    checkworthy: bool
    score: float
    kind: ClaimKind
    sentence_index: int
    items: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    # False when the text still leans on its context (an unresolved pronoun, a speaker's unnamed "we")
    decontextualised: bool = True
    speaker: str | None = None  # who said it, in a transcript or an interview


@dataclass
class SentenceReport:
    """How one sentence of the article was classified, and why."""

    index: int
    start: int
    end: int
    text: str
    label: SentenceLabel
    score: float
    reason: str
    claim_count: int = 0


@dataclass
class Extraction:
    """The result of extracting one article."""

    claims: list[ExtractedClaim]
    sentences: list[SentenceReport]
    extractor: str = "rules"
    meta: dict[str, object] = field(default_factory=dict)
