"""The one upload path of bulk imports, used by the API, the desk and the CLI.

`format_for` decides how an upload is read (the same rules everywhere: an explicit format, else the
file name, else the Content-Type); `receive_upload` turns any byte iterator into a queued job, storing
it chunk by chunk so that it never sits whole in memory, and forgets the job if the upload fails.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from service.auth.service import Actor
from service.exceptions import InvalidInput
from service.imports import jobs
from service.imports.models import ImportJob, JobKind, OnDuplicate
from service.imports.parse import FORMATS

SUFFIX_FORMATS = {".ndjson": "ndjson", ".jsonl": "ndjson", ".csv": "csv", ".json": "claimreview"}
FORMAT_ALIASES = {"json": "claimreview", "jsonl": "ndjson", "claim_review": "claimreview"}
MEDIA_FORMATS = {
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "application/jsonlines": "ndjson",
    "text/csv": "csv",
    "application/csv": "csv",
    "application/json": "claimreview",
    "application/ld+json": "claimreview",
}
MAX_IDEMPOTENCY_KEY_CHARS = 150


def format_for(
    filename: str | None, content_type: str | None, kind: JobKind, *, explicit: str | None = None
) -> str:
    """ndjson, csv or claimreview; InvalidInput (naming the field) when it cannot be told or does not fit.

    >>> format_for("checks.json", None, JobKind.claims)
    'claimreview'
    """
    if explicit:
        wanted = FORMAT_ALIASES.get(explicit.strip().lower(), explicit.strip().lower())
        if wanted not in FORMATS:
            raise InvalidInput(f"format: must be one of {', '.join(FORMATS)}", details={"field": "format"})
    else:
        suffix = "." + filename.rsplit(".", 1)[-1].lower() if filename and "." in filename else ""
        media = (content_type or "").split(";")[0].strip().lower()
        found = SUFFIX_FORMATS.get(suffix) or MEDIA_FORMATS.get(media)
        if found is None:
            raise InvalidInput(
                "Content-Type: send application/x-ndjson, text/csv or application/json (ClaimReview), "
                "a .ndjson, .csv or .json file, or say ?format=ndjson|csv|claimreview",
                details={"field": "format"},
            )
        wanted = found
    if wanted == "claimreview" and kind != JobKind.claims:
        raise InvalidInput(f"format: {kind} are imported from NDJSON or CSV", details={"field": "format"})
    return wanted


def receive_upload(
    *,
    session: Session,
    kind: JobKind,
    fmt: str,
    chunks: Iterable[bytes],
    actor: Actor | None,
    on_duplicate: OnDuplicate = OnDuplicate.skip,
    idempotency_key: str | None = None,
) -> tuple[ImportJob, bool]:
    """Store an upload as a queued job; (job, False) for a retry with a known Idempotency-Key, whose
    body is then not read. InvalidInput for an empty upload; a failed upload leaves no job behind."""
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_CHARS:
        message = f"Idempotency-Key: 1 to {MAX_IDEMPOTENCY_KEY_CHARS} characters"
        raise InvalidInput(message, details={"header": "Idempotency-Key"})
    job, is_new = jobs.create(
        session=session,
        kind=kind,
        fmt=fmt,
        on_duplicate=on_duplicate if kind == JobKind.claims else OnDuplicate.keep,
        idempotency_key=idempotency_key,
        actor=actor,
    )
    if not is_new:
        return job, False
    assert job.id is not None
    job_id = job.id
    try:
        stored = jobs.store_upload(session=session, job_id=job_id, chunks=chunks)
    except BaseException:
        jobs.discard_upload(session=session, job_id=job_id)
        raise
    if stored.upload_bytes == 0:
        jobs.discard_upload(session=session, job_id=job_id)
        raise InvalidInput("The upload is empty.", details={"field": "body"})
    return stored, True
