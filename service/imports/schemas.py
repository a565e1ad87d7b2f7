"""What the API shows of import jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from service.db import as_utc
from service.imports.models import ImportJob, JobStatus


class RowErrorOut(BaseModel):
    """One bad row: its 1-based line in the upload and what was wrong with it."""

    line: int
    error: str


class ImportJobOut(BaseModel):
    id: int
    kind: str
    format: str
    status: Literal["queued", "running", "done", "failed"]
    on_duplicate: str
    total: int | None
    processed: int
    created: int
    updated: int
    duplicates: int
    failed: int
    errors: list[RowErrorOut]
    error_message: str | None
    upload_bytes: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    articles: dict[str, int] | None = Field(
        default=None,
        description="Article imports: how many of the job's articles are pending, extracting, done, failed.",
    )
    embeddings_pending: int | None = Field(
        default=None,
        description="claims of this job still waiting for their embedding (0 once every one is embedded; "
        "until then matching ranks them lexically); null when matching is lexical only, and in listings",
    )

    @classmethod
    def from_job(
        cls, job: ImportJob, *, with_errors: bool = True, embeddings_pending: int | None = None
    ) -> ImportJobOut:
        assert job.id is not None
        # A job whose upload is still arriving waits like a queued one.
        status = JobStatus.queued.value if job.status == JobStatus.receiving else job.status
        return cls(
            id=job.id,
            kind=job.kind,
            format=job.format,
            status=status,
            on_duplicate=job.on_duplicate,
            total=job.total,
            processed=job.processed,
            created=job.created,
            updated=job.updated,
            duplicates=job.duplicates,
            failed=job.failed,
            errors=[RowErrorOut(**error) for error in job.errors] if with_errors else [],
            error_message=job.error_message,
            upload_bytes=job.upload_bytes,
            created_at=as_utc(job.created_at),
            started_at=as_utc(job.started_at) if job.started_at else None,
            finished_at=as_utc(job.finished_at) if job.finished_at else None,
            embeddings_pending=embeddings_pending,
        )
