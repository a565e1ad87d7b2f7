"""`claimcheck extract`, `import` and `export`: claims from a text file, bulk imports with progress bars
(run here, beside any other worker), and exports that `import` reads back."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from service.auth import service as auth
from service.auth.models import Role
from service.cli.console import say_database
from service.db import get_engine, migrate
from service.exports.formats import ExportFormat
from service.imports.models import ImportJob
from service.review.workflow import Status
from service.settings import get_settings

import_app = typer.Typer(help="Bulk import claims or reference sources from a file.", no_args_is_help=True)
export_app = typer.Typer(help="Export claims to a file.", no_args_is_help=True)


def extract(
    file: Annotated[Path, typer.Argument(help="A UTF-8 text file, or - for standard input.")],
    published_at: Annotated[str | None, typer.Option(help="Publication date, YYYY-MM-DD.")] = None,
) -> None:
    """Extract claims from a text file and print them as JSON (no server or database needed)."""
    from service.extraction import extract as extract_claims

    text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    published = date.fromisoformat(published_at) if published_at else None
    result = extract_claims(text, published_at=published)
    typer.echo(json.dumps(dataclasses.asdict(result), indent=2, ensure_ascii=False))


def _import_file(file: Path, *, kind: str, fmt: str | None, on_duplicate: str) -> None:
    """Store the file as a durable job, then run it here with a progress bar (a server's worker may help)."""
    import time

    from service.exceptions import InvalidInput
    from service.imports import jobs, runner
    from service.imports.models import JobKind, OnDuplicate
    from service.imports.upload import format_for, receive_upload
    from service.leasing import new_worker_id

    try:
        # A file of unknown suffix is read as NDJSON unless --format says otherwise.
        upload_format = format_for(file.name, "application/x-ndjson", JobKind(kind), explicit=fmt)
    except InvalidInput as exc:
        raise typer.BadParameter(exc.message, param_hint="--format") from exc
    settings = get_settings()
    say_database()
    migrate(settings.database_url)
    engine = get_engine()
    with file.open("rb") as handle:
        lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) or 1
    with Session(engine) as session, file.open("rb") as handle:
        job, _ = receive_upload(
            session=session,
            kind=JobKind(kind),
            fmt=upload_format,
            chunks=iter(lambda: handle.read(jobs.CHUNK_BYTES), b""),
            actor=None,
            on_duplicate=OnDuplicate(on_duplicate),
        )
        assert job.id is not None
        job_id = job.id
    worker_id = new_worker_id()
    started = time.perf_counter()
    with typer.progressbar(length=lines, label=f"import {file.name}", file=sys.stderr) as bar:
        shown = 0

        def advance(current: ImportJob) -> None:
            nonlocal shown
            bar.update(current.processed - shown)
            shown = current.processed

        with Session(engine) as session:
            mine = runner.claim_next(session=session, worker_id=worker_id, job_id=job_id)
        if mine is not None:
            runner.run(engine=engine, job_id=job_id, worker_id=worker_id, settings=settings, on_batch=advance)
        while True:  # another worker took it: follow its progress
            with Session(engine) as session:
                current = jobs.get(session=session, job_id=job_id)
            advance(current)
            if current.status in ("done", "failed"):
                break
            time.sleep(0.5)
    elapsed = time.perf_counter() - started
    extracted: dict[str, int] = {}
    if kind == JobKind.articles and current.status == "done":
        extracted = _extract_imported_articles(file, job_id=job_id, worker_id=worker_id)
    summary = {
        "id": current.id,
        "status": current.status,
        "processed": current.processed,
        "created": current.created,
        "updated": current.updated,
        "duplicates": current.duplicates,
        "failed": current.failed,
        "rows_per_second": round(current.processed / elapsed, 1) if elapsed else None,
        "first_errors": current.errors[:10],
        **({"articles": extracted} if extracted else {}),
    }
    typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    if extracted.get("failed"):
        typer.echo(
            f"import {file.name}: {extracted['failed']:,} articles could not be extracted; "
            "GET /v1/articles/{id} gives each one's error_message.",
            err=True,
        )
    if current.status != "done" or current.failed or extracted.get("failed"):
        typer.echo(
            f"import {file.name}: {current.status}, {current.failed:,} of {current.processed:,} rows failed"
            + (f" ({current.error_message})" if current.error_message else "")
            + f". Every bad row with its line and error: GET /v1/imports/{current.id}/errors.csv, or the "
            f"desk's Imports page.",
            err=True,
        )
        raise typer.Exit(1)


def _extract_imported_articles(file: Path, *, job_id: int, worker_id: str) -> dict[str, int]:
    """Extract the job's pending articles here, beside any other worker, with a progress bar; the counts
    by status at the end."""
    import time

    from service.articles import extraction_jobs

    settings = get_settings()
    engine = get_engine()
    with Session(engine) as session:
        counts = extraction_jobs.status_counts(session=session, import_job_id=job_id)
    with typer.progressbar(length=sum(counts.values()), label=f"extract {file.name}", file=sys.stderr) as bar:
        shown = 0
        while True:
            with Session(engine) as session:
                counts = extraction_jobs.status_counts(session=session, import_job_id=job_id)
            finished = counts["done"] + counts["failed"]
            bar.update(finished - shown)
            shown = finished
            if counts["pending"] + counts["extracting"] == 0:
                return counts
            if extraction_jobs.extract_next(engine=engine, worker_id=worker_id, settings=settings) is None:
                time.sleep(0.2)  # the rest are held by other workers: follow their progress


@import_app.command("articles")
def import_articles_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="NDJSON or CSV.")],
    format: Annotated[str | None, typer.Option(help="ndjson or csv (default: by suffix).")] = None,
) -> None:
    """Import articles from a file and extract their claims, with progress bars. Exits 1 when any row or
    article failed.

    Fields (NDJSON keys or CSV header names): title and body (required), url, published_at (ISO 8601),
    external_id (a row whose external_id is stored already is skipped, so a file can be imported again),
    genre, language, extractor (rules or llm). Running `claimcheck worker` processes (or a server's
    in-process worker) extract beside this command.
    """
    _import_file(file, kind="articles", fmt=format, on_duplicate="keep")


@import_app.command("claims")
def import_claims_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="NDJSON, CSV or ClaimReview JSON.")
    ],
    format: Annotated[
        str | None, typer.Option(help="ndjson, csv or claimreview (default: by suffix).")
    ] = None,
    on_duplicate: Annotated[str, typer.Option(help="skip (default) or keep.")] = "skip",
) -> None:
    """Import checked claims from a file, with a progress bar. Exits 1 when any row failed.

    Fields (NDJSON keys or CSV header names): text (required), external_id, verdict or rating, title,
    speaker, claimed_at and reviewed_at (ISO 8601), source_url, review_url, publisher, language, tags (a list,
    or comma-separated). Other columns are ignored, so a `claimcheck export claims` file imports as it is.
    ClaimReview JSON: an array of schema.org ClaimReview.
    """
    if on_duplicate not in ("skip", "keep"):
        raise typer.BadParameter("skip or keep", param_hint="--on-duplicate")
    _import_file(file, kind="claims", fmt=format, on_duplicate=on_duplicate)


@import_app.command("sources")
def import_sources_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="NDJSON or CSV.")],
    format: Annotated[str | None, typer.Option(help="ndjson or csv (default: by suffix).")] = None,
) -> None:
    """Import reference sources from a file (the same url again updates the source). Exits 1 when any row
    failed.

    Fields (NDJSON keys or CSV header names): url (required; the source's identity), title (required), text
    (required), publisher, published_at (ISO 8601), external_id, language.
    """
    _import_file(file, kind="sources", fmt=format, on_duplicate="keep")


@export_app.command("claims")
def export_claims_command(
    format: Annotated[
        ExportFormat, typer.Option(help="csv, ndjson, or claimreview (published claims only).")
    ] = ExportFormat.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", dir_okay=False, help="File to write (default: stdout).")
    ] = None,
    status: Annotated[
        list[Status] | None, typer.Option(help="Only claims in this status (repeatable).")
    ] = None,
) -> None:
    """Export claims (oldest first) as `claimcheck import claims` reads them back, with a progress bar.

    CSV and NDJSON carry the import's fields (text, external_id, verdict, title = the summary, speaker,
    claimed_at, source_url, review_url, publisher, language, reviewed_at, tags), then read-only ones (id,
    status, article_id, score, kind, assignee, priority, duplicate_of, created_at, updated_at, published_at).
    CSV cells that a spreadsheet would run as formulas start with an apostrophe (imports remove it).
    """
    from service.claims.queue import QueueFilters
    from service.exports import claims as export

    say_database()
    filters = QueueFilters(status=tuple(status or ()))
    actor = auth.Actor(key_id=0, name="claimcheck export", role=Role.admin)
    settings = get_settings()
    with Session(get_engine()) as session:
        total = export.count(session=session, filters=filters, actor=actor, settings=settings, fmt=format)
        target = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        label = f"export {output.name if output else 'claims'}"
        try:
            with typer.progressbar(length=total, label=label, file=sys.stderr) as bar:
                for chunk in export.chunks(
                    session=session,
                    filters=filters,
                    actor=actor,
                    settings=settings,
                    fmt=format,
                    on_batch=bar.update,
                ):
                    target.write(chunk)
        finally:
            if output:
                target.close()
    typer.echo(f"exported {total:,} claims" + (f" to {output}" if output else ""), err=True)
