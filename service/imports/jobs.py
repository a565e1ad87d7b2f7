"""Durable import jobs: store the upload in chunks, then process it in batches any worker can resume.

Each batch commits its rows together with the job's counters and its `next_line` resume point in one
transaction, so a worker killed mid-import loses nothing: the next worker starts at `next_line`, and no
row is stored twice. Claim batches go through two stages: a batch is validated and checked for
duplicates (one read snapshot) while the writer thread stores the batch before it; rows repeating that
batch are found in memory (`dedupe.RecentRows`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta
from itertools import chain
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, Table, and_, delete, func, insert, or_, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from service.auth.models import ApiKey
from service.auth.service import Actor
from service.claims.models import Claim, ClaimEvent, ClaimTag
from service.claims.text import normalize_claim_text, normalized_text_hash
from service.db import utcnow
from service.errors import NotFound
from service.imports import dedupe
from service.imports import index as claim_index
from service.imports.models import ImportChunk, ImportJob
from service.imports.parse import ClaimRow, RawRow, RowError, claim_row, rows
from service.linking.schemas import SourceIn
from service.review.scale import RatingScale
from service.settings import Settings

log = logging.getLogger("claimcheck.imports")

CHUNK_BYTES = 1024 * 1024
MAX_REPORTED_ERRORS = 1000
STALE_AFTER_SECONDS = 60.0
ABANDONED_UPLOAD_SECONDS = 600.0
CLAIM_BATCH_ROWS = 5000
SOURCE_BATCH_ROWS = 200
# Each committed batch adds segments to the SQLite claim index, and every duplicate lookup searches each
# segment: the index is merged whenever an import has added this share of its size since the last
# merge (a merge costs time in proportion to the index, so the cost per row stays flat).
COMPACT_SHARE = 0.02
# Core tables, not ORM classes, for the batch inserts: the ORM's bulk path costs more than the INSERT.
CLAIM_TABLE: Table = Claim.__table__  # type: ignore[attr-defined]
EVENT_TABLE: Table = ClaimEvent.__table__  # type: ignore[attr-defined]
TAG_TABLE: Table = ClaimTag.__table__  # type: ignore[attr-defined]
# Bound values per statement, under the limit of SQLite builds before 3.32.
SQLITE_MAX_PARAMETERS = 999
RECEIVING = "receiving"  # the upload is still arriving; shown as "queued", never claimed by a worker


class LostJob(RuntimeError):
    """Another worker took the job over (this one was thought dead); stop without committing."""


def get(*, session: Session, job_id: int) -> ImportJob:
    """The import job with this id, or NotFound."""
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(f"No import job with id {job_id}.", details={"import_id": job_id})
    return job


def get_all(*, session: Session, after_id: int | None, limit: int) -> list[ImportJob]:
    """Import jobs newest first, after the given id (keyset pagination)."""
    query = select(ImportJob).order_by(col(ImportJob.id).desc()).limit(limit)
    if after_id is not None:
        query = query.where(col(ImportJob.id) < after_id)
    return list(session.exec(query))


def create(
    *,
    session: Session,
    kind: str,
    fmt: str,
    on_duplicate: str,
    idempotency_key: str | None,
    actor: Actor | None,
) -> tuple[ImportJob, bool]:
    """A new job waiting for its upload, or (job, False) for an Idempotency-Key seen before."""
    scoped_key = f"{actor.key_id if actor else 0}:{idempotency_key}" if idempotency_key else None
    if scoped_key is not None:
        existing = session.exec(select(ImportJob).where(ImportJob.idempotency_key == scoped_key)).first()
        if existing is not None:
            if not _abandoned_upload(existing):
                return existing, False
            # The first attempt died while uploading: its partial upload is worthless, start again.
            session.delete(existing)
            session.commit()
    job = ImportJob(
        kind=kind,
        format=fmt,
        status=RECEIVING,
        on_duplicate=on_duplicate,
        idempotency_key=scoped_key,
        key_id=actor.key_id if actor else None,
        heartbeat_at=utcnow(),
    )
    session.add(job)
    try:
        session.commit()
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its job.
        session.rollback()
        existing = session.exec(select(ImportJob).where(ImportJob.idempotency_key == scoped_key)).one()
        return existing, False
    session.refresh(job)
    return job, True


def _abandoned_upload(job: ImportJob) -> bool:
    if job.status != RECEIVING or job.heartbeat_at is None:
        return False
    from service.db import as_utc

    return as_utc(job.heartbeat_at) < utcnow() - timedelta(seconds=ABANDONED_UPLOAD_SECONDS)


def append_chunk(*, session: Session, job_id: int, seq: int, data: bytes) -> None:
    """Store one piece of an upload (committed at once so the upload never sits in memory)."""
    session.add(ImportChunk(job_id=job_id, seq=seq, data=data))
    session.execute(update(ImportJob).where(col(ImportJob.id) == job_id).values(heartbeat_at=utcnow()))
    session.commit()


def close_upload(*, session: Session, job_id: int, upload_bytes: int) -> ImportJob:
    """The whole upload is stored: hand the job to the workers."""
    session.execute(
        update(ImportJob)
        .where(col(ImportJob.id) == job_id)
        .values(status="queued", upload_bytes=upload_bytes, heartbeat_at=None)
    )
    session.commit()
    return get(session=session, job_id=job_id)


def discard_upload(*, session: Session, job_id: int) -> None:
    """Forget a job whose upload failed (too large, client went away)."""
    session.rollback()
    session.execute(delete(ImportChunk).where(col(ImportChunk.job_id) == job_id))
    session.execute(delete(ImportJob).where(col(ImportJob.id) == job_id))
    session.commit()


def store_upload(
    *, session: Session, job_id: int, chunks: Iterator[bytes] | list[bytes], chunk_bytes: int = CHUNK_BYTES
) -> ImportJob:
    """Store an upload read from any byte iterator (the CLI's file), then queue the job."""
    buffer = bytearray()
    seq = 0
    total = 0
    for piece in chunks:
        buffer += piece
        total += len(piece)
        while len(buffer) >= chunk_bytes:
            append_chunk(session=session, job_id=job_id, seq=seq, data=bytes(buffer[:chunk_bytes]))
            del buffer[:chunk_bytes]
            seq += 1
    if buffer:
        append_chunk(session=session, job_id=job_id, seq=seq, data=bytes(buffer))
    return close_upload(session=session, job_id=job_id, upload_bytes=total)


def claim_next(
    *,
    session: Session,
    worker_id: str,
    stale_seconds: float = STALE_AFTER_SECONDS,
    job_id: int | None = None,
) -> int | None:
    """Take the oldest queued job (or this one), or a running one whose worker stopped sending heartbeats."""
    now = utcnow()
    _fail_abandoned_uploads(session=session, now=now)
    orphaned = dead_local_workers(session=session)
    claimable = or_(
        col(ImportJob.status) == "queued",
        and_(
            col(ImportJob.status) == "running",
            col(ImportJob.heartbeat_at) < now - timedelta(seconds=stale_seconds),
        ),
        and_(col(ImportJob.status) == "running", col(ImportJob.worker_id).in_(orphaned)),
    )
    query = select(ImportJob.id).where(claimable).order_by(col(ImportJob.id)).limit(1)
    if job_id is not None:
        query = query.where(col(ImportJob.id) == job_id)
    if session.get_bind().dialect.name == "postgresql":
        # Several `claimcheck worker` processes: each skips rows another is taking right now.
        query = query.with_for_update(skip_locked=True)
    found = session.exec(query).first()
    if found is None:
        session.rollback()
        return None
    job_id = found
    # The condition is repeated so that, on SQLite where there is no row lock, only one worker wins.
    result = session.execute(
        update(ImportJob)
        .where(col(ImportJob.id) == job_id, claimable)
        .values(status="running", worker_id=worker_id, heartbeat_at=now)
    )
    session.execute(
        update(ImportJob)
        .where(col(ImportJob.id) == job_id, col(ImportJob.started_at).is_(None))
        .values(started_at=now)
    )
    session.commit()
    return job_id if result.rowcount == 1 else None  # type: ignore[attr-defined]


def dead_local_workers(*, session: Session) -> list[str]:
    """Worker ids of running jobs held by a process of this host that no longer exists.

    A restarted server takes its own interrupted import over at once instead of waiting for the
    heartbeat to go stale; jobs of other hosts keep the heartbeat rule, as their pids mean nothing here.
    """
    host = socket.gethostname()[:40]  # as in worker.new_worker_id: host:pid:random
    held = session.exec(
        select(ImportJob.worker_id).where(
            col(ImportJob.status) == "running", col(ImportJob.worker_id).startswith(f"{host}:")
        )
    )
    return [worker_id for worker_id in held if worker_id is not None and not _process_alive(worker_id)]


def _process_alive(worker_id: str) -> bool:
    parts = worker_id.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return True  # not an id this code wrote: leave it to the heartbeat rule
    pid = int(parts[1])
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, under another user
    return True


def _fail_abandoned_uploads(*, session: Session, now: Any) -> None:
    abandoned = select(ImportJob.id).where(
        col(ImportJob.status) == RECEIVING,
        col(ImportJob.heartbeat_at) < now - timedelta(seconds=ABANDONED_UPLOAD_SECONDS),
    )
    for job_id in list(session.exec(abandoned)):
        session.execute(delete(ImportChunk).where(col(ImportChunk.job_id) == job_id))
        session.execute(
            update(ImportJob)
            .where(col(ImportJob.id) == job_id)
            .values(status="failed", error_message="the upload did not finish", finished_at=now)
        )
    session.commit()


def _stored_chunks(engine: Engine, job_id: int) -> Iterator[bytes]:
    """The upload, one stored chunk at a time (each read in its own short session)."""
    seq = 0
    while True:
        with Session(engine) as session:
            data = session.exec(
                select(ImportChunk.data).where(ImportChunk.job_id == job_id, ImportChunk.seq == seq)
            ).first()
        if data is None:
            return
        yield bytes(data)
        seq += 1


@dataclass
class _Progress:
    """The job's counters as this worker advances them; written with every batch."""

    processed: int
    created: int
    updated: int
    duplicates: int
    failed: int
    errors: list[dict[str, Any]]
    next_line: int
    errors_changed: bool = False

    def fail(self, line: int, message: str) -> None:
        self.failed += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"line": line, "error": message})
            self.errors_changed = True


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
        progress = _Progress(
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
    batch_rows = CLAIM_BATCH_ROWS if kind == "claims" else SOURCE_BATCH_ROWS
    writer = _BatchWriter(engine, job_id, worker_id, kind, on_duplicate, progress, actor)
    checker = _DuplicateChecker(engine, settings, on_duplicate) if kind == "claims" else None
    committed = 0
    # Two stages: this thread reads, validates and checks a batch for duplicates while the writer
    # thread stores the batch before it (SQLite and PostgreSQL drivers release the GIL while they work).
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"import-{job_id}") as pool:
            pending: Future[None] | None = None
            for batch in _batches(rows(_stored_chunks(engine, job_id), fmt), progress.next_line, batch_rows):
                prepared = checker.check(batch) if checker is not None else _Prepared(raw=batch)
                if pending is not None:
                    pending.result()
                    committed += 1
                    if on_batch is not None:
                        _report(engine, job_id, on_batch)
                    if max_batches is not None and committed >= max_batches:
                        return "running"
                    if stop is not None and stop.is_set():
                        _release(engine, job_id, worker_id)
                        return "queued"
                pending = pool.submit(writer.write, prepared)
            if pending is not None:
                pending.result()
        _finish(engine, job_id, worker_id, writer.progress)
    except LostJob:
        log.warning("import job taken over by another worker", extra={"import_id": job_id})
        return "running"
    except Exception as exc:
        log.exception("import job failed", extra={"import_id": job_id})
        with Session(engine) as session:
            session.execute(
                update(ImportJob)
                .where(col(ImportJob.id) == job_id, col(ImportJob.worker_id) == worker_id)
                .values(
                    status="failed", error_message=f"{type(exc).__name__}: {exc}"[:2000], finished_at=utcnow()
                )
            )
            session.commit()
        return "failed"
    if on_batch is not None:
        _report(engine, job_id, on_batch)
    return "done"


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
        session.execute(
            update(ImportJob)
            .where(col(ImportJob.id) == job_id, col(ImportJob.worker_id) == worker_id)
            .values(status="queued", worker_id=None)
        )
        session.commit()


def _report(engine: Engine, job_id: int, on_batch: Callable[[ImportJob], None]) -> None:
    with Session(engine) as session:
        on_batch(get(session=session, job_id=job_id))


def _job_actor(*, session: Session, job: ImportJob) -> Actor | None:
    if job.key_id is None:
        return None
    api_key = session.get(ApiKey, job.key_id)
    if api_key is None:
        return None
    from service.auth.models import Role

    return Actor(key_id=job.key_id, name=api_key.name, role=Role(api_key.role))


@dataclass
class _Prepared:
    """A batch ready to write: raw rows (sources), or claim rows checked for duplicates."""

    raw: list[RawRow]
    claims: list[ClaimRow] = field(default_factory=list)
    normalized: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    duplicates: dedupe.BatchDuplicates | None = None
    failures: list[tuple[int, str]] = field(default_factory=list)


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


class _DuplicateChecker:
    """Validates claim rows and finds their duplicates, one batch after another, in its own sessions."""

    def __init__(self, engine: Engine, settings: Settings, on_duplicate: str) -> None:
        self.engine = engine
        self.keep_duplicates = on_duplicate == "keep"
        self.threshold = settings.duplicate_threshold
        scale = RatingScale.from_settings(settings)
        self.verdicts = scale.verdicts
        self.scale = list(scale.ordinal)
        self.frequencies: dict[str, int] = {}
        self.previous = dedupe.RecentRows()

    def check(self, batch: list[RawRow]) -> _Prepared:
        prepared = _Prepared(raw=batch)
        for raw in batch:
            if raw.error is not None or raw.fields is None:
                prepared.failures.append((raw.line, raw.error or "empty row"))
                continue
            try:
                prepared.claims.append(claim_row(raw, verdicts=self.verdicts, rating_scale=self.scale))
            except RowError as exc:
                prepared.failures.append((raw.line, str(exc)))
        prepared.normalized = [normalize_claim_text(row.text) for row in prepared.claims]
        prepared.hashes = [normalized_text_hash(text) for text in prepared.normalized]
        with Session(self.engine) as session:
            if self.engine.dialect.name == "sqlite":
                # One snapshot for the whole check: taken while the index is freshly merged, not after
                # the writer's next commit has added unmerged segments that every lookup would search.
                session.connection().exec_driver_sql("BEGIN")
            prepared.duplicates, self.previous = dedupe.find_duplicates(
                session=session,
                texts_normalized=prepared.normalized,
                hashes=prepared.hashes,
                lines=[row.line for row in prepared.claims],
                threshold=self.threshold,
                frequency_cache=self.frequencies,
                previous=self.previous,
                keep_duplicates=self.keep_duplicates,
            )
        return prepared


class _BatchWriter:
    """Stores prepared batches one after another, each with the job's counters in one transaction."""

    def __init__(
        self,
        engine: Engine,
        job_id: int,
        worker_id: str,
        kind: str,
        on_duplicate: str,
        progress: _Progress,
        actor: Actor | None,
    ) -> None:
        self.engine = engine
        self.job_id = job_id
        self.worker_id = worker_id
        self.kind = kind
        self.on_duplicate = on_duplicate
        self.progress = progress
        self.actor = actor
        # Claim ids of the previous batch's new rows, by upload line: a repeat in this batch may point at one.
        self.previous_ids: dict[int, int] = {}
        self.compacting = kind == "claims" and engine.dialect.name == "sqlite"
        # Counted, not merged, at the start: a small import must not pay for merging a large index.
        self.indexed = _claim_count(engine) if self.compacting else 0
        self.created_at_compaction = progress.created

    def write(self, prepared: _Prepared) -> None:
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

    def _commit(self, prepared: _Prepared) -> None:
        # Counted on a copy: the job's counters move only when the batch is committed.
        progress = replace(self.progress, errors=list(self.progress.errors))
        for line, message in prepared.failures:
            progress.fail(line, message)
        created_by_line: dict[int, int] = {}
        with Session(self.engine) as session:
            if self.kind == "claims":
                created_by_line = _store_claims(
                    session,
                    self.job_id,
                    self.on_duplicate,
                    prepared,
                    progress,
                    self.actor,
                    self.previous_ids,
                )
            else:
                _store_sources(session, prepared.raw, progress)
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
                    col(ImportJob.status) == "running",
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


def _finish(engine: Engine, job_id: int, worker_id: str, progress: _Progress) -> None:
    with Session(engine) as session:
        result = session.execute(
            update(ImportJob)
            .where(col(ImportJob.id) == job_id, col(ImportJob.worker_id) == worker_id)
            .values(status="done", total=progress.processed, finished_at=utcnow(), heartbeat_at=utcnow())
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            raise LostJob(job_id)
        # The upload has served its purpose; the counters and errors stay on the job.
        session.execute(delete(ImportChunk).where(col(ImportChunk.job_id) == job_id))
        session.commit()


def _store_claims(
    session: Session,
    job_id: int,
    on_duplicate: str,
    prepared: _Prepared,
    progress: _Progress,
    actor: Actor | None,
    previous_ids: dict[int, int],
) -> dict[int, int]:
    """Insert the batch's claims with their history and tags; the new claims' ids by upload line.

    `previous_ids` holds the ids of the previous batch's new rows, which this batch's repeats may point at.
    """
    valid, normalized, hashes = prepared.claims, prepared.normalized, prepared.hashes
    if not valid or prepared.duplicates is None:
        return {}
    duplicate_of, repeats = prepared.duplicates.stored, prepared.duplicates.earlier

    now = utcnow()
    to_create: list[int] = []
    for index in range(len(valid)):
        is_duplicate = duplicate_of[index] is not None or index in repeats
        if is_duplicate:
            progress.duplicates += 1
        if not (is_duplicate and on_duplicate == "skip"):
            to_create.append(index)

    created_by_line: dict[int, int] = {}

    def created_id(line: int) -> int | None:
        return created_by_line.get(line, previous_ids.get(line))

    connection = session.connection()
    constants = _claim_constants(job_id, actor, now)
    # Created in two passes so a kept repeat of a row of this batch can point at that row's id.
    batch_lines = {row.line for row in valid}
    repeats_here = {index for index, line in repeats.items() if line in batch_lines}
    for pass_indices in (
        [index for index in to_create if index not in repeats_here],
        [index for index in to_create if index in repeats_here],
    ):
        if not pass_indices:
            continue
        values = []
        for index in pass_indices:
            target = duplicate_of[index] if index not in repeats else created_id(repeats[index])
            values.append(_claim_values(valid[index], normalized[index], hashes[index], target, now))
        claim_ids = _insert_claims(connection, constants, values, job_id)
        created_by_line.update(
            (valid[index].line, claim_id) for index, claim_id in zip(pass_indices, claim_ids, strict=True)
        )
    progress.created += len(created_by_line)

    event_constants = {
        "field": None,
        "before": None,
        "key_id": actor.key_id if actor else None,
        "actor": actor.name if actor else "system",
        "at": now,
    }
    events: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    for row in valid:
        claim_id = created_by_line.get(row.line)
        if claim_id is None:
            continue
        events.append(
            {
                "claim_id": claim_id,
                "version": 1,
                "action": "imported",
                "after": {
                    "import_id": job_id,
                    "line": row.line,
                    "status": _status(row),
                    "verdict": row.verdict,
                },
            }
        )
        tags.extend({"claim_id": claim_id, "tag": tag} for tag in row.tags)
    if on_duplicate == "skip":
        # The skipped row stays findable from the claim it repeats: an entry in that claim's history.
        targets = {target for target in duplicate_of if target is not None}
        versions = (
            dict(session.exec(select(Claim.id, Claim.version).where(col(Claim.id).in_(targets))).all())
            if targets
            else {}
        )
        for index in range(len(valid)):
            target = duplicate_of[index]
            if target is None and index in repeats:
                target = created_id(repeats[index])
            if target is None:
                continue
            events.append(
                {
                    "claim_id": target,
                    "version": versions.get(target, 1),
                    "action": "duplicate_skipped",
                    "after": {
                        "import_id": job_id,
                        "line": valid[index].line,
                        "external_id": valid[index].external_id,
                    },
                }
            )
    if events:
        _insert_rows(connection, EVENT_TABLE, event_constants, events)
    if tags:
        _insert_rows(connection, TAG_TABLE, {}, tags)
    return created_by_line


def _insert_claims(
    connection: Connection, constants: dict[str, Any], values: list[dict[str, Any]], job_id: int
) -> list[int]:
    """Insert claims in one executemany; their ids, in the order of `values`."""
    if connection.dialect.name != "sqlite":
        inserted = connection.execute(
            insert(CLAIM_TABLE).returning(CLAIM_TABLE.c.id, sort_by_parameter_order=True),
            [constants | row for row in values],
        ).all()
        return [claim_id for (claim_id,) in inserted]
    # SQLite cannot return ids in parameter order from one statement, so SQLAlchemy would insert row by
    # row. This transaction holds the database's only write lock from the first INSERT on, and SQLite
    # gives each new row max(id) + 1: the batch's ids are the last len(values) ids, in order.
    _insert_rows(connection, CLAIM_TABLE, constants, values)
    last = connection.execute(select(func.max(CLAIM_TABLE.c.id))).scalar_one()
    first = last - len(values) + 1
    ours = connection.execute(
        select(func.count())
        .select_from(CLAIM_TABLE)
        .where(CLAIM_TABLE.c.id.between(first, last), CLAIM_TABLE.c.import_job_id == job_id)
    ).scalar_one()
    if ours != len(values):
        raise RuntimeError(f"claim ids of import batch are not contiguous ({ours} of {len(values)})")
    return list(range(first, last + 1))


def _insert_rows(
    connection: Connection, table: Table, constants: dict[str, Any], rows: list[dict[str, Any]]
) -> None:
    """INSERT rows sharing `constants` in one executemany.

    On SQLite straight through the driver, each value converted by its column type as SQLAlchemy would
    (the constants once): SQLAlchemy's per-row parameter handling costs more than SQLite's own work, and
    it holds the interpreter lock that the duplicate check of the next batch needs meanwhile.
    """
    if connection.dialect.name != "sqlite":
        connection.execute(insert(table), [constants | row for row in rows])
        return
    dialect = connection.dialect

    def processor(name: str) -> Callable[[Any], Any] | None:
        column_type = table.c[name].type
        return column_type.dialect_impl(dialect).bind_processor(dialect)

    shared = tuple(
        (convert(value) if (convert := processor(name)) else value) for name, value in constants.items()
    )
    names = list(rows[0])
    converters = [(position, convert) for position, name in enumerate(names) if (convert := processor(name))]
    parameters: list[tuple[Any, ...]] = []
    for row in rows:
        values = [row[name] for name in names]
        for position, convert in converters:
            values[position] = convert(values[position])
        parameters.append(shared + tuple(values))
    columns = ", ".join(f'"{name}"' for name in (*constants, *names))
    row_placeholders = "(" + ", ".join("?" for _ in range(len(constants) + len(names))) + ")"
    driver = connection.connection.driver_connection
    assert driver is not None
    # Many rows per statement: the driver takes the interpreter lock back after every statement, and
    # with the duplicate check of the next batch running beside this, each take is a wait.
    per_statement = max(1, SQLITE_MAX_PARAMETERS // (len(constants) + len(names)))
    for start in range(0, len(parameters), per_statement):
        part = parameters[start : start + per_statement]
        statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ' + ", ".join(
            [row_placeholders] * len(part)
        )
        driver.execute(statement, tuple(chain.from_iterable(part)))


def _status(row: ClaimRow) -> str:
    return "reviewed" if row.verdict else "new"


def _claim_constants(job_id: int, actor: Actor | None, now: Any) -> dict[str, Any]:
    """The columns every imported claim of a batch shares."""
    return {
        "checkworthy": True,
        "score": 0.0,
        "kind": "other",
        "items": [],
        "entities": [],
        "quantities": [],
        "priority": 0,
        "version": 1,
        "import_job_id": job_id,
        "created_at": now,
        "updated_at": now,
        "created_by_key_id": actor.key_id if actor else None,
    }


def _claim_values(
    row: ClaimRow, text_normalized: str, text_hash: str, duplicate_of: int | None, now: Any
) -> dict[str, Any]:
    return {
        "text": row.text,
        "text_normalized": text_normalized,
        "text_hash": text_hash,
        "status": _status(row),
        "verdict": row.verdict,
        # The review headline of an imported check; it also feeds the search index.
        "summary": row.title,
        "external_id": row.external_id,
        "source_url": row.source_url,
        "speaker": row.speaker,
        "claimed_at": row.claimed_at,
        "review_url": row.review_url,
        "publisher": row.publisher,
        "language": row.language,
        "duplicate_of": duplicate_of,
        "reviewed_at": (row.reviewed_at or now) if row.verdict else None,
    }


def _store_sources(session: Session, batch: list[RawRow], progress: _Progress) -> None:
    from service.linking.service import upsert_sources

    valid: list[tuple[int, SourceIn]] = []
    for raw in batch:
        if raw.error is not None or raw.fields is None:
            progress.fail(raw.line, raw.error or "empty row")
            continue
        try:
            valid.append((raw.line, SourceIn.model_validate(raw.fields)))
        except ValidationError as exc:
            progress.fail(raw.line, _validation_message(exc))
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
    session: Session, valid: list[tuple[int, SourceIn]], progress: _Progress
) -> None:
    from service.linking.service import upsert_source

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


def _validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "row"
    return f"{where}: {first.get('msg', 'invalid')}"
