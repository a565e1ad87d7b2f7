"""Reference sources: upsert by url (split into passages), get, list, delete; the library version."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from service.db import as_utc, utcnow
from service.exceptions import NotFound
from service.linking.models import LibraryState, Passage, Source
from service.linking.passages import PassageSpan, split_passages
from service.linking.schemas import SourceIn


def library_version(*, session: Session) -> int:
    """The reference library's version: it changes with every write to sources and passages."""
    return session.exec(select(LibraryState.version).where(LibraryState.id == 1)).one()


def library_changed(session: Session) -> None:
    # First in the writing transaction: concurrent source writers queue on this one row, in one order.
    session.execute(
        update(LibraryState).where(col(LibraryState.id) == 1).values(version=LibraryState.version + 1)
    )


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
    library_changed(session)
    source = session.exec(select(Source).where(Source.url == source_in.url)).first()
    published_at = as_utc(source_in.published_at) if source_in.published_at else None
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
    library_changed(session)
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
                    "published_at": as_utc(source_in.published_at) if source_in.published_at else None,
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
    library_changed(session)
    session.delete(source)
    session.commit()
