"""Source rows of an import: validate them and store them into the reference library (`linking`)."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.imports.parse import RawRow
from service.imports.progress import Progress
from service.linking.schemas import SourceIn


def store_sources(session: Session, batch: list[RawRow], progress: Progress) -> None:
    from service.linking.sources import upsert_sources

    valid: list[tuple[int, SourceIn]] = []
    for raw in batch:
        if raw.error is not None or raw.fields is None:
            progress.fail(raw.line, raw.error or "empty row")
            continue
        try:
            valid.append((raw.line, SourceIn.model_validate(raw.fields)))
        except ValidationError as exc:
            progress.fail(raw.line, validation_message(exc))
    if not valid:
        return
    # The whole batch in a few statements; a savepoint so that a source the linker refuses undoes only
    # this attempt, and the batch is stored again one source at a time to name the bad row.
    savepoint = session.begin_nested()
    try:
        results = upsert_sources(session=session, sources_in=[source_in for _line, source_in in valid])
        savepoint.commit()
    except (ValueError, IntegrityError):
        savepoint.rollback()
        _store_sources_one_by_one(session, valid, progress)
        return
    for _source_id, created in results:
        if created:
            progress.created += 1
        else:
            progress.updated += 1


def _store_sources_one_by_one(
    session: Session, valid: list[tuple[int, SourceIn]], progress: Progress
) -> None:
    from service.linking.sources import upsert_source

    for line, source_in in valid:
        # A savepoint per row: one source the linker refuses must not undo the rest of the batch.
        savepoint = session.begin_nested()
        try:
            _source, created = upsert_source(session=session, source_in=source_in)
            savepoint.commit()
        except (ValueError, IntegrityError) as exc:
            savepoint.rollback()
            progress.fail(line, str(exc)[:500])
            continue
        if created:
            progress.created += 1
        else:
            progress.updated += 1


def validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "row"
    return f"{where}: {first.get('msg', 'invalid')}"
