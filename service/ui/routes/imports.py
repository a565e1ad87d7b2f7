"""Bulk imports from the desk: upload a file, watch its job, download its bad rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import UploadFile as StarletteUploadFile

from service.api.deps import SessionDep, SettingsDep
from service.exceptions import Forbidden, InvalidInput
from service.imports import jobs
from service.imports.models import JobKind, OnDuplicate
from service.imports.schemas import ImportJobOut
from service.imports.upload import format_for, receive_upload
from service.settings import Settings
from service.spreadsheet import csv_document
from service.ui import pages, sessions
from service.ui.deps import DeskImportReader
from service.ui.render import FORM_RESHOWN, DeskRoute, page_context, render
from service.ui.sessions import DeskUser

router = APIRouter(prefix="/ui", route_class=DeskRoute)
JOBS_LISTED = 20


@router.get("/imports")
def imports_page(
    request: Request, session: SessionDep, settings: SettingsDep, user: DeskImportReader
) -> Response:
    """Upload a CSV or NDJSON file; the recent import jobs."""
    return _imports_form(request, session, settings, user)


def _imports_form(
    request: Request,
    session: Session,
    settings: Settings,
    user: DeskUser,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    listed = [
        ImportJobOut.of(job, errors=[]) for job in pages.import_jobs(session=session, limit=JOBS_LISTED)
    ]
    context = page_context(user, jobs=listed, error=error, max_upload_bytes=settings.max_import_bytes)
    return render(request, "imports.html", context, status_code=status_code)


def _upload_chunks(upload: StarletteUploadFile) -> Iterator[bytes]:
    while piece := upload.file.read(jobs.CHUNK_BYTES):
        yield piece


def uploader(request: Request, user: DeskImportReader) -> DeskUser:
    """The signed-in importer, if the form's action URL carries their CSRF token: all checked before
    the body is read, so an upload without a session (or from elsewhere) is refused unread."""
    if not sessions.csrf_matches(user.csrf_token, request.query_params.get("csrf_token")):
        raise Forbidden("This form is out of date or was not sent from the desk: reload the page and retry.")
    return user


@router.post("/imports")
async def upload_import(
    request: Request, session: SessionDep, settings: SettingsDep, user: Annotated[DeskUser, Depends(uploader)]
) -> Response:
    """Store the uploaded file as an import job for the worker, then watch it.

    The multipart body is parsed here, after `uploader` let the request in (form parameters would
    make FastAPI read the whole body before any dependency runs)."""
    form = await request.form(max_files=1, max_fields=10)
    file, kind, on_duplicate = form.get("file"), form.get("kind", "claims"), form.get("on_duplicate", "skip")
    if not isinstance(file, StarletteUploadFile):
        raise InvalidInput("file: choose a file to upload", details={"field": "file"})
    if kind not in (JobKind.claims, JobKind.sources, JobKind.articles) or on_duplicate not in (
        "skip",
        "keep",
    ):
        raise InvalidInput(
            "kind: claims, sources or articles; on_duplicate: skip or keep", details={"field": "kind"}
        )
    return await run_in_threadpool(
        _store_upload, request, session, settings, user, file, JobKind(kind), OnDuplicate(on_duplicate)
    )


def _store_upload(
    request: Request,
    session: Session,
    settings: Settings,
    user: DeskUser,
    file: StarletteUploadFile,
    kind: JobKind,
    on_duplicate: OnDuplicate,
) -> Response:
    try:
        upload_format = format_for(file.filename, file.content_type, kind)
    except InvalidInput as exc:
        return _imports_form(request, session, settings, user, error=str(exc), status_code=FORM_RESHOWN)
    job, _created = receive_upload(
        session=session,
        kind=kind,
        fmt=upload_format,
        chunks=_upload_chunks(file),
        actor=user.actor,
        on_duplicate=on_duplicate,
    )
    return RedirectResponse(f"/ui/imports/{job.id}", status_code=303)


@router.get("/imports/{import_id}")
def import_page(request: Request, session: SessionDep, user: DeskImportReader, import_id: int) -> Response:
    """One import job: progress (the page polls while it runs), counters and the bad rows by line."""
    job = ImportJobOut.of(jobs.get(session=session, job_id=import_id))
    return render(request, "import.html", page_context(user, job=job))


@router.get("/imports/{import_id}/progress")
def import_progress(session: SessionDep, _user: DeskImportReader, import_id: int) -> Response:
    """The job's counters as JSON for the page's progress poll."""
    job = ImportJobOut.of(jobs.get(session=session, job_id=import_id), errors=[])
    body = job.model_dump(
        mode="json",
        include={
            "id",
            "status",
            "total",
            "processed",
            "created",
            "duplicates",
            "updated",
            "failed",
            "error_message",
        },
    )
    return Response(json.dumps(body), media_type="application/json", headers={"Cache-Control": "no-store"})


@router.get("/imports/{import_id}/bad-rows.csv")
def import_bad_rows(session: SessionDep, _user: DeskImportReader, import_id: int) -> Response:
    """The job's bad rows as CSV (line, error), formula injection neutralised."""
    job = jobs.get(session=session, job_id=import_id)
    return Response(
        csv_document(["line", "error"], ([error["line"], error["error"]] for error in job.errors)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}-bad-rows.csv"'},
    )
