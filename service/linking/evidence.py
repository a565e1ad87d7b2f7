"""Evidence for claims and free text: search, ranking, pinned and rejected links, a per-process cache."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Hashable
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from service.auth.service import Actor
from service.claims import service as claims
from service.claims.models import Claim, ClaimAction
from service.db import as_utc, utcnow
from service.exceptions import NotFound
from service.linking import agreement, embeddings, index, ranker
from service.linking.models import EvidenceLink, Passage
from service.linking.query import EvidenceQuery, content_words, highlights
from service.linking.schemas import (
    EvidenceAgreement,
    EvidenceLinkOut,
    EvidenceOut,
    EvidenceStatus,
    Highlight,
    Relation,
    ValueAgreementOut,
)
from service.linking.sources import library_version
from service.lru import LruCache
from service.matching import semantic
from service.metrics import EVIDENCE_CACHE, LINKING_SECONDS
from service.settings import get_settings

# Candidates the ranker scores: the full-text top and the nearest embeddings. On Climate-FEVER dev these
# pools hold a relevant sentence for 0.895 (full text) and 0.956 (both) of the claims; each candidate
# costs the ranker ~0.1-0.3 ms of CPU. Without embeddings only the full-text top LEXICAL_POOL is scored:
# recall@3 is the same from 100 down to 30 candidates (Climate-FEVER dev 0.505 -> 0.506; at 100,000
# passages 0.515 -> 0.520) and the CPU per query drops by a third (bench/evidence_search.py). With
# embeddings the fusion features need the longer full-text list.
FULL_TEXT_POOL = 100
LEXICAL_POOL = 30
DENSE_POOL = 100
EVIDENCE_CACHE_ENTRIES = 2048


# One cache per database: ids and versions are only comparable within one.
# A desk asks for a claim's evidence on every page load and poll, while neither the claim, its judgements
# nor the library changed; the search and ranking are most of such a request. Entries are keyed on all
# three (the claim's version, its links, the library version), so none is ever stale.
_caches: weakref.WeakKeyDictionary[Engine, LruCache[Hashable, list[EvidenceOut]]] = (
    weakref.WeakKeyDictionary()
)
_caches_lock = threading.Lock()


def _evidence_cache(session: Session) -> LruCache[Hashable, list[EvidenceOut]]:
    engine = session.get_bind().engine
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = LruCache(max_entries=EVIDENCE_CACHE_ENTRIES)
        return cache


def _values_out(values: tuple[agreement.ValueAgreement, ...]) -> list[ValueAgreementOut]:
    return [ValueAgreementOut(claim=v.claim, passage=v.passage, agreement=v.agreement) for v in values]


def _evidence_out(
    query: EvidenceQuery,
    scored: ranker.Scored,
    candidate: index.CandidatePassage,
    link_row: EvidenceLink | None,
) -> EvidenceOut:
    found = scored.agreement
    return EvidenceOut(
        source_id=candidate.source_id,
        passage_id=candidate.passage_id,
        url=candidate.url,
        title=candidate.title,
        publisher=candidate.publisher,
        published_at=as_utc(candidate.published_at) if candidate.published_at else None,
        passage=candidate.text,
        span=(candidate.span_start, candidate.span_end),
        score=round(100 * scored.score, 2),
        highlights=[
            Highlight(text=word, start=candidate.span_start + start, end=candidate.span_start + end)
            for word, start, end in highlights(query, candidate.text)
        ],
        matched_items=[item.claim for item in found.items if item.agreement is agreement.Agreement.same],
        agreement=EvidenceAgreement(
            numbers=_values_out(found.numbers), dates=_values_out(found.dates), items=_values_out(found.items)
        ),
        hint=found.hint,
        relation=Relation(link_row.relation) if link_row else None,
        pinned=link_row is not None,
    )


def semantic_retrieval(session: Session) -> bool:
    """Whether to retrieve with passage embeddings: the semantic extra is on (SEMANTIC) and some exist."""
    return semantic.enabled(get_settings()) and embeddings.matrix_for(session).size > 0


def candidate_pool(
    *, session: Session, query: EvidenceQuery, dense: bool, skip: set[int] | frozenset[int] = frozenset()
) -> list[ranker.Retrieved]:
    """The first stage: full-text candidates and, when `dense`, the nearest passage embeddings, merged."""
    found: dict[int, dict[str, Any]] = {}
    for position, hit in enumerate(
        index.search_passages(
            session=session, terms=query.search_terms, limit=FULL_TEXT_POOL if dense else LEXICAL_POOL
        )
    ):
        found[hit.passage_id] = {
            "text": hit.text,
            "title": hit.title,
            "bm25": hit.score,
            "bm25_rank": position,
            "bm25_title": hit.title_score,
        }
    if dense:
        vector = semantic.embed([query.text])[0]
        matrix = embeddings.matrix_for(session)
        for position, (passage_id, cosine) in enumerate(matrix.nearest(vector, DENSE_POOL)):
            found.setdefault(passage_id, {}).update(cosine=cosine, dense_rank=position)
        # Full-text candidates beyond the dense list still get their cosine.
        missing = [passage_id for passage_id, fields in found.items() if "cosine" not in fields]
        for passage_id, cosine in matrix.cosines(vector, missing).items():
            found[passage_id]["cosine"] = cosine
        # Dense-only candidates need their text and title (deleted passages drop out here).
        unread = [passage_id for passage_id, fields in found.items() if "text" not in fields]
        for passage in index.passages_by_id(session=session, passage_ids=unread):
            found[passage.passage_id].update(text=passage.text, title=passage.title)
    return [
        ranker.Retrieved(passage_id, **fields)
        for passage_id, fields in found.items()
        if passage_id not in skip and "text" in fields
    ]


def _ranked(
    session: Session, query: EvidenceQuery, limit: int, links: dict[int, EvidenceLink], dense: bool
) -> list[EvidenceOut]:
    started = time.perf_counter()
    rejected = {passage_id for passage_id, row in links.items() if row.relation == Relation.irrelevant}
    pinned_ids = [passage_id for passage_id in links if passage_id not in rejected]
    pool = candidate_pool(session=session, query=query, dense=dense, skip=rejected | set(pinned_ids))
    # The search has just counted the claim's words in the library: the ranker's idf.
    statistics = ranker.TermStatistics(*index.term_statistics(session, content_words(query.text)))
    pinned = index.passages_by_id(session=session, passage_ids=pinned_ids)
    pinned_scored = ranker.rank(
        query, [ranker.Retrieved.of(passage) for passage in pinned], dense=dense, statistics=statistics
    )
    # Pinned links stay on top whatever their score; the oldest judgement first.
    pinned_scored.sort(key=lambda scored: links[scored.passage_id].id or 0)
    best = ranker.rank(query, pool, dense=dense, statistics=statistics)[: max(0, limit - len(pinned_scored))]
    # Only the passages shown are read with their sources.
    best_passages = index.passages_by_id(session=session, passage_ids=[scored.passage_id for scored in best])
    shown = {passage.passage_id: passage for passage in [*pinned, *best_passages]}
    results = [
        _evidence_out(query, scored, shown[scored.passage_id], links.get(scored.passage_id))
        for scored in [*pinned_scored, *best]
        if scored.passage_id in shown
    ]
    LINKING_SECONDS.observe(time.perf_counter() - started)
    return results[:limit]


def links_of(*, session: Session, claim_id: int) -> dict[int, EvidenceLink]:
    """A claim's pinned and rejected links by passage id."""
    return {
        link.passage_id: link
        for link in session.exec(select(EvidenceLink).where(EvidenceLink.claim_id == claim_id))
    }


def evidence_for_claim(*, session: Session, claim_id: int, limit: int) -> list[EvidenceOut]:
    """The passages that bear on a claim, best first: pinned links on top, rejected ones left out."""
    claim = claims.get(session=session, claim_id=claim_id)
    links = links_of(session=session, claim_id=claim_id)
    judged = tuple(sorted((passage_id, link.relation, link.id or 0) for passage_id, link in links.items()))
    dense = semantic_retrieval(session)
    # Embeddings arriving in the background change the ranking too: the matrix's newest id is in the key.
    embedded = embeddings.matrix_for(session).last_id if dense else 0
    key = (claim_id, claim.version, limit, judged, library_version(session=session), embedded)
    cache = _evidence_cache(session)
    evidence = cache.get(key)
    EVIDENCE_CACHE.labels(outcome="hit" if evidence is not None else "miss").inc()
    if evidence is None:
        evidence = _ranked(session, EvidenceQuery.from_claim(claim), limit, links, dense)
        cache.put(key, evidence)
    return evidence


def search(*, session: Session, text: str, limit: int, use_semantic: bool | None = None) -> list[EvidenceOut]:
    """The passages that bear on free text (no claim yet), best first; `use_semantic` overrides SEMANTIC."""
    dense = semantic_retrieval(session) if use_semantic is None else use_semantic
    return _ranked(session, EvidenceQuery(text=text), limit, {}, dense)


def status(*, session: Session) -> EvidenceStatus:
    """How evidence is retrieved here and how many passages still wait for an embedding."""
    counts = embeddings.readiness(session=session)
    return EvidenceStatus(
        retrieval="semantic" if semantic.enabled(get_settings()) else "lexical",
        passages=counts.passages,
        passages_embedded=counts.embedded,
        embeddings_pending=counts.pending,
    )


def set_relation(
    *, session: Session, claim_id: int, passage_id: int, relation: Relation, actor: Actor
) -> EvidenceLink:
    """Pin (supports/refutes/context) or reject (irrelevant) a passage for a claim, in its history."""
    claim: Claim = claims.get(session=session, claim_id=claim_id)
    if session.get(Passage, passage_id) is None:
        raise NotFound(f"No passage with id {passage_id}.", details={"passage_id": passage_id})
    existing = session.exec(
        select(EvidenceLink).where(EvidenceLink.claim_id == claim_id, EvidenceLink.passage_id == passage_id)
    ).first()
    before = existing.relation if existing else None
    if existing is None:
        existing = EvidenceLink(
            claim_id=claim_id,
            passage_id=passage_id,
            relation=relation.value,
            key_id=actor.key_id,
            actor=actor.name,
        )
    else:
        existing.relation = relation.value
        existing.key_id = actor.key_id
        existing.actor = actor.name
        existing.created_at = utcnow()
    session.add(existing)
    claims.record_event(
        session=session,
        claim=claim,
        actor=actor,
        action=ClaimAction.evidence_rejected
        if relation == Relation.irrelevant
        else ClaimAction.evidence_pinned,
        field=f"evidence:{passage_id}",
        before=before,
        after=relation.value,
    )
    session.commit()
    session.refresh(existing)
    return existing


def link_out(link_row: EvidenceLink) -> EvidenceLinkOut:
    """API view of one pinned or rejected link."""
    return EvidenceLinkOut.of(link_row)
