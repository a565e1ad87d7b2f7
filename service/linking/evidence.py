"""Evidence for claims and free text: search, ranking, pinned and rejected links, a per-process cache."""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Hashable

from sqlalchemy import Engine
from sqlmodel import Session, select

from service.auth.service import Actor
from service.claims import service as claims
from service.claims.models import Claim
from service.db import as_utc, utcnow
from service.errors import NotFound
from service.linking import index, rank
from service.linking.models import EvidenceLink, Passage
from service.linking.schemas import EvidenceLinkOut, EvidenceOut, Highlight, Relation
from service.linking.sources import library_version
from service.metrics import EVIDENCE_CACHE, LINKING_SECONDS

# How many database candidates a cheap estimate narrows to RERANK_POOL for the full rapidfuzz
# scorer: enough to keep the exhaustive top-10 (see bench/evidence_search.py), few enough that
# the re-ranking stays a few milliseconds.
CANDIDATE_POOL = 800
RERANK_POOL = 80
EVIDENCE_CACHE_ENTRIES = 2048


class _EvidenceCache:
    """Evidence lists computed recently in this process, least recently used dropped first.

    A desk asks for a claim's evidence on every page load and poll, while neither the claim, its
    judgements nor the library changed; the search and ranking are most of such a request. Entries are
    keyed on all three (the claim's version, its links, the library version), so none is ever stale.
    """

    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, list[EvidenceOut]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> list[EvidenceOut] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
        EVIDENCE_CACHE.labels(outcome="hit" if found is not None else "miss").inc()
        return found

    def put(self, key: Hashable, evidence: list[EvidenceOut]) -> None:
        with self._lock:
            self._entries[key] = evidence
            while len(self._entries) > EVIDENCE_CACHE_ENTRIES:
                self._entries.popitem(last=False)


# One cache per database: ids and versions are only comparable within one.
_caches: weakref.WeakKeyDictionary[Engine, _EvidenceCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def _evidence_cache(session: Session) -> _EvidenceCache:
    engine = session.get_bind().engine
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = _EvidenceCache()
        return cache


def _evidence_out(
    query: rank.EvidenceQuery, scored: rank.ScoredPassage, link_row: EvidenceLink | None
) -> EvidenceOut:
    candidate = scored.candidate
    return EvidenceOut(
        source_id=candidate.source_id,
        passage_id=candidate.passage_id,
        url=candidate.url,
        title=candidate.title,
        publisher=candidate.publisher,
        published_at=as_utc(candidate.published_at) if candidate.published_at else None,
        passage=candidate.text,
        span=(candidate.span_start, candidate.span_end),
        score=scored.score,
        highlights=[
            Highlight(text=word, start=candidate.span_start + start, end=candidate.span_start + end)
            for word, start, end in rank.highlights(query, candidate.text)
        ],
        matched_items=list(scored.matched_items),
        relation=Relation(link_row.relation) if link_row else None,
        pinned=link_row is not None,
    )


def _ranked(
    session: Session, query: rank.EvidenceQuery, limit: int, links: dict[int, EvidenceLink]
) -> list[EvidenceOut]:
    started = time.perf_counter()
    rejected = {passage_id for passage_id, row in links.items() if row.relation == Relation.irrelevant}
    pinned_ids = [passage_id for passage_id in links if passage_id not in rejected]
    pinned = index.passages_by_id(session=session, passage_ids=pinned_ids)
    pinned_scored = rank.rank(query, pinned)
    # Pinned links stay on top whatever their score; the oldest judgement first.
    pinned_scored.sort(key=lambda scored: links[scored.candidate.passage_id].id or 0)
    results = [_evidence_out(query, scored, links[scored.candidate.passage_id]) for scored in pinned_scored]
    skip = rejected | set(pinned_ids)
    pool = [
        (passage_id, passage_text)
        for passage_id, passage_text in index.candidate_texts(
            session=session, terms=query.search_terms, key_terms=query.key_terms, limit=CANDIDATE_POOL
        )
        if passage_id not in skip
    ]
    # A cheap estimate narrows the pool; the final order is score_passage's, as in the exhaustive baseline.
    best = rank.rank_texts(query, rank.shortlist(query, pool, keep=max(RERANK_POOL, limit)))
    best = best[: max(0, limit - len(results))]
    shown = {
        candidate.passage_id: candidate
        for candidate in index.passages_by_id(
            session=session, passage_ids=[passage_id for passage_id, _score in best]
        )
    }
    for passage_id, score in best:
        if passage_id in shown:
            scored = rank.ScoredPassage(shown[passage_id], score.score, score.matched_items)
            results.append(_evidence_out(query, scored, None))
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
    key = (claim_id, claim.version, limit, judged, library_version(session=session))
    cache = _evidence_cache(session)
    evidence = cache.get(key)
    if evidence is None:
        evidence = _ranked(session, rank.EvidenceQuery.from_claim(claim), limit, links)
        cache.put(key, evidence)
    return evidence


def search(*, session: Session, text: str, limit: int) -> list[EvidenceOut]:
    """The passages that bear on free text (no claim yet), best first."""
    return _ranked(session, rank.EvidenceQuery.from_text(text), limit, {})


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
        action="evidence_rejected" if relation == Relation.irrelevant else "evidence_pinned",
        field=f"evidence:{passage_id}",
        before=before,
        after=relation.value,
    )
    session.commit()
    session.refresh(existing)
    return existing


def link_out(link_row: EvidenceLink) -> EvidenceLinkOut:
    """API view of one pinned or rejected link."""
    return EvidenceLinkOut(
        claim_id=link_row.claim_id,
        passage_id=link_row.passage_id,
        relation=Relation(link_row.relation),
        actor=link_row.actor,
        created_at=as_utc(link_row.created_at),
    )
