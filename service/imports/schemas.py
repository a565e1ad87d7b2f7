"""What the API shows of import jobs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from service.imports.models import JobStatus
from service.schemas import ResponseModel, UtcDateTime


class RowErrorOut(ResponseModel):
    """One bad row: its 1-based line in the upload and what was wrong with it."""

    line: int
    error: str


class ImportJobOut(ResponseModel):
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
    created_at: UtcDateTime
    started_at: UtcDateTime | None
    finished_at: UtcDateTime | None
    articles: dict[str, int] | None = Field(
        default=None,
        description="Article imports: how many of the job's articles are pending, extracting, done, failed.",
    )
    embeddings_pending: int | None = Field(
        default=None,
        description="claims of this job still waiting for their embedding (0 once every one is embedded; "
        "until then matching ranks them lexically); null when matching is lexical only, and in listings",
    )

    @field_validator("status", mode="before")
    @classmethod
    def _receiving_is_queued(cls, status: str) -> str:
        # A job whose upload is still arriving waits like a queued one.
        return JobStatus.queued.value if status == JobStatus.receiving else status
