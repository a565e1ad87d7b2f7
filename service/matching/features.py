"""The evidence that a stored claim repeats a query, as the numbers the ranker weighs.

Every feature is computed the same way at training time (bench/train_matcher.py, CheckThat! 2020
train tweets) and at serving time, from the query, the candidate claim and its place in the lexical
and (optionally) the embedding ranking.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from service.claims.text import normalize_claim_text
from service.identity import ClaimSignature
from service.identity.tokens import STOPWORDS

LEXICAL_FEATURES = (
    "bm25_relative",
    "bm25_reciprocal_rank",
    "token_set",
    "token_set_title",
    "claim_covered",
    "query_covered",
    "numbers_shared",
    "numbers_unmatched",
    "entities_shared",
    "entities_unmatched",
)
SEMANTIC_FEATURES = (*LEXICAL_FEATURES, "cosine", "cosine_gap", "cosine_reciprocal_rank")
_SUFFIXES = ("ing", "ed", "es", "s")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Query:
    """What of the query every candidate is compared with, computed once."""

    normalized: str
    stems: frozenset[str]
    signature: ClaimSignature


@dataclass(frozen=True)
class Candidate:
    """A stored claim as the ranker sees it."""

    claim_id: int
    normalized: str
    title_normalized: str
    stems: frozenset[str]
    signature: ClaimSignature


@dataclass(frozen=True)
class Placement:
    """Where the candidate stands in each ranking: 0-based rank and score (None: not ranked there)."""

    bm25_rank: int | None
    bm25_relative: float  # relevance / the best candidate's, 0..1
    cosine: float | None  # None: no embedding yet, or no semantic matcher
    cosine_rank: int | None
    cosine_best: float | None


def stems(text: str) -> frozenset[str]:
    """Content words with a plain suffix cut ('vaccines' and 'vaccinated' -> 'vaccin'): for overlap."""
    found = set()
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        for suffix in _SUFFIXES:
            if len(word) > len(suffix) + 3 and word.endswith(suffix):
                word = word[: -len(suffix)]
                break
        found.add(word)
    return frozenset(found)


def query_of(text: str, signature: ClaimSignature) -> Query:
    return Query(normalized=normalize_claim_text(text), stems=stems(text), signature=signature)


def candidate_of(*, claim_id: int, text: str, title: str | None, signature: ClaimSignature) -> Candidate:
    return Candidate(
        claim_id=claim_id,
        normalized=normalize_claim_text(text),
        title_normalized=normalize_claim_text(title) if title else "",
        stems=stems(f"{text} {title or ''}"),
        signature=signature,
    )


def _overlap(query: tuple[str, ...], candidate: tuple[str, ...]) -> tuple[float, float]:
    """(how many of the candidate's items the query has, how many it lacks), each log-damped."""
    shared = len(set(query) & set(candidate))
    return math.log1p(shared), math.log1p(len(set(candidate)) - shared)


def _reciprocal(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / (1.0 + rank)


def lexical_features(query: Query, candidate: Candidate, placement: Placement) -> list[float]:
    """The LEXICAL_FEATURES of one candidate, in order."""
    shared = len(query.stems & candidate.stems)
    numbers = _overlap(query.signature.quantities, candidate.signature.quantities)
    entities = _overlap(query.signature.entities, candidate.signature.entities)
    return [
        placement.bm25_relative,
        _reciprocal(placement.bm25_rank),
        fuzz.token_set_ratio(query.normalized, candidate.normalized) / 100.0,
        # A claim without a review headline (one checked on the desk) stands for its own title.
        fuzz.token_set_ratio(query.normalized, candidate.title_normalized or candidate.normalized) / 100.0,
        shared / len(candidate.stems) if candidate.stems else 0.0,
        shared / len(query.stems) if query.stems else 0.0,
        *numbers,
        *entities,
    ]


def semantic_features(query: Query, candidate: Candidate, placement: Placement) -> list[float]:
    """The SEMANTIC_FEATURES of one candidate that has an embedding, in order."""
    assert placement.cosine is not None and placement.cosine_best is not None
    return [
        *lexical_features(query, candidate, placement),
        placement.cosine,
        placement.cosine_best - placement.cosine,
        _reciprocal(placement.cosine_rank),
    ]
