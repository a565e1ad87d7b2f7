"""Re-rank database candidates: rapidfuzz similarity plus agreement on entities, numbers and list items.

Pure functions, no database. `WRatio` is deliberately not used: on passages much longer than the
claim it returns the same high score for nearly all of them. `token_set_ratio` rewards a passage
that contains the claim's words; `partial_ratio` rewards one that contains its phrasing. Agreement
on the claim's named entities, numbers/dates and list items then separates a passage that names
Romania and Bulgaria from one that only mentions NATO.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from service.linking.index import CandidatePassage

WORD = re.compile(r"[^\W_]+")
DIGITS = re.compile(r"\d+")
# A run of capitalised words ("Antony Blinken", "Nord Stream 2"): an entity when the claim has none recorded.
CAPITALISED = re.compile(r"\b[A-Z][\w'-]*(?:\s+(?:[A-Z][\w'-]*|\d+))*")

_STOP_WORDS_TEXT = """a about above after again against all also am an and any are as at be because
    been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no nor
    not now of off on once only or other our out over own same she should so some such than that the
    their them then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your said says say told according"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# Weights of the agreement signals; list items weigh most because a list claim is checked item by item.
ITEM_WEIGHT = 2.0
ENTITY_WEIGHT = 1.5
NUMBER_WEIGHT = 1.0
# The item, entity and number words a passage must pair up to be a candidate (see index.py);
# 8 words make 28 pairs, and claims rarely name more that matter.
MAX_KEY_TERMS = 8
# Share of the final score that agreement decides when the claim has anything to agree on.
AGREEMENT_SHARE = 0.45


def _padded(processed: str) -> str:
    return f" {processed} "


def _contains(padded_haystack: str, processed_needle: str) -> bool:
    """Whole-word containment on default_process'ed text ('nato' is not found in 'senatorial')."""
    return bool(processed_needle) and f" {processed_needle} " in padded_haystack


@dataclass(frozen=True)
class EvidenceQuery:
    """What evidence is sought for: a claim's text, entities, numbers and list items."""

    text: str
    entities: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    processed: str = field(init=False)
    processed_items: tuple[str, ...] = field(init=False)
    processed_entities: tuple[str, ...] = field(init=False)
    search_terms: tuple[str, ...] = field(init=False)
    key_terms: tuple[str, ...] = field(init=False)
    highlight_words: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "processed", default_process(self.text))
        object.__setattr__(self, "processed_items", tuple(default_process(item) for item in self.items))
        object.__setattr__(self, "processed_entities", tuple(default_process(e) for e in self.entities))
        salient = _salient_words((*self.items, *self.entities, *self.numbers))
        key_terms = tuple(salient[:MAX_KEY_TERMS])
        for word in _salient_words((self.text,)):
            if word not in salient:
                salient.append(word)
        object.__setattr__(self, "search_terms", tuple(salient))
        object.__setattr__(self, "key_terms", key_terms)
        object.__setattr__(self, "highlight_words", frozenset(salient))

    @classmethod
    def from_text(cls, text: str) -> EvidenceQuery:
        """A query for free text: entities are its capitalised runs, numbers its digit runs."""
        return cls(text=text, entities=tuple(_capitalised_runs(text)), numbers=tuple(DIGITS.findall(text)))

    @classmethod
    def from_claim(cls, claim: Any) -> EvidenceQuery:
        """A query for a stored claim, using the entities, quantities and items its extractor found."""
        entities = [str(entity.get("text", "")) for entity in claim.entities or [] if entity.get("text")]
        if not entities:
            entities = _capitalised_runs(claim.text)
        numbers: list[str] = []
        for quantity in claim.quantities or []:
            numbers.extend(DIGITS.findall(str(quantity.get("text", ""))))
        if not numbers:
            numbers = DIGITS.findall(claim.text)
        return cls(
            text=claim.text,
            entities=tuple(dict.fromkeys(entities)),
            numbers=tuple(dict.fromkeys(numbers)),
            items=tuple(str(item) for item in claim.items or []),
        )


def _salient_words(phrases: Iterable[str]) -> list[str]:
    """Lower-cased words of the phrases, in order, without stop words, short words or repeats."""
    salient: list[str] = []
    for phrase in phrases:
        for word in WORD.findall(phrase):
            lowered = word.lower()
            if lowered in STOP_WORDS or (len(lowered) < 3 and not lowered.isdigit()):
                continue
            if lowered not in salient:
                salient.append(lowered)
    return salient


def _capitalised_runs(text: str) -> list[str]:
    """Capitalised word runs that are not just a sentence-initial stop word."""
    runs = []
    for match in CAPITALISED.finditer(text):
        run = match.group(0).strip()
        if run.lower() in STOP_WORDS:
            continue
        if run not in runs:
            runs.append(run)
    return runs


@dataclass(frozen=True)
class PassageScore:
    score: float
    matched_items: tuple[str, ...]


def _agreement(query: EvidenceQuery, padded: str) -> tuple[float | None, tuple[str, ...]]:
    """Weighted share (0..1) of the claim's items, entities and numbers named; None if it has none."""
    matched_items = tuple(
        item
        for item, processed_item in zip(query.items, query.processed_items, strict=True)
        if _contains(padded, processed_item)
    )
    weights = 0.0
    agreement = 0.0
    if query.items:
        weights += ITEM_WEIGHT
        agreement += ITEM_WEIGHT * len(matched_items) / len(query.items)
    if query.entities:
        found = sum(1 for entity in query.processed_entities if _contains(padded, entity))
        weights += ENTITY_WEIGHT
        agreement += ENTITY_WEIGHT * found / len(query.entities)
    if query.numbers:
        found = sum(1 for number in query.numbers if _contains(padded, number))
        weights += NUMBER_WEIGHT
        agreement += NUMBER_WEIGHT * found / len(query.numbers)
    if weights == 0:
        return None, matched_items
    return agreement / weights, matched_items


def score_passage(query: EvidenceQuery, passage_text: str, *, processed: str | None = None) -> PassageScore:
    """Score a passage 0..100; `processed` may carry default_process(passage_text) precomputed."""
    processed_passage = processed if processed is not None else default_process(passage_text)
    lexical = 0.5 * fuzz.token_set_ratio(query.processed, processed_passage) + 0.5 * fuzz.partial_ratio(
        query.processed, processed_passage
    )
    share, matched_items = _agreement(query, _padded(processed_passage))
    if share is None:
        return PassageScore(round(lexical, 2), matched_items)
    combined = (1 - AGREEMENT_SHARE) * lexical + AGREEMENT_SHARE * 100 * share
    return PassageScore(round(min(100.0, max(0.0, combined)), 2), matched_items)


def shortlist(query: EvidenceQuery, passages: Sequence[tuple[int, str]], keep: int) -> list[tuple[int, str]]:
    """The `keep` passages most likely to score best, by a cheap estimate of `score_passage`.

    The estimate uses the exact agreement term and, for the lexical term, the share of the claim's
    words the passage contains (what token_set_ratio mostly rewards): a few microseconds a passage
    where the two rapidfuzz ratios cost ~50, so the database can hand over a large candidate pool.
    """
    if len(passages) <= keep:
        return list(passages)
    claim_words = set(query.processed.split())
    estimates = []
    for position, (_passage_id, passage_text) in enumerate(passages):
        processed = default_process(passage_text)
        overlap = len(claim_words.intersection(processed.split())) / max(1, len(claim_words))
        share, _matched = _agreement(query, _padded(processed))
        estimate = overlap if share is None else (1 - AGREEMENT_SHARE) * overlap + AGREEMENT_SHARE * share
        # The database order breaks ties: its rank already prefers rarer shared terms.
        estimates.append((-estimate, position))
    estimates.sort()
    return [passages[position] for _estimate, position in estimates[:keep]]


def highest_possible_score(lexical: float) -> float:
    """The most a passage with this lexical similarity can score: lets an exhaustive scan prune safely."""
    return (1 - AGREEMENT_SHARE) * lexical + AGREEMENT_SHARE * 100


@dataclass(frozen=True)
class ScoredPassage:
    candidate: CandidatePassage
    score: float
    matched_items: tuple[str, ...]


def rank(query: EvidenceQuery, candidates: Iterable[CandidatePassage]) -> list[ScoredPassage]:
    """Candidates scored and sorted best first (ties: lower passage id, i.e. imported earlier)."""
    scored = []
    for candidate in candidates:
        result = score_passage(query, candidate.text)
        scored.append(ScoredPassage(candidate, result.score, result.matched_items))
    scored.sort(key=lambda item: (-item.score, item.candidate.passage_id))
    return scored


def rank_texts(query: EvidenceQuery, passages: Iterable[tuple[int, str]]) -> list[tuple[int, PassageScore]]:
    """(passage id, score) best first, ordered exactly as `rank` orders the same passages."""
    scored = [(passage_id, score_passage(query, passage_text)) for passage_id, passage_text in passages]
    scored.sort(key=lambda item: (-item[1].score, item[0]))
    return scored


def highlights(query: EvidenceQuery, passage_text: str) -> list[tuple[str, int, int]]:
    """The passage's words that match the claim's salient words, with offsets into the passage.

    >>> highlights(EvidenceQuery("NATO leaves Romania"), "Russia wants NATO out of Romania.")
    [('NATO', 13, 17), ('Romania', 25, 32)]
    """
    wanted = query.highlight_words
    found = []
    for match in WORD.finditer(passage_text):
        lowered = match.group(0).lower()
        if lowered in wanted or (len(lowered) > 4 and lowered.rstrip("s") in wanted):
            found.append((match.group(0), match.start(), match.end()))
    return found
