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
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from service.linking.agreement import Agreement as A
from service.linking.agreement import PassageAgreement, TextFacts, compare
from service.linking.index import CandidatePassage
from service.linking.query import EvidenceQuery, content_words, stem

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
    "entities",  # share of the claim's entities (aliases folded) the passage names
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


@lru_cache(maxsize=50_000)
def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(word) for word in content_words(text))


def passage_caches_clear() -> None:
    """Forget the per-passage caches (benches compare settings from a cold start)."""
    for cached in (_processed, _facts, _stems):
        cached.cache_clear()


# A claim without amounts, dates, entities or items agrees with no passage value whatever the passage
# says: its candidates' facts (the costliest part of a feature vector) are not computed.
_NO_FACTS = TextFacts(amounts=(), dates=(), entities=frozenset(), folded=" ")


@dataclass(frozen=True)
class PoolBest:
    """The best full-text scores in a pool: each candidate's are divided by these (scores are per query)."""

    score: float
    text: float
    title: float

    @classmethod
    def of(cls, pool: Sequence[Retrieved]) -> PoolBest:
        return cls(
            max((item.bm25 or 0.0 for item in pool), default=0.0),
            max((item.bm25_text for item in pool), default=0.0),
            max((item.bm25_title for item in pool), default=0.0),
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
    needs_facts = bool(claim.amounts or claim.dates or claim.entities or query.item_facts)
    facts = _facts(retrieved.text) if needs_facts else _NO_FACTS
    agreement = compare(claim, query.item_facts, facts)
    processed = _processed(retrieved.text)
    claim_stems = query.stems or {""}
    entity_share = (
        len(query.facts.entities & facts.entities) / len(query.facts.entities)
        if query.facts.entities
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
        len(claim_stems & _stems(retrieved.text)) / len(claim_stems),
        len(claim_stems & _stems(retrieved.title)) / len(claim_stems),
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


@cache
def model(dense: bool) -> LinearModel:
    """The exported ranker for lexical (dense=False) or lexical plus embedding retrieval."""
    exported = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    if tuple(exported["features"]) != FEATURES:
        raise RuntimeError(
            f"{MODEL_PATH.name} was trained on other features; re-run bench/train_evidence_ranker.py"
        )
    fitted = exported["models"]["semantic" if dense else "lexical"]
    return LinearModel(
        tuple(fitted["coefficients"]), fitted["intercept"], tuple(fitted["means"]), tuple(fitted["scales"])
    )


def rank(query: EvidenceQuery, pool: Sequence[Retrieved], *, dense: bool) -> list[Scored]:
    """The pool scored by the ranker, best first (ties: lower passage id, i.e. imported earlier)."""
    best = PoolBest.of(pool)
    fitted = model(dense)
    scored = []
    for item in pool:
        vector, agreement = features(query, item, best)
        scored.append(Scored(item.passage_id, fitted.probability(vector), agreement, vector))
    scored.sort(key=lambda entry: (-entry.score, entry.passage_id))
    return scored
