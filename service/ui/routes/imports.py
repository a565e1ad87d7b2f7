"""Bulk imports from the desk: upload a file, watch its job, download its bad rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from service.api.deps import SessionDep, SettingsDep
from service.errors import InvalidInput
from service.imports import jobs
from service.imports.parse import detect_format
from service.imports.schemas import ImportJobOut
from service.spreadsheet import safe_cell
from service.ui import pages
from service.ui.deps import DeskImporter, DeskImportReader
from service.ui.render import FORM_RESHOWN, DeskRoute, page_context, render

router = APIRouter(prefix="/ui", route_class=DeskRoute)
JOBS_LISTED = 20


@router.get("/imports")
def imports_page(
    request: Request, session: SessionDep, settings: SettingsDep, user: DeskImportReader
) -> Response:
    """Upload a CSV or NDJSON file; the recent import jobs."""
    listed = [
        ImportJobOut.from_job(job, with_errors=False)
        for job in pages.import_jobs(session=session, limit=JOBS_LISTED)
    ]
    return render(
        request,
        "imports.html",
        page_context(user, jobs=listed, error=None, max_upload_bytes=settings.max_import_bytes),
    )


def _upload_chunks(upload: UploadFile) -> Iterator[bytes]:
    while piece := upload.file.read(jobs.CHUNK_BYTES):
        yield piece


@router.post("/imports")
def upload_import(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: DeskImporter,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()] = "claims",
    on_duplicate: Annotated[str, Form()] = "skip",
) -> Response:
    """Store the uploaded file as an import job for the worker, then watch it."""
    if kind not in ("claims", "sources") or on_duplicate not in ("skip", "keep"):
        raise InvalidInput("kind: claims or sources; on_duplicate: skip or keep", details={"field": "kind"})
    name = (file.filename or "").lower()
    explicit = "csv" if name.endswith(".csv") else "ndjson" if name.endswith((".ndjson", ".jsonl")) else None
    if name.endswith(".json") and kind == "claims":
        explicit = "claimreview"
    try:
        upload_format = detect_format(file.content_type, explicit)
    except ValueError as exc:
        listed = [
            ImportJobOut.from_job(j, with_errors=False)
            for j in pages.import_jobs(session=session, limit=JOBS_LISTED)
        ]
        return render(
            request,
            "imports.html",
            page_context(user, jobs=listed, error=str(exc), max_upload_bytes=settings.max_import_bytes),
            status_code=FORM_RESHOWN,
        )
    job, _created = jobs.create(
        session=session,
        kind=kind,
        fmt=upload_format,
        on_duplicate=on_duplicate if kind == "claims" else "keep",
        idempotency_key=None,
        actor=user.actor,
    )
    assert job.id is not None
    try:
        stored = jobs.store_upload(session=session, job_id=job.id, chunks=_upload_chunks(file))
    except BaseException:
        jobs.discard_upload(session=session, job_id=job.id)
        raise
    if stored.upload_bytes == 0:
        jobs.discard_upload(session=session, job_id=job.id)
        raise InvalidInput("The file is empty.", details={"field": "file"})
    return RedirectResponse(f"/ui/imports/{job.id}", status_code=303)


@router.get("/imports/{import_id}")
def import_page(request: Request, session: SessionDep, user: DeskImportReader, import_id: int) -> Response:
    """One import job: progress (the page polls while it runs), counters and the bad rows by line."""
    job = ImportJobOut.from_job(jobs.get(session=session, job_id=import_id))
    return render(request, "import.html", page_context(user, job=job))


@router.get("/imports/{import_id}/progress")
def import_progress(session: SessionDep, _user: DeskImportReader, import_id: int) -> Response:
    """The job's counters as JSON for the page's progress poll."""
    job = ImportJobOut.from_job(jobs.get(session=session, job_id=import_id), with_errors=False)
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
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["line", "error"])
    for error in job.errors:
        writer.writerow([error["line"], safe_cell(error["error"])])
    return Response(
        output.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}-bad-rows.csv"'},
    )
