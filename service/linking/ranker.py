"""The second stage: a logistic-regression ranker over features of each candidate passage.

Trained by `bench/train_evidence_ranker.py` on the Climate-FEVER dev half and the newsroom set (held-out
fold figures in README) and exported to `ranker_model.json`: coefficients, feature means and scales,
one model for lexical retrieval and one for retrieval with embeddings. Serving is a dot product, no
training library. rapidfuzz stays where fuzzy matching earns its place: `partial_ratio` and
`token_set_ratio` see a claim's phrasing through typos ('Zelensky' / 'Zelenskyy').
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from service.linking.agreement import Agreement as A
from service.linking.agreement import PassageAgreement, TextFacts, compare
from service.linking.index import CandidatePassage
from service.linking.query import EvidenceQuery, content_words, stem, stem_pairs

MODEL_PATH = Path(__file__).with_name("ranker_model.json")

FEATURES = (
    "bm25",  # full-text score over the best in this pool (0..1), 0 when not a full-text candidate
    "bm25_rank",  # 1 / (1 + rank) in the full-text list
    "bm25_text",  # the text field's own score over the pool's best
    "bm25_title",  # the title field's own score over the pool's best
    "cosine",  # MiniLM cosine (0 without embeddings)
    "dense_rank",  # 1 / (1 + rank) in the dense list
    "fusion",  # reciprocal-rank fusion of the two lists (k = 60), scaled so that rank 1 in both is 1
    "token_set",
    "partial",
    "coverage",  # share of the claim's word stems in the passage
    "title_coverage",  # share of the claim's word stems in the source title
    "title_in_claim",  # share of the title's word stems in the claim ('Sea level rise' for a claim on it)
    "pairs",  # share of the claim's consecutive word pairs the passage has consecutive too
    "pool_support",  # how many of the full-text top 10 share the passage's other words (pseudo-relevance)
    "entities",  # share of the claim's places and organisations the passage names (alias, demonym, capital)
    "numbers_same",
    "numbers_different",
    "dates_same",
    "dates_different",
    "items_same",
    "log_length",
)
DENSE_FEATURES = frozenset({"cosine", "dense_rank"})
FUSION_K = 60


@dataclass(frozen=True)
class Retrieved:
    """A candidate with what the first stage said of it (None where that retriever did not find it)."""

    passage_id: int
    text: str
    title: str
    bm25: float | None = None
    bm25_rank: int | None = None
    bm25_text: float = 0.0
    bm25_title: float = 0.0
    cosine: float | None = None
    dense_rank: int | None = None

    @classmethod
    def of(cls, passage: CandidatePassage) -> Retrieved:
        """A passage the first stage did not find (a pinned one): no retrieval scores."""
        return cls(passage.passage_id, passage.text, passage.title)


@dataclass(frozen=True)
class Scored:
    passage_id: int
    score: float  # 0..1
    agreement: PassageAgreement
    features: tuple[float, ...]


# Popular passages come back query after query: their tokenisation and stems are kept (texts are
# immutable per passage row; a changed source gets new rows).
@lru_cache(maxsize=50_000)
def _processed(text: str) -> str:
    return default_process(text)


@lru_cache(maxsize=50_000)
def _facts(text: str) -> TextFacts:
    return TextFacts.of(text)


@dataclass(frozen=True)
class _Words:
    stems: frozenset[str]
    pairs: frozenset[tuple[str, str]]


@lru_cache(maxsize=50_000)
def _words(text: str) -> _Words:
    words = content_words(text, once=False)
    return _Words(frozenset(stem(word) for word in words), stem_pairs(words))


def passage_caches_clear() -> None:
    """Forget the per-passage caches (benches compare settings from a cold start)."""
    for cached in (_processed, _facts, _words):
        cached.cache_clear()


# A claim without amounts, dates, entities or items agrees with no passage value whatever the passage
# says: its candidates' facts (the costliest part of a feature vector) are not computed.
_NO_FACTS = TextFacts(amounts=(), dates=(), entities=frozenset(), folded=" ")


# Pseudo-relevance feedback inside the pool: the words the full-text top SUPPORT_DEPTH passages share
# beyond the claim's say what the claim is about in the library's own words.
SUPPORT_DEPTH = 10


@dataclass(frozen=True)
class PoolBest:
    """What a pool's candidates are measured against: its best full-text scores (scores are per query) and
    how many of its full-text top passages hold each word stem."""

    score: float
    text: float
    title: float
    support: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, pool: Sequence[Retrieved], claim_stems: frozenset[str] = frozenset()) -> PoolBest:
        top = sorted(
            (item for item in pool if item.bm25_rank is not None), key=lambda item: item.bm25_rank or 0
        )[:SUPPORT_DEPTH]
        support: dict[str, int] = {}
        for item in top:
            for word in _words(item.text).stems - claim_stems:
                support[word] = support.get(word, 0) + 1
        return cls(
            max((item.bm25 or 0.0 for item in pool), default=0.0),
            max((item.bm25_text for item in pool), default=0.0),
            max((item.bm25_title for item in pool), default=0.0),
            support,
        )


def _fusion(retrieved: Retrieved) -> float:
    total = sum(
        1.0 / (FUSION_K + 1 + position)
        for position in (retrieved.bm25_rank, retrieved.dense_rank)
        if position is not None
    )
    return total * (FUSION_K + 1) / 2


def _share(value: float, best: float) -> float:
    return value / best if best > 0 else 0.0


def features(
    query: EvidenceQuery, retrieved: Retrieved, best: PoolBest
) -> tuple[tuple[float, ...], PassageAgreement]:
    """The feature vector (in FEATURES order) and the value agreement of one candidate."""
    claim = query.facts
    needs_facts = bool(claim.amounts or claim.dates or query.entity_names or query.item_facts)
    facts = _facts(retrieved.text) if needs_facts else _NO_FACTS
    agreement = compare(claim, query.item_facts, facts)
    processed = _processed(retrieved.text)
    claim_stems = query.stems or {""}
    words = _words(retrieved.text)
    title_stems = _words(retrieved.title).stems
    own = words.stems - query.stems
    entity_share = (
        sum(
            1
            for entity, names in query.entity_names
            if entity in facts.entities or any(name in facts.folded for name in names)
        )
        / len(query.entity_names)
        if query.entity_names
        else 0.0
    )
    vector = (
        _share(retrieved.bm25 or 0.0, best.score),
        1.0 / (1 + retrieved.bm25_rank) if retrieved.bm25_rank is not None else 0.0,
        _share(retrieved.bm25_text, best.text),
        _share(retrieved.bm25_title, best.title),
        retrieved.cosine or 0.0,
        1.0 / (1 + retrieved.dense_rank) if retrieved.dense_rank is not None else 0.0,
        _fusion(retrieved),
        fuzz.token_set_ratio(query.processed, processed) / 100,
        fuzz.partial_ratio(query.processed, processed) / 100,
        len(claim_stems & words.stems) / len(claim_stems),
        len(claim_stems & title_stems) / len(claim_stems),
        len(title_stems & query.stems) / len(title_stems) if title_stems else 0.0,
        len(query.stem_pairs & words.pairs) / len(query.stem_pairs) if query.stem_pairs else 0.0,
        sum(best.support.get(word, 0) for word in own) / (SUPPORT_DEPTH * len(own)) if own else 0.0,
        entity_share,
        agreement.share("numbers", A.same),
        agreement.share("numbers", A.different),
        agreement.share("dates", A.same),
        agreement.share("dates", A.different),
        agreement.share("items", A.same),
        math.log1p(len(retrieved.text)),
    )
    return vector, agreement


@dataclass(frozen=True)
class LinearModel:
    coefficients: tuple[float, ...]
    intercept: float
    means: tuple[float, ...]
    scales: tuple[float, ...]
    _weights: tuple[float, ...] = field(init=False, repr=False)
    _offset: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Standardisation folded into the weights once: serving is one dot product per candidate.
        weights = tuple(c / s for c, s in zip(self.coefficients, self.scales, strict=True))
        object.__setattr__(self, "_weights", weights)
        object.__setattr__(
            self, "_offset", self.intercept - sum(w * m for w, m in zip(weights, self.means, strict=True))
        )

    def probability(self, vector: Sequence[float]) -> float:
        margin: float = self._offset + sum(map(operator.mul, self._weights, vector))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, margin))))


class Scorer(Protocol):
    def probability(self, vector: Sequence[float]) -> float: ...


def linear_model(fitted: Mapping[str, Any]) -> LinearModel:
    """A model from its exported form: {"coefficients", "intercept", "means", "scales"}."""
    return LinearModel(
        tuple(fitted["coefficients"]), fitted["intercept"], tuple(fitted["means"]), tuple(fitted["scales"])
    )


@cache
def _exported(dense: bool) -> Scorer:
    exported = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    if tuple(exported["features"]) != FEATURES:
        raise RuntimeError(
            f"{MODEL_PATH.name} was trained on other features; re-run bench/train_evidence_ranker.py"
        )
    return linear_model(exported["models"]["semantic" if dense else "lexical"])


# Models that replace the exported ones inside `serving_models` (benches only; not per thread).
_serving: dict[bool, Scorer] = {}


def model(dense: bool) -> Scorer:
    """The ranker for lexical (dense=False) or lexical plus embedding retrieval: the exported one."""
    return _serving.get(dense) or _exported(dense)


@contextmanager
def serving_models(models: Mapping[bool, Scorer]) -> Iterator[None]:
    """Rank with these models (by `dense`) instead of the exported ones: a bench scores each claim with
    the model of the folds that did not contain it, through the same search path as serving."""
    previous = dict(_serving)
    _serving.update(models)
    try:
        yield
    finally:
        _serving.clear()
        _serving.update(previous)


def rank(query: EvidenceQuery, pool: Sequence[Retrieved], *, dense: bool) -> list[Scored]:
    """The pool scored by the ranker, best first (ties: lower passage id, i.e. imported earlier)."""
    best = PoolBest.of(pool, query.stems)
    fitted = model(dense)
    scored = []
    for item in pool:
        vector, agreement = features(query, item, best)
        scored.append(Scored(item.passage_id, fitted.probability(vector), agreement, vector))
    scored.sort(key=lambda entry: (-entry.score, entry.passage_id))
    return scored
