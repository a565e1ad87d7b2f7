"""Durable import jobs: the upload is stored in chunks so any worker can finish it after a crash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, LargeBinary, Text
from sqlmodel import Field, SQLModel

from service.db import utcnow


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # claims | sources
    format: str = Field(max_length=20)  # ndjson | csv | claimreview
    status: str = Field(default="queued", max_length=20, index=True)
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


class ClaimEmbedding(SQLModel, table=True):
    """A claim's sentence embedding, computed after import by a background step."""

    __tablename__ = "claim_embedding"

    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True)
    )
    model: str = Field(max_length=100)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
