"""Import job records and their uploads: create a job, store the upload in chunks, read it back.

The upload is stored in the database (`import_chunk`), committed a chunk at a time, so it never sits
whole in memory and any worker of any process can read it after a crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from service.auth.service import Actor
from service.db import as_utc, utcnow
from service.exceptions import NotFound
from service.imports.models import ImportChunk, ImportJob, JobStatus

CHUNK_BYTES = 1024 * 1024
# An upload that has sent nothing for this long is taken for dead: its job fails and its chunks go.
ABANDONED_UPLOAD_SECONDS = 600.0


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
        status=JobStatus.receiving,
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
    if job.status != JobStatus.receiving or job.heartbeat_at is None:
        return False
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
        .values(status=JobStatus.queued, upload_bytes=upload_bytes, heartbeat_at=None)
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
    *, session: Session, job_id: int, chunks: Iterable[bytes], chunk_bytes: int = CHUNK_BYTES
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


def fail_abandoned_uploads(*, session: Session, now: datetime) -> None:
    """Fail the jobs whose upload stopped arriving, and drop their chunks."""
    abandoned = select(ImportJob.id).where(
        col(ImportJob.status) == JobStatus.receiving,
        col(ImportJob.heartbeat_at) < now - timedelta(seconds=ABANDONED_UPLOAD_SECONDS),
    )
    for job_id in list(session.exec(abandoned)):
        session.execute(delete(ImportChunk).where(col(ImportChunk.job_id) == job_id))
        session.execute(
            update(ImportJob)
            .where(col(ImportJob.id) == job_id)
            .values(status=JobStatus.failed, error_message="the upload did not finish", finished_at=now)
        )
    session.commit()


def stored_chunks(engine: Engine, job_id: int) -> Iterator[bytes]:
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
