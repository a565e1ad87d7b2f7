"""Scores an extraction against an annotated editorial (shared by the tests and bench/extraction_quality.py).

An annotated fact is found when one claim's text holds every keyword (rapidfuzz partial_ratio >= 90,
so a typo or a possessive does not lose it), none of its forbidden words, and, if the fact lists
items, exactly those items in order. An opinion sentence leaks when it yields a claim that matches no
annotated fact (an appositive role inside an opinion sentence is a fact, not a leak).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from service.extraction import extract
from service.extraction.result import ExtractedClaim, Extraction

DATA = Path(__file__).parent / "data"


@dataclass
class Score:
    name: str
    facts: int
    found: int
    missed: list[str]
    opinions: int
    leaked: list[str]
    items_expected: int
    items_exact: int
    spans_exact: bool
    flagged: int = 0  # found facts whose claim the scorer marks check-worthy

    @property
    def recall(self) -> float:
        return self.found / self.facts if self.facts else 1.0

    @property
    def leak_rate(self) -> float:
        return len(self.leaked) / self.opinions if self.opinions else 0.0


def _has(claim_text: str, keyword: str) -> bool:
    return fuzz.partial_ratio(keyword.lower(), claim_text.lower()) >= 90


def _matches(claim: ExtractedClaim, fact: dict[str, object]) -> bool:
    keywords = fact["keywords"]
    forbidden = fact.get("forbidden", [])
    assert isinstance(keywords, list) and isinstance(forbidden, list)
    return all(_has(claim.text, k) for k in keywords) and not any(
        f.lower() in claim.text.lower() for f in forbidden
    )


def annotated(name: str) -> tuple[str, dict[str, object]]:
    spec = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return (DATA / spec["text"]).read_text(encoding="utf-8"), spec


def score(name: str, extraction: Extraction | None = None) -> Score:
    body, spec = annotated(name)
    if extraction is None:
        extraction = extract(body, published_at=dt.date.fromisoformat(spec["published_at"]))
    claims = extraction.claims
    facts = spec["facts"]
    found, missed, items_expected, items_exact, flagged = 0, [], 0, 0, 0
    for fact in facts:
        matching = [c for c in claims if _matches(c, fact)]
        if matching:
            found += 1
            flagged += any(c.checkworthy for c in matching)
        else:
            missed.append(fact["about"])
        if "items" in fact:
            items_expected += 1
            items_exact += any(c.items == fact["items"] for c in matching)
    leaked = []
    for opinion in spec["opinions"]:
        start = body.index(opinion)
        sentence = next(s for s in extraction.sentences if s.start <= start < s.end)
        own = [c for c in claims if c.sentence_index == sentence.index]
        if any(not any(_matches(c, f) for f in facts) for c in own):
            leaked.append(opinion)
    spans_exact = all(body[c.start : c.end] == c.quote for c in claims)
    return Score(
        name,
        len(facts),
        found,
        missed,
        len(spec["opinions"]),
        leaked,
        items_expected,
        items_exact,
        spans_exact,
        flagged,
    )


EDITORIALS = (
    "editorial_ukraine",
    "editorial_budget",
    "editorial_energy",
    "editorial_measles",
    "editorial_stadium",
)
