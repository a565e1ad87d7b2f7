"""HTTP for bulk imports (claims, sources, articles)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from service.api.deps import ImportKey, SessionDep, SettingsDep
from service.api.pagination import Page
from service.articles import extraction_jobs
from service.auth.service import Actor
from service.cursors import cursor_id, next_id_cursor
from service.imports import jobs
from service.imports.models import JobKind, OnDuplicate
from service.imports.schemas import ImportJobOut
from service.imports.upload import format_for, receive_upload
from service.matching import semantic
from service.spreadsheet import csv_document

router = APIRouter(tags=["imports"])


def _body_chunks(request: Request) -> Iterator[bytes]:
    """The request body as a blocking iterator, for a worker thread: each piece is awaited on the loop."""
    stream = request.stream().__aiter__()

    async def next_piece() -> bytes:
        return await stream.__anext__()

    while True:
        try:
            yield anyio.from_thread.run(next_piece)
        except StopAsyncIteration:
            return


async def _receive_upload(
    request: Request,
    session: Session,
    *,
    kind: JobKind,
    fmt: str | None,
    on_duplicate: OnDuplicate,
    idempotency_key: str | None,
    actor: Actor,
) -> JSONResponse:
    """Stream the request body into stored chunks (never whole in memory), then queue the job."""
    upload_format = format_for(None, request.headers.get("content-type"), kind, explicit=fmt)
    job, _is_new = await run_in_threadpool(
        lambda: receive_upload(
            session=session,
            kind=kind,
            fmt=upload_format,
            chunks=_body_chunks(request),
            actor=actor,
            on_duplicate=on_duplicate,
            idempotency_key=idempotency_key,
        )
    )
    # A retry with a known Idempotency-Key is answered by the original job; its body was not read.
    queued = ImportJobOut.of(job)
    return JSONResponse(
        queued.model_dump(mode="json"), status_code=202, headers={"Location": f"/v1/imports/{queued.id}"}
    )


@router.post("/v1/imports/claims", status_code=202, response_model=ImportJobOut)
async def import_claims(
    request: Request,
    session: SessionDep,
    key: ImportKey,
    on_duplicate: OnDuplicate = OnDuplicate.skip,
    format: Annotated[str | None, Query(description="ndjson, csv or claimreview")] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Queue a bulk import of checked claims (NDJSON, CSV or a JSON array of ClaimReview)."""
    return await _receive_upload(
        request,
        session,
        kind=JobKind.claims,
        fmt=format,
        on_duplicate=on_duplicate,
        idempotency_key=idempotency_key,
        actor=key,
    )


@router.post("/v1/imports/sources", status_code=202, response_model=ImportJobOut)
async def import_sources(
    request: Request,
    session: SessionDep,
    key: ImportKey,
    format: Annotated[str | None, Query(description="ndjson or csv")] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Queue a bulk import of reference sources (NDJSON or CSV); the same url again updates it."""
    return await _receive_upload(
        request,
        session,
        kind=JobKind.sources,
        fmt=format,
        on_duplicate=OnDuplicate.keep,
        idempotency_key=idempotency_key,
        actor=key,
    )


@router.post("/v1/imports/articles", status_code=202, response_model=ImportJobOut)
async def import_articles(
    request: Request,
    session: SessionDep,
    key: ImportKey,
    format: Annotated[str | None, Query(description="ndjson or csv")] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Queue a bulk import of articles (NDJSON or CSV: title, body, url, published_at, external_id,
    genre). Rows are stored pending, idempotent on external_id, and extracted by the workers; GET the
    job for per-row errors and how many of its articles are extracted."""
    return await _receive_upload(
        request,
        session,
        kind=JobKind.articles,
        fmt=format,
        on_duplicate=OnDuplicate.keep,
        idempotency_key=idempotency_key,
        actor=key,
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
    items = [ImportJobOut.of(job, errors=[]) for job in found]
    next_cursor = next_id_cursor(items, limit)
    return Page[ImportJobOut](items=items, next_cursor=next_cursor)


@router.get("/v1/imports/{import_id}")
def get_import(import_id: int, session: SessionDep, settings: SettingsDep, _key: ImportKey) -> ImportJobOut:
    """One import job with its counters, the first 1,000 bad rows and how many of its claims still wait
    for an embedding."""
    job = jobs.get(session=session, job_id=import_id)
    pending = (
        semantic.pending_for_job(session=session, job_id=import_id)
        if job.kind == JobKind.claims and semantic.enabled(settings)
        else None
    )
    shown = ImportJobOut.of(job, embeddings_pending=pending)
    if job.kind == JobKind.articles:
        shown.articles = extraction_jobs.status_counts(session=session, import_job_id=import_id)
    return shown


@router.get("/v1/imports/{import_id}/errors.csv")
def get_import_errors_csv(import_id: int, session: SessionDep, _key: ImportKey) -> Response:
    """The job's bad rows as CSV (line, error)."""
    job = jobs.get(session=session, job_id=import_id)
    return Response(
        csv_document(["line", "error"], ([error["line"], error["error"]] for error in job.errors)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}-errors.csv"'},
    )
