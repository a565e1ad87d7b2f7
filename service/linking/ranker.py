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
from collections import Counter
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
from service.linking.index import TITLE_WEIGHT, CandidatePassage
from service.linking.query import EvidenceQuery, content_words, stem, stem_pairs

MODEL_PATH = Path(__file__).with_name("ranker_model.json")

FEATURES = (
    "bm25",  # full-text score over the best in this pool (0..1), 0 when not a full-text candidate
    "bm25_rank",  # 1 / (1 + rank) in the full-text list
    "bm25_title",  # the title field's own score over the pool's best
    "bm25_all",  # bm25 of every claim word, common ones too (see PoolBest), over the pool's best
    "cosine",  # MiniLM cosine (0 without embeddings)
    "dense_rank",  # 1 / (1 + rank) in the dense list
    "fusion",  # reciprocal-rank fusion of the two lists (k = 60), scaled so that rank 1 in both is 1
    "token_set",
    "partial",
    "coverage",  # share of the claim's word stems in the passage
    "title_coverage",  # share of the claim's word stems in the source title
    "title_in_claim",  # share of the title's word stems in the claim ('Sea level rise' for a claim on it)
    "pairs",  # share of the claim's consecutive word pairs the passage has consecutive too
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
    counts: Mapping[str, int]  # occurrences by stem
    length: int  # content words


@lru_cache(maxsize=50_000)
def _words(text: str) -> _Words:
    words = content_words(text, once=False)
    stems = [stem(word) for word in words]
    return _Words(frozenset(stems), stem_pairs(words), Counter(stems), len(stems))


def passage_caches_clear() -> None:
    """Forget the per-passage caches (benches compare settings from a cold start)."""
    for cached in (_processed, _facts, _words):
        cached.cache_clear()


# A claim without amounts, dates, entities or items agrees with no passage value whatever the passage
# says: its candidates' facts (the costliest part of a feature vector) are not computed.
_NO_FACTS = TextFacts(amounts=(), dates=(), entities=frozenset(), folded=" ")


@dataclass(frozen=True)
class TermStatistics:
    """The library's passage count and the document frequencies the full-text search counted for the
    claim's words (`index.term_statistics`)."""

    passages: int = 0
    frequencies: Mapping[str, int] = field(default_factory=dict)

    def idf(self, word: str) -> float:
        """FTS5's idf, at least 1e-6 (a word never counted is taken as rare)."""
        found = self.frequencies.get(word, 0)
        idf = math.log((self.passages - found + 0.5) / (found + 0.5)) if self.passages > 0 else 0.0
        return idf if idf > 0 else 1e-6


# The full-text search leaves out words common in the library (index.COMMON_SHARE): at 100,000 passages
# with news-like distractors 'carbon', 'emissions', 'energy' or 'years' for 384 of the 543 Climate-FEVER
# dev claims, so its bm25 then ranks by the claim's other words only (how often a relevant sentence of a
# claim's pool outscores an irrelevant one: 0.781 at 5,240 passages, 0.756 at 100,000). bm25_all scores
# every claim word with its idf in the library (title matches weighted as in the index): a common word
# counts a little instead of nothing. k1 and b as FTS5's.
BM25_K1 = 1.2
BM25_B = 0.75


def _bm25_all(weights: Sequence[tuple[str, float]], text: _Words, title: _Words, mean_length: float) -> float:
    norm = BM25_K1 * (1 - BM25_B + BM25_B * (text.length + title.length) / mean_length)
    score = 0.0
    for word, idf in weights:
        frequency = TITLE_WEIGHT * title.counts.get(word, 0) + text.counts.get(word, 0)
        if frequency:
            score += idf * frequency * (BM25_K1 + 1) / (frequency + norm)
    return score


@dataclass(frozen=True)
class PoolBest:
    """What a pool's candidates are measured against: its best full-text scores (scores are per query),
    the claim's word stems with their idf, the pool's mean length and best bm25_all."""

    score: float
    title: float
    weights: tuple[tuple[str, float], ...] = ()
    mean_length: float = 1.0
    all_words: float = 0.0

    @classmethod
    def of(
        cls, pool: Sequence[Retrieved], query: EvidenceQuery, statistics: TermStatistics | None = None
    ) -> PoolBest:
        found = statistics or TermStatistics()
        weights = tuple((stem(word), found.idf(word)) for word in content_words(query.text))
        lengths = [_words(item.text).length + _words(item.title).length for item in pool]
        mean_length = max(1.0, sum(lengths) / len(lengths)) if lengths else 1.0
        return cls(
            max((item.bm25 or 0.0 for item in pool), default=0.0),
            max((item.bm25_title for item in pool), default=0.0),
            weights,
            mean_length,
            max(
                (_bm25_all(weights, _words(item.text), _words(item.title), mean_length) for item in pool),
                default=0.0,
            ),
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
    title = _words(retrieved.title)
    title_stems = title.stems
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
        _share(retrieved.bm25_title, best.title),
        _share(_bm25_all(best.weights, words, title, best.mean_length), best.all_words),
        retrieved.cosine or 0.0,
        1.0 / (1 + retrieved.dense_rank) if retrieved.dense_rank is not None else 0.0,
        _fusion(retrieved),
        fuzz.token_set_ratio(query.processed, processed) / 100,
        fuzz.partial_ratio(query.processed, processed) / 100,
        len(claim_stems & words.stems) / len(claim_stems),
        len(claim_stems & title_stems) / len(claim_stems),
        len(title_stems & query.stems) / len(title_stems) if title_stems else 0.0,
        len(query.stem_pairs & words.pairs) / len(query.stem_pairs) if query.stem_pairs else 0.0,
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


def rank(
    query: EvidenceQuery,
    pool: Sequence[Retrieved],
    *,
    dense: bool,
    statistics: TermStatistics | None = None,
) -> list[Scored]:
    """The pool scored by the ranker, best first (ties: lower passage id, i.e. imported earlier)."""
    best = PoolBest.of(pool, query, statistics)
    fitted = model(dense)
    scored = []
    for item in pool:
        vector, agreement = features(query, item, best)
        scored.append(Scored(item.passage_id, fitted.probability(vector), agreement, vector))
    scored.sort(key=lambda entry: (-entry.score, entry.passage_id))
    return scored
