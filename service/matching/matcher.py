"""Previously checked claims: find stored claims that a new text repeats, best first.

Candidates come from the database index (BM25) and, with the semantic extra, from the embedding matrix;
each is scored by a weighted sum of normalised BM25, rapidfuzz token_set_ratio and partial_ratio, and
(semantic) the cosine of MiniLM embeddings. The weights were tuned on the CheckThat! 2020 train tweets
(`bench/match_checkthat.py --tune`) and are reported on dev.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlmodel import Session, col, select

from service.claims.models import Claim
from service.claims.schemas import PriorCheck
from service.claims.text import normalize_claim_text
from service.db import as_utc
from service.imports.index import candidate_claims
from service.matching import semantic
from service.matching.schemas import Matcher, MatchOut
from service.settings import Settings

LEXICAL_CANDIDATES = 100
SEMANTIC_CANDIDATES = 50
CHECKED_STATUSES = ("reviewed", "published")

_URL = re.compile(r"(https?://\S+|pic\.twitter\.com/\S+|www\.\S+)", re.IGNORECASE)
# "— Jane Doe (@jdoe) January 14, 2020" that ends an embedded tweet.
_TWEET_TRAILER = re.compile(r"[—–-]+\s*[^—–()]{0,80}\(@\w+\)\s*\w+\s+\d{1,2},\s*\d{4}\s*$")
_HANDLE = re.compile(r"@(\w+)")


@dataclass(frozen=True)
class Weights:
    """How much each signal counts; each signal is in 0..1 before weighting."""

    bm25: float
    token_set: float
    partial: float
    cosine: float


# Tuned on the first 260 CheckThat! 2020 train tweets (bench/match_checkthat.py --tune --tune-tweets 260):
# train MAP@5 0.775 lexical, 0.855 semantic.
LEXICAL_WEIGHTS = Weights(bm25=0.15, token_set=0.45, partial=0.4, cosine=0.0)
SEMANTIC_WEIGHTS = Weights(bm25=0.05, token_set=0.15, partial=0.4, cosine=0.4)


@dataclass(frozen=True)
class Signals:
    """The raw evidence that a stored claim repeats the query."""

    claim_id: int
    bm25: float  # 0..1, relative to the best candidate
    token_set: float  # 0..1
    partial: float  # 0..1
    cosine: float | None  # -1..1, None when the claim has no embedding yet


def clean_query(text: str) -> str:
    """Drop what is not the claim: links, the tweet's author-and-date trailer, '@' and '#' marks."""
    text = _URL.sub(" ", text)
    text = _TWEET_TRAILER.sub(" ", text.strip())
    text = _HANDLE.sub(r"\1", text).replace("#", " ")
    return " ".join(text.split())


def score(signals: Signals, weights: Weights) -> float:
    """The fused score in 0..100; a claim without an embedding is scored on the lexical weights."""
    if weights.cosine > 0.0 and signals.cosine is None:
        weights = LEXICAL_WEIGHTS
    cosine = max(signals.cosine or 0.0, 0.0)
    total = weights.bm25 + weights.token_set + weights.partial + weights.cosine
    fused = (
        weights.bm25 * signals.bm25
        + weights.token_set * signals.token_set
        + weights.partial * signals.partial
        + weights.cosine * cosine
    )
    return round(100.0 * fused / total, 2)


def signals_for(
    *, session: Session, text: str, use_semantic: bool, only_checked: bool = False
) -> tuple[list[Signals], dict[int, Claim]]:
    """Every candidate's signals for a query text, and the candidate claims by id."""
    query = normalize_claim_text(clean_query(text))
    lexical = dict(candidate_claims(session=session, text_normalized=query, limit=LEXICAL_CANDIDATES))
    cosines: dict[int, float] = {}
    if use_semantic:
        matrix = semantic.matrix_for(session)
        query_vector = semantic.embed([clean_query(text)])[0]
        nearest = dict(matrix.nearest(query_vector, SEMANTIC_CANDIDATES))
        cosines = {**matrix.cosines(query_vector, list(lexical)), **nearest}
    ids = set(lexical) | set(cosines)
    if not ids:
        return [], {}
    claims_query = select(Claim).where(col(Claim.id).in_(ids))
    if only_checked:
        claims_query = claims_query.where(col(Claim.status).in_(CHECKED_STATUSES))
    claims = {claim.id: claim for claim in session.exec(claims_query) if claim.id is not None}
    # Relative to the best claim that can be returned (an article's own new claims are not).
    best_bm25 = max((lexical.get(claim_id, 0.0) for claim_id in claims), default=0.0)
    found = []
    for claim_id, claim in claims.items():
        stored = claim.text_normalized
        stored_with_title = f"{stored} {normalize_claim_text(claim.summary)}" if claim.summary else stored
        found.append(
            Signals(
                claim_id=claim_id,
                bm25=(lexical.get(claim_id, 0.0) / best_bm25) if best_bm25 > 0 else 0.0,
                token_set=fuzz.token_set_ratio(query, stored) / 100.0,
                partial=fuzz.partial_ratio(query, stored_with_title) / 100.0 if query else 0.0,
                cosine=cosines.get(claim_id),
            )
        )
    return found, claims


def match(
    *,
    session: Session,
    text: str,
    limit: int,
    settings: Settings,
    only_checked: bool = False,
    threshold: float | None = None,
) -> list[PriorCheck]:
    """Stored claims that the text repeats, best first (optionally only checked ones above a threshold)."""
    use_semantic = semantic.enabled(settings)
    weights = SEMANTIC_WEIGHTS if use_semantic else LEXICAL_WEIGHTS
    found, claims = signals_for(
        session=session, text=text, use_semantic=use_semantic, only_checked=only_checked
    )
    ranked = sorted(((score(signals, weights), signals.claim_id) for signals in found), reverse=True)
    results = []
    for fused, claim_id in ranked:
        if threshold is not None and fused < threshold:
            break
        results.append(_prior_check(claims[claim_id], fused))
        if len(results) >= limit:
            break
    return results


def match_out(*, session: Session, text: str, limit: int, settings: Settings) -> MatchOut:
    """The match endpoint's answer: the ranked claims and which matcher ranked them."""
    use_semantic = semantic.enabled(settings)
    weights = SEMANTIC_WEIGHTS if use_semantic else LEXICAL_WEIGHTS
    found, claims = signals_for(session=session, text=text, use_semantic=use_semantic)
    ranked = sorted(((score(signals, weights), signals.claim_id) for signals in found), reverse=True)
    return MatchOut(
        matcher=matcher_of(found, use_semantic=use_semantic),
        results=[_prior_check(claims[claim_id], fused) for fused, claim_id in ranked[:limit]],
    )


def matcher_of(found: Sequence[Signals], *, use_semantic: bool) -> Matcher:
    """Semantic when every candidate had an embedding, lexical when none did, mixed in between."""
    embedded = sum(signals.cosine is not None for signals in found)
    if not use_semantic or embedded == 0:
        return Matcher.lexical
    return Matcher.semantic if embedded == len(found) else Matcher.mixed


def prior_checks(
    *, session: Session, texts: Sequence[str], settings: Settings, limit: int = 3
) -> list[list[PriorCheck]]:
    """For each text, the reviewed or published claims it repeats above MATCH_THRESHOLD."""
    if (
        not texts
        or session.exec(select(Claim.id).where(col(Claim.status).in_(CHECKED_STATUSES)).limit(1)).first()
        is None
    ):
        # Nothing checked yet: no prior checks, and no reason to load a model.
        return [[] for _ in texts]
    return [
        match(
            session=session,
            text=text,
            limit=limit,
            settings=settings,
            only_checked=True,
            threshold=settings.match_threshold,
        )
        for text in texts
    ]


def _prior_check(claim: Claim, fused: float) -> PriorCheck:
    assert claim.id is not None
    return PriorCheck(
        id=claim.id,
        external_id=claim.external_id,
        text=claim.text,
        score=fused,
        status=claim.status,
        verdict=claim.verdict,
        review_url=claim.review_url,
        publisher=claim.publisher,
        reviewed_at=as_utc(claim.reviewed_at) if claim.reviewed_at else None,
    )
