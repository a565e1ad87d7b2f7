"""Durable import jobs: the upload is stored in chunks so any worker can finish it after a crash."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, LargeBinary, Text
from sqlmodel import Field, SQLModel

from service.db import utcnow


class JobKind(StrEnum):
    """What an import job brings in."""

    claims = "claims"
    sources = "sources"
    articles = "articles"


class JobStatus(StrEnum):
    """Where an import job is; `receiving` (the upload still arriving) is shown as `queued`."""

    receiving = "receiving"
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class OnDuplicate(StrEnum):
    """What a claim import does with a row repeating a stored claim or an earlier row."""

    skip = "skip"
    keep = "keep"


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # JobKind
    format: str = Field(max_length=20)  # parse.FORMATS
    status: str = Field(default=JobStatus.queued, max_length=20, index=True)
    on_duplicate: str = Field(default="skip", max_length=10)
    idempotency_key: str | None = Field(default=None, max_length=200, unique=True)
    key_id: int | None = None
    total: int | None = None
    processed: int = 0
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    error_message: str | None = Field(default=None, sa_column=Column(Text))
    upload_bytes: int = 0
    # Resume point: rows before this 1-based line are committed with the counters above.
    next_line: int = 1
    worker_id: str | None = Field(default=None, max_length=100)
    heartbeat_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))
    started_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    finished_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class ImportChunk(SQLModel, table=True):
    __tablename__ = "import_chunk"

    job_id: int = Field(
        sa_column=Column(Integer, ForeignKey("import_job.id", ondelete="CASCADE"), primary_key=True)
    )
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
