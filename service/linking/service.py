"""Reference sources (create/upsert by url, get, list, delete) and evidence for claims and free text."""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Hashable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Engine, func, insert, update
from sqlalchemy import delete as sql_delete
from sqlmodel import Session, col, select

from service.auth.service import Actor
from service.claims import service as claims
from service.claims.models import Claim
from service.db import as_utc, utcnow
from service.errors import NotFound
from service.linking import index, rank
from service.linking.models import EvidenceLink, LibraryState, Passage, Source
from service.linking.passages import PassageSpan, split_passages
from service.linking.schemas import (
    EvidenceLinkOut,
    EvidenceOut,
    Highlight,
    Relation,
    SourceIn,
)
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


def library_version(*, session: Session) -> int:
    """The reference library's version: it changes with every write to sources and passages."""
    return session.exec(select(LibraryState.version).where(LibraryState.id == 1)).one()


def _library_changed(session: Session) -> None:
    # First in the writing transaction: concurrent source writers queue on this one row, in one order.
    session.execute(
        update(LibraryState).where(col(LibraryState.id) == 1).values(version=LibraryState.version + 1)
    )


def _as_datetime(moment: datetime | date | None) -> datetime | None:
    if moment is None or isinstance(moment, datetime):
        return as_utc(moment) if moment else None
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def _insert_passages(session: Session, source_id: int, pieces: Sequence[PassageSpan]) -> None:
    if pieces:
        # One executemany: the ORM unit of work would cost a round trip and an object per row.
        session.execute(
            insert(Passage),
            [
                {
                    "source_id": source_id,
                    "position": piece.position,
                    "span_start": piece.start,
                    "span_end": piece.end,
                    "text": piece.text,
                }
                for piece in pieces
            ],
        )


def _replace_passages(session: Session, source: Source, pieces: Sequence[PassageSpan]) -> None:
    """Re-split a changed source, keeping the rows (and pinned links) of passages whose text is unchanged."""
    assert source.id is not None
    existing: dict[str, list[Passage]] = defaultdict(list)
    for passage in session.exec(select(Passage).where(Passage.source_id == source.id)):
        existing[passage.text].append(passage)
    fresh: list[PassageSpan] = []
    for piece in pieces:
        kept = existing.get(piece.text)
        if kept:
            passage = kept.pop(0)
            if (passage.position, passage.span_start, passage.span_end) != (
                piece.position,
                piece.start,
                piece.end,
            ):
                session.execute(
                    update(Passage)
                    .where(col(Passage.id) == passage.id)
                    .values(position=piece.position, span_start=piece.start, span_end=piece.end)
                )
        else:
            fresh.append(piece)
    stale_ids = [passage.id for leftovers in existing.values() for passage in leftovers]
    if stale_ids:
        session.execute(sql_delete(Passage).where(col(Passage.id).in_(stale_ids)))
    session.expire_all()
    _insert_passages(session, source.id, fresh)


def upsert_source(*, session: Session, source_in: SourceIn) -> tuple[Source, bool]:
    """Create the source, or update the one with the same url (re-splitting its passages); does not commit.

    Returns (source, created). The caller commits, so a bulk import can commit in batches.
    """
    _library_changed(session)
    source = session.exec(select(Source).where(Source.url == source_in.url)).first()
    published_at = _as_datetime(source_in.published_at)
    if source is None:
        source = Source(
            url=source_in.url,
            title=source_in.title,
            publisher=source_in.publisher,
            published_at=published_at,
            text=source_in.text,
            external_id=source_in.external_id,
            language=source_in.language,
        )
        session.add(source)
        session.flush()
        assert source.id is not None
        _insert_passages(session, source.id, split_passages(source_in.text))
        return source, True
    text_changed = source.text != source_in.text
    source.title = source_in.title
    source.publisher = source_in.publisher
    source.published_at = published_at
    source.text = source_in.text
    source.external_id = source_in.external_id
    source.language = source_in.language
    source.updated_at = utcnow()
    session.add(source)
    session.flush()
    if text_changed:
        _replace_passages(session, source, split_passages(source_in.text))
    return source, False


def upsert_sources(*, session: Session, sources_in: Sequence[SourceIn]) -> list[tuple[int, bool]]:
    """Store a batch of sources as `upsert_source` would, in a few statements; does not commit.

    Returns (source id, created) per input. New urls are inserted together (one statement for the
    sources, one for all their passages); a url already stored, or repeated in the batch, goes
    through `upsert_source`. Several round trips per source were what bounded a bulk import on
    PostgreSQL, not the database's own work.
    """
    _library_changed(session)
    urls = [source_in.url for source_in in sources_in]
    stored = set(session.execute(select(Source.url).where(col(Source.url).in_(urls))).scalars())
    fresh: dict[str, SourceIn] = {}
    for source_in in sources_in:
        if source_in.url not in stored and source_in.url not in fresh:
            fresh[source_in.url] = source_in
    ids: dict[str, int] = {}
    if fresh:
        now = utcnow()
        rows = session.execute(
            insert(Source).returning(col(Source.id), col(Source.url), sort_by_parameter_order=True),
            [
                {
                    "url": source_in.url,
                    "title": source_in.title,
                    "publisher": source_in.publisher,
                    "published_at": _as_datetime(source_in.published_at),
                    "text": source_in.text,
                    "external_id": source_in.external_id,
                    "language": source_in.language,
                    "created_at": now,
                    "updated_at": now,
                }
                for source_in in fresh.values()
            ],
        )
        ids = {url: source_id for source_id, url in rows}
        passages = [
            {
                "source_id": ids[url],
                "position": piece.position,
                "span_start": piece.start,
                "span_end": piece.end,
                "text": piece.text,
            }
            for url, source_in in fresh.items()
            for piece in split_passages(source_in.text)
        ]
        if passages:
            session.execute(insert(Passage), passages)
    results: list[tuple[int, bool]] = []
    inserted = set(ids)
    for source_in in sources_in:
        if source_in.url in inserted:
            inserted.discard(source_in.url)
            results.append((ids[source_in.url], True))
        else:
            source, created = upsert_source(session=session, source_in=source_in)
            assert source.id is not None
            results.append((source.id, created))
    return results


def create(*, session: Session, source_in: SourceIn) -> tuple[Source, bool]:
    """Store one source (or update the one with its url) and commit; returns (source, created)."""
    source, created = upsert_source(session=session, source_in=source_in)
    session.commit()
    session.refresh(source)
    return source, created


def get(*, session: Session, source_id: int) -> Source:
    """The source with this id, or NotFound."""
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"No source with id {source_id}.", details={"source_id": source_id})
    return source


def get_all(*, session: Session, after_id: int | None, limit: int) -> list[Source]:
    """Sources in id order, a page at a time (keyset: ids after `after_id`)."""
    query = select(Source).order_by(col(Source.id)).limit(limit)
    if after_id is not None:
        query = query.where(col(Source.id) > after_id)
    return list(session.exec(query))


def passages_of(*, session: Session, source_id: int) -> list[Passage]:
    """A source's passages in document order."""
    return list(
        session.exec(select(Passage).where(Passage.source_id == source_id).order_by(col(Passage.position)))
    )


def passage_counts(*, session: Session, source_ids: Sequence[int]) -> dict[int, int]:
    """How many passages each source has, in one query."""
    if not source_ids:
        return {}
    rows = session.execute(
        select(Passage.source_id, func.count())
        .where(col(Passage.source_id).in_(source_ids))
        .group_by(col(Passage.source_id))
    )
    return {source_id: count for source_id, count in rows}


def delete(*, session: Session, source_id: int) -> None:
    """Delete a source; the database cascades to its passages, their index entries and evidence links."""
    source = get(session=session, source_id=source_id)
    _library_changed(session)
    session.delete(source)
    session.commit()


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
