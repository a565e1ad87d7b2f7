"""HTTP for bulk imports (claims, sources)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from service.api.deps import ImportKey, SessionDep
from service.api.pagination import Page
from service.auth.service import Actor
from service.cursors import cursor_id, next_id_cursor
from service.db import get_engine
from service.errors import InvalidInput
from service.imports import jobs
from service.imports.parse import detect_format
from service.imports.schemas import ImportJobOut
from service.spreadsheet import safe_cell

router = APIRouter(tags=["imports"])


async def _receive_upload(
    request: Request,
    *,
    kind: str,
    fmt: str | None,
    on_duplicate: str,
    idempotency_key: str | None,
    actor: Actor,
) -> JSONResponse:
    """Stream the request body into stored chunks (never whole in memory), then queue the job."""
    try:
        upload_format = detect_format(request.headers.get("content-type"), fmt)
    except ValueError as exc:
        raise InvalidInput(str(exc), details={"field": "format"}) from exc
    if upload_format == "claimreview" and kind == "sources":
        raise InvalidInput("format: sources are imported from NDJSON or CSV", details={"field": "format"})
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 150:
        raise InvalidInput("Idempotency-Key: 1 to 150 characters", details={"header": "Idempotency-Key"})

    def open_job() -> tuple[ImportJobOut, bool]:
        with Session(get_engine()) as session:
            job, is_new = jobs.create(
                session=session,
                kind=kind,
                fmt=upload_format,
                on_duplicate=on_duplicate,
                idempotency_key=idempotency_key,
                actor=actor,
            )
            return ImportJobOut.from_job(job), is_new

    job_out, is_new = await run_in_threadpool(open_job)
    if not is_new:
        # A retry: the original job answers, and this body is not read.
        return JSONResponse(job_out.model_dump(mode="json"), status_code=202)

    def store(seq: int, data: bytes) -> None:
        with Session(get_engine()) as session:
            jobs.append_chunk(session=session, job_id=job_out.id, seq=seq, data=data)

    def close(upload_bytes: int) -> ImportJobOut:
        with Session(get_engine()) as session:
            return ImportJobOut.from_job(
                jobs.close_upload(session=session, job_id=job_out.id, upload_bytes=upload_bytes)
            )

    def discard() -> None:
        with Session(get_engine()) as session:
            jobs.discard_upload(session=session, job_id=job_out.id)

    buffer = bytearray()
    seq = 0
    upload_bytes = 0
    try:
        async for piece in request.stream():
            buffer += piece
            upload_bytes += len(piece)
            while len(buffer) >= jobs.CHUNK_BYTES:
                await run_in_threadpool(store, seq, bytes(buffer[: jobs.CHUNK_BYTES]))
                del buffer[: jobs.CHUNK_BYTES]
                seq += 1
        if buffer:
            await run_in_threadpool(store, seq, bytes(buffer))
        if upload_bytes == 0:
            raise InvalidInput("The upload is empty.", details={"field": "body"})
        queued = await run_in_threadpool(close, upload_bytes)
    except BaseException:
        await run_in_threadpool(discard)
        raise
    return JSONResponse(
        queued.model_dump(mode="json"), status_code=202, headers={"Location": f"/v1/imports/{queued.id}"}
    )


@router.post("/v1/imports/claims", status_code=202, response_model=ImportJobOut)
async def import_claims(
    request: Request,
    key: ImportKey,
    on_duplicate: Literal["skip", "keep"] = "skip",
    format: Annotated[str | None, Query(description="ndjson, csv or claimreview")] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Queue a bulk import of checked claims (NDJSON, CSV or a JSON array of ClaimReview)."""
    return await _receive_upload(
        request,
        kind="claims",
        fmt=format,
        on_duplicate=on_duplicate,
        idempotency_key=idempotency_key,
        actor=key,
    )


@router.post("/v1/imports/sources", status_code=202, response_model=ImportJobOut)
async def import_sources(
    request: Request,
    key: ImportKey,
    format: Annotated[str | None, Query(description="ndjson or csv")] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Queue a bulk import of reference sources (NDJSON or CSV); the same url again updates it."""
    return await _receive_upload(
        request, kind="sources", fmt=format, on_duplicate="keep", idempotency_key=idempotency_key, actor=key
    )


@router.get("/v1/imports")
def list_imports(
    session: SessionDep,
    _key: ImportKey,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ImportJobOut]:
    """Import jobs, newest first, a page at a time (errors left out: GET the job for them)."""
    found = jobs.get_all(session=session, after_id=cursor_id(cursor), limit=limit)
    items = [ImportJobOut.from_job(job, with_errors=False) for job in found]
    next_cursor = next_id_cursor(items, limit)
    return Page[ImportJobOut](items=items, next_cursor=next_cursor)


@router.get("/v1/imports/{import_id}")
def get_import(import_id: int, session: SessionDep, _key: ImportKey) -> ImportJobOut:
    """One import job with its counters and the first 1,000 bad rows."""
    return ImportJobOut.from_job(jobs.get(session=session, job_id=import_id))


@router.get("/v1/imports/{import_id}/errors.csv")
def get_import_errors_csv(import_id: int, session: SessionDep, _key: ImportKey) -> Response:
    """The job's bad rows as CSV (line, error)."""
    job = jobs.get(session=session, job_id=import_id)
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["line", "error"])
    for error in job.errors:
        writer.writerow([error["line"], safe_cell(error["error"])])
    return Response(
        output.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}-errors.csv"'},
    )
