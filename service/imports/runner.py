"""The batch runner: a worker leases an import job and processes its upload in batches it can resume.

Each batch commits its rows together with the job's counters and its `next_line` resume point in one
transaction, so a worker killed mid-import loses nothing: the next worker starts at `next_line`, and no
row is stored twice. Claim batches go through two stages: a batch is validated and checked for
duplicates (one read snapshot) while the writer thread stores the batch before it; rows repeating that
batch are found in memory (`dedupe.RecentRows`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine, delete, func, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from service.auth.service import Actor, actor_of_key
from service.claims.models import Claim
from service.db import is_sqlite, utcnow
from service.imports import index as claim_index
from service.imports.article_rows import store_articles
from service.imports.claim_rows import DuplicateChecker, store_claims
from service.imports.jobs import fail_abandoned_uploads, get, stored_chunks
from service.imports.models import ImportChunk, ImportJob, JobKind, JobStatus
from service.imports.parse import RawRow, rows
from service.imports.progress import PreparedBatch, Progress
from service.imports.source_rows import store_sources
from service.leasing import STALE_AFTER_SECONDS, LostJob, Queue, lease, release
from service.settings import Settings

log = logging.getLogger("claimcheck.imports")

CLAIM_BATCH_ROWS = 5000
SOURCE_BATCH_ROWS = 200
ARTICLE_BATCH_ROWS = 200
# Each committed batch adds segments to the SQLite claim index, and every duplicate lookup searches each
# segment: the index is merged whenever an import has added this share of its size since the last
# merge (a merge costs time in proportion to the index, so the cost per row stays flat).
COMPACT_SHARE = 0.02
IMPORT_QUEUE = Queue(
    table=ImportJob.__table__,  # type: ignore[attr-defined]
    waiting=JobStatus.queued,
    held=JobStatus.running,
)


def claim_next(
    *,
    session: Session,
    worker_id: str,
    stale_seconds: float = STALE_AFTER_SECONDS,
    job_id: int | None = None,
) -> int | None:
    """Take the oldest queued job (or this one), or a running one whose worker is gone."""
    now = utcnow()
    fail_abandoned_uploads(session=session, now=now)
    found = lease(
        session=session, queue=IMPORT_QUEUE, worker_id=worker_id, stale_seconds=stale_seconds, row_id=job_id
    )
    if found is not None:
        session.execute(
            update(ImportJob)
            .where(col(ImportJob.id) == found, col(ImportJob.started_at).is_(None))
            .values(started_at=now)
        )
        session.commit()
    return found


def _batch_rows(kind: str) -> int:
    if kind == JobKind.claims:
        return CLAIM_BATCH_ROWS
    return ARTICLE_BATCH_ROWS if kind == JobKind.articles else SOURCE_BATCH_ROWS


def run(
    *,
    engine: Engine,
    job_id: int,
    worker_id: str,
    settings: Settings,
    on_batch: Callable[[ImportJob], None] | None = None,
    max_batches: int | None = None,
    stop: threading.Event | None = None,
) -> str:
    """Process a claimed job to the end; returns its status ('done', 'failed', or 'running' if stopped).

    `max_batches` stops early, as a crash would, leaving the job `running` until its heartbeat is stale;
    `stop` (shutdown) hands the job back to the queue after the current batch.
    """
    with Session(engine) as session:
        job = get(session=session, job_id=job_id)
        progress = Progress(
            processed=job.processed,
            created=job.created,
            updated=job.updated,
            duplicates=job.duplicates,
            failed=job.failed,
            errors=list(job.errors or []),
            next_line=job.next_line,
        )
        actor = _job_actor(session=session, job=job)
        kind, fmt, on_duplicate = job.kind, job.format, job.on_duplicate
    writer = _BatchWriter(engine, job_id, worker_id, kind, on_duplicate, progress, actor, settings)
    checker = DuplicateChecker(engine, settings, on_duplicate) if kind == JobKind.claims else None
    committed = 0
    # Two stages: this thread reads, validates and checks a batch for duplicates while the writer
    # thread stores the batch before it (SQLite and PostgreSQL drivers release the GIL while they work).
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"import-{job_id}") as pool:
            pending: Future[None] | None = None
            batches = _batches(
                rows(stored_chunks(engine, job_id), fmt), progress.next_line, _batch_rows(kind)
            )
            stopped = False
            for batch in batches:
                if stop is not None and stop.is_set():
                    stopped = True
                    break
                prepared = checker.check(batch) if checker is not None else PreparedBatch(raw=batch)
                if pending is not None:
                    pending.result()
                    pending = None
                    committed += 1
                    if on_batch is not None:
                        _report(engine, job_id, on_batch)
                    if max_batches is not None and committed >= max_batches:
                        return JobStatus.running
                if stop is not None and stop.is_set():
                    # Shutdown: the batch just read is not written; the next worker reads it again.
                    stopped = True
                    break
                pending = pool.submit(writer.write, prepared)
            if pending is not None:
                pending.result()
        if stopped:
            _release(engine, job_id, worker_id)
            return JobStatus.queued
        _finish(engine, job_id, worker_id, writer.progress)
    except LostJob:
        log.warning("import job taken over by another worker", extra={"import_id": job_id})
        return JobStatus.running
    except Exception as exc:
        log.exception("import job failed", extra={"import_id": job_id})
        with Session(engine) as session:
            session.execute(
                update(ImportJob)
                .where(col(ImportJob.id) == job_id, col(ImportJob.worker_id) == worker_id)
                .values(
                    status=JobStatus.failed,
                    error_message=f"{type(exc).__name__}: {exc}"[:2000],
                    finished_at=utcnow(),
                )
            )
            session.commit()
        return JobStatus.failed
    if on_batch is not None:
        _report(engine, job_id, on_batch)
    return JobStatus.done


def _claim_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Claim)).one()


def _compact_claim_index(engine: Engine) -> None:
    """Merge the claim index's segments (one per committed batch) into one."""
    with Session(engine) as session:
        try:
            claim_index.compact(session=session)
            session.commit()
        except OperationalError:
            # Only an optimisation: a busy database is no reason to stop the import.
            session.rollback()
            log.warning("claim index merge skipped: database busy")


def _release(engine: Engine, job_id: int, worker_id: str) -> None:
    with Session(engine) as session:
        release(session=session, queue=IMPORT_QUEUE, row_id=job_id, worker_id=worker_id)


def _report(engine: Engine, job_id: int, on_batch: Callable[[ImportJob], None]) -> None:
    with Session(engine) as session:
        on_batch(get(session=session, job_id=job_id))


def _job_actor(*, session: Session, job: ImportJob) -> Actor | None:
    return actor_of_key(session=session, key_id=job.key_id)


def _batches(raws: Iterator[RawRow], start_line: int, size: int) -> Iterator[list[RawRow]]:
    """Rows from `start_line` on (earlier ones were committed by an earlier run), `size` at a time."""
    batch: list[RawRow] = []
    for raw in raws:
        if raw.line < start_line:
            continue
        batch.append(raw)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _BatchWriter:
    """Stores prepared batches one after another, each with the job's counters in one transaction."""

    def __init__(
        self,
        engine: Engine,
        job_id: int,
        worker_id: str,
        kind: str,
        on_duplicate: str,
        progress: Progress,
        actor: Actor | None,
        settings: Settings,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.job_id = job_id
        self.worker_id = worker_id
        self.kind = kind
        self.on_duplicate = on_duplicate
        self.progress = progress
        self.actor = actor
        # Claim ids of the previous batch's new rows, by upload line: a repeat in this batch may point at one.
        self.previous_ids: dict[int, int] = {}
        self.compacting = kind == JobKind.claims and is_sqlite(engine)
        # Counted, not merged, at the start: a small import must not pay for merging a large index.
        self.indexed = _claim_count(engine) if self.compacting else 0
        self.created_at_compaction = progress.created

    def write(self, prepared: PreparedBatch) -> None:
        """Store the batch and advance the counters (retried if the database is busy), then merge the
        claim index when this import has grown it enough."""
        for attempt in range(3):
            try:
                self._commit(prepared)
                break
            except OperationalError:
                if attempt == 2:
                    raise
                log.warning("database busy; retrying import batch", extra={"import_id": self.job_id})
        added = self.progress.created - self.created_at_compaction
        if self.compacting and added >= COMPACT_SHARE * self.indexed:
            _compact_claim_index(self.engine)
            self.indexed += added  # other writers' claims are not counted: a slightly early merge
            self.created_at_compaction = self.progress.created

    def _commit(self, prepared: PreparedBatch) -> None:
        # Counted on a copy: the job's counters move only when the batch is committed.
        progress = replace(self.progress, errors=list(self.progress.errors))
        for line, message in prepared.failures:
            progress.fail(line, message)
        created_by_line: dict[int, int] = {}
        with Session(self.engine) as session:
            if self.kind == JobKind.claims:
                created_by_line = store_claims(
                    session,
                    self.job_id,
                    self.on_duplicate,
                    prepared,
                    progress,
                    self.actor,
                    self.previous_ids,
                )
            elif self.kind == JobKind.articles:
                store_articles(session, self.job_id, prepared.raw, progress, self.actor, self.settings)
            else:
                store_sources(session, prepared.raw, progress)
            progress.processed += len(prepared.raw)
            progress.next_line = prepared.raw[-1].line + 1
            values: dict[str, Any] = {
                "processed": progress.processed,
                "created": progress.created,
                "updated": progress.updated,
                "duplicates": progress.duplicates,
                "failed": progress.failed,
                "next_line": progress.next_line,
                "heartbeat_at": utcnow(),
            }
            if progress.errors_changed:
                values["errors"] = list(progress.errors)
            result = session.execute(
                update(ImportJob)
                .where(
                    col(ImportJob.id) == self.job_id,
                    col(ImportJob.worker_id) == self.worker_id,
                    col(ImportJob.status) == JobStatus.running,
                )
                .values(**values)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                raise LostJob(self.job_id)
            session.commit()
        progress.errors_changed = False
        self.progress = progress
        self.previous_ids = created_by_line


def _finish(engine: Engine, job_id: int, worker_id: str, progress: Progress) -> None:
    with Session(engine) as session:
        result = session.execute(
            update(ImportJob)
            .where(col(ImportJob.id) == job_id, col(ImportJob.worker_id) == worker_id)
            .values(
                status=JobStatus.done, total=progress.processed, finished_at=utcnow(), heartbeat_at=utcnow()
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            raise LostJob(job_id)
        # The upload has served its purpose; the counters and errors stay on the job.
        session.execute(delete(ImportChunk).where(col(ImportChunk.job_id) == job_id))
        session.commit()
