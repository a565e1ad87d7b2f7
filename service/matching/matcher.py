"""Previously checked claims: find stored claims that a new text repeats, best first, and say how each
relates to it (the same claim, or a related one and what differs).

Candidates come from the stemmed claim index (BM25) and, with the semantic extra, from the embedding
matrix; a logistic regression over their features (service/matching/ranker.py) gives each the
probability that it repeats the query. A candidate without an embedding yet is scored by the lexical
model, one with an embedding by the semantic model: both are probabilities, so a library still being
embedded ranks on one scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy.orm import QueryableAttribute, load_only
from sqlmodel import Session, col, select

from service.claims.models import Claim
from service.claims.schemas import DifferenceOut, MatchRelation, PriorCheck
from service.identity import ClaimSignature, claim_signature, compare
from service.matching import features, semantic
from service.matching.index import search
from service.matching.query import clean_query
from service.matching.ranker import Ranker, ranker
from service.matching.schemas import Matcher, MatchOut
from service.settings import Settings

LEXICAL_CANDIDATES = 40
SEMANTIC_CANDIDATES = 30
# A match is the same claim only above these (rapidfuzz token_set_ratio of the signatures' core wording,
# MiniLM cosine): a strong ranking score alone says "likely the claim this text repeats", not "identical".
SAME_WORDING = 85.0
SAME_MEANING = 0.9
# What ranking and the answer read of a candidate (its JSON columns stay unread).
SHOWN_COLUMNS: tuple[QueryableAttribute[Any], ...] = tuple(
    getattr(Claim, name)
    for name in (
        "id",
        "text",
        "summary",
        "signature",
        "status",
        "verdict",
        "external_id",
        "review_url",
        "publisher",
        "reviewed_at",
    )
)


@dataclass(frozen=True)
class Found:
    """One candidate with its features' inputs."""

    claim: Claim
    candidate: features.Candidate
    placement: features.Placement


@dataclass(frozen=True)
class Ranked:
    probability: float
    found: Found


def signature_of(claim: Claim) -> ClaimSignature:
    """The claim's stored signature (computed from its text when it has none)."""
    if claim.signature:
        return ClaimSignature.from_json(claim.signature)
    return claim_signature(claim.text)


def candidates(
    *, session: Session, query: str, use_semantic: bool, only_checked: bool = False
) -> list[Found]:
    """Every candidate for a cleaned query, with where it stands in the lexical and embedding rankings."""
    lexical = search(session=session, query=query, limit=LEXICAL_CANDIDATES)
    cosines: dict[int, float] = {}
    nearest: list[tuple[int, float]] = []
    if use_semantic:
        matrix = semantic.matrix_for(session)
        query_vector = semantic.embed([query])[0]
        nearest = matrix.nearest(query_vector, SEMANTIC_CANDIDATES)
        cosines = {**matrix.cosines(query_vector, [claim_id for claim_id, _ in lexical]), **dict(nearest)}
    relevance = dict(lexical)
    ids = set(relevance) | set(cosines)
    if not ids:
        return []
    claims_query = select(Claim).options(load_only(*SHOWN_COLUMNS)).where(col(Claim.id).in_(ids))
    if only_checked:
        claims_query = claims_query.where(col(Claim.status).in_(semantic.CHECKED_STATUSES))
    claims = [claim for claim in session.exec(claims_query) if claim.id is not None]
    # Ranks and relative scores among the claims that can be returned (an article's own new claims
    # are not): the ranker was fitted on what it may answer.
    returnable = {claim.id for claim in claims if claim.id is not None}
    bm25_rank = _ranks(lexical, returnable)
    cosine_rank = _ranks(nearest, returnable)
    best_bm25 = max((relevance.get(claim_id, 0.0) for claim_id in returnable), default=0.0)
    best_cosine = max((cosines[claim_id] for claim_id in returnable if claim_id in cosines), default=None)
    found = []
    for claim in claims:
        assert claim.id is not None
        found.append(
            Found(
                claim=claim,
                candidate=features.candidate_of(
                    claim_id=claim.id, text=claim.text, title=claim.summary, signature=signature_of(claim)
                ),
                placement=features.Placement(
                    bm25_rank=bm25_rank.get(claim.id),
                    bm25_relative=relevance.get(claim.id, 0.0) / best_bm25 if best_bm25 > 0 else 0.0,
                    cosine=cosines.get(claim.id),
                    cosine_rank=cosine_rank.get(claim.id),
                    cosine_best=best_cosine,
                ),
            )
        )
    return found


def _ranks(ranking: list[tuple[int, float]], returnable: set[int]) -> dict[int, int]:
    """0-based position of each returnable claim in a best-first ranking, the others skipped."""
    kept = [claim_id for claim_id, _ in ranking if claim_id in returnable]
    return {claim_id: position for position, claim_id in enumerate(kept)}


def rank(query: features.Query, found: Sequence[Found], models: Ranker) -> list[Ranked]:
    """Candidates by probability of repeating the query, best first (ties by id)."""
    scored = []
    for item in found:
        if item.placement.cosine is None:
            probability = models.lexical.probability(
                features.lexical_features(query, item.candidate, item.placement)
            )
        else:
            probability = models.semantic.probability(
                features.semantic_features(query, item.candidate, item.placement)
            )
        scored.append(Ranked(probability=probability, found=item))
    return sorted(scored, key=lambda ranked: (-ranked.probability, ranked.found.candidate.claim_id))


def ranked_matches(
    *, session: Session, text: str, settings: Settings, only_checked: bool = False
) -> tuple[features.Query, list[Ranked], Matcher]:
    """The query as compared, its candidates ranked, and which matcher ranked them."""
    use_semantic = semantic.enabled(settings)
    cleaned = clean_query(text)
    query = features.query_of(cleaned, claim_signature(cleaned))
    found = candidates(session=session, query=cleaned, use_semantic=use_semantic, only_checked=only_checked)
    return query, rank(query, found, ranker()), matcher_of(found)


def matcher_of(found: Sequence[Found]) -> Matcher:
    """Semantic when every candidate had an embedding, lexical when none did, mixed in between."""
    embedded = sum(item.placement.cosine is not None for item in found)
    if embedded == 0:
        return Matcher.lexical
    return Matcher.semantic if embedded == len(found) else Matcher.mixed


def match(
    *,
    session: Session,
    text: str,
    limit: int,
    settings: Settings,
    only_checked: bool = False,
    threshold: float | None = None,
) -> MatchOut:
    """Stored claims that the text repeats, best first (optionally only checked ones above a threshold)."""
    query, ranked, matcher = ranked_matches(
        session=session, text=text, settings=settings, only_checked=only_checked
    )
    results = []
    for item in ranked:
        score = round(100.0 * item.probability, 2)
        if threshold is not None and score < threshold:
            break
        results.append(_prior_check(query, item.found, score, settings.match_threshold))
        if len(results) >= limit:
            break
    return MatchOut(matcher=matcher, results=results)


def prior_checks(
    *, session: Session, texts: Sequence[str], settings: Settings, limit: int = 3
) -> list[list[PriorCheck]]:
    """For each text, the reviewed or published claims it repeats above MATCH_THRESHOLD."""
    if (
        not texts
        or session.exec(
            select(Claim.id).where(col(Claim.status).in_(semantic.CHECKED_STATUSES)).limit(1)
        ).first()
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
        ).results
        for text in texts
    ]


def _same_wording(query: features.Query, found: Found) -> bool:
    """Whether the two claims' wording (amounts, dates and attribution taken out, aliases folded) agrees."""
    wording = fuzz.token_set_ratio(query.signature.core, found.candidate.signature.core)
    cosine = found.placement.cosine
    return wording >= SAME_WORDING or (cosine is not None and cosine >= SAME_MEANING)


def _prior_check(query: features.Query, found: Found, score: float, same_above: float) -> PriorCheck:
    """The result for one stored claim: the same claim (its verdict offered for reuse) only when the
    signatures agree, the match is strong and the claims say it in the same words (or, embedded, the
    same meaning); otherwise related, naming what differs."""
    claim = found.claim
    differences = compare(query.signature, found.candidate.signature)
    same = not differences and score >= same_above and _same_wording(query, found)
    return PriorCheck.of(
        claim,
        score=score,
        relation=MatchRelation.same if same else MatchRelation.related,
        differs=[difference.kind for difference in differences],
        differences=[DifferenceOut.of(difference, checked=difference.other) for difference in differences],
        reusable_verdict=claim.verdict if same else None,
    )
