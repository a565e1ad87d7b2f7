"""HTML routes of the review desk at /ui: read the form, call the domain, render a template. Nothing else.

Every page needs a signed-in session (else a redirect to sign-in), every POST form carries the session's
CSRF token (else 403), and every write is authorized with the same role rules as the API.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Coroutine, Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import ValidationError
from sqlmodel import Session

from service.api.deps import SessionDep, SettingsDep
from service.articles import service as articles
from service.articles.schemas import ArticleIn
from service.auth.service import Permission, authorize
from service.db import as_utc
from service.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    PayloadTooLarge,
    StaleVersion,
    Unauthenticated,
)
from service.imports import jobs
from service.imports.parse import detect_format
from service.imports.schemas import ImportJobOut
from service.linking import service as linking
from service.linking.schemas import Relation
from service.review import service as review
from service.review.schemas import ClaimPatch, ReviewIn
from service.review.workflow import Status
from service.ui import pages, sessions
from service.ui.sessions import DeskUser

UI_DIR = Path(__file__).resolve().parent
STATIC_DIR = UI_DIR / "static"
templates = Jinja2Templates(directory=UI_DIR / "templates")
QUEUE_PAGE_SIZE = 50
SORTS: tuple[str, ...] = get_args(review.SortKey)
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A form shown again with what went wrong (stale version, illegal move, bad input) answers 200: the page
# itself says what happened in a role=alert panel, and browsers log every 4xx document as a console error.
FORM_RESHOWN = 200
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class SignInRequired(Exception):
    """No valid session: the browser is sent to the sign-in page."""


class DeskRoute(APIRoute):
    """Errors become pages, not JSON: no session redirects to sign-in, a domain error shows its status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def desk_handler(request: Request) -> Response:
            try:
                return await handle(request)
            except SignInRequired:
                wanted = request.url.path if request.method == "GET" else "/ui/queue"
                if request.url.query and request.method == "GET":
                    wanted += "?" + request.url.query
                return RedirectResponse(f"/ui?{urlencode({'next': wanted})}", status_code=303)
            except DomainError as exc:
                return render(
                    request,
                    "error.html",
                    {"title": exc.code.replace("_", " "), "message": exc.message, "status": exc.status_code},
                    status_code=exc.status_code,
                )
            except RequestValidationError as exc:
                problems = [
                    f"{'.'.join(str(part) for part in error.get('loc', ())[1:])}: {error.get('msg')}"
                    for error in exc.errors()
                ]
                return render(
                    request,
                    "error.html",
                    {"title": "invalid input", "message": "; ".join(problems), "status": 422},
                    status_code=422,
                )

        return desk_handler


router = APIRouter(prefix="/ui", route_class=DeskRoute, include_in_schema=False)


def install(app: FastAPI) -> None:
    """Serve the desk: its pages and its vendored static files (no CDN)."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")


def render(request: Request, template: str, context: dict[str, Any], *, status_code: int = 200) -> Response:
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def desk_user(request: Request, session: SessionDep) -> DeskUser:
    """The signed-in user, or a redirect to sign-in."""
    user = sessions.get(session=session, raw_token=request.cookies.get(sessions.SESSION_COOKIE))
    if user is None:
        raise SignInRequired()
    return user


async def desk_writer(request: Request, user: Annotated[DeskUser, Depends(desk_user)]) -> DeskUser:
    """The signed-in user, if the posted form carries their session's CSRF token (403 otherwise)."""
    form = await request.form()
    presented = form.get("csrf_token")
    if not sessions.csrf_matches(user.csrf_token, presented if isinstance(presented, str) else None):
        raise Forbidden("This form is out of date or was not sent from the desk: reload the page and retry.")
    return user


DeskUserDep = Annotated[DeskUser, Depends(desk_user)]
DeskWriterDep = Annotated[DeskUser, Depends(desk_writer)]


def page_context(user: DeskUser, **values: Any) -> dict[str, Any]:
    """What every signed-in page needs: who, their CSRF token, which write controls to draw."""
    return {
        "user": user,
        "csrf_token": user.csrf_token,
        "can_submit": user.can(Permission.submit),
        "can_import": user.can(Permission.import_),
        "can_review": user.can(Permission.review),
        "can_publish": user.can(Permission.publish),
        **values,
    }


def safe_next(target: str | None) -> str:
    """Only a path of the desk itself: never an open redirect to another site."""
    if target and target.startswith("/ui") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui/queue"


# --- sign in / sign out -------------------------------------------------------------------------


@router.get("")
def sign_in_page(request: Request, session: SessionDep, next: str | None = None) -> Response:
    """The sign-in form (or straight to the queue when already signed in)."""
    if sessions.get(session=session, raw_token=request.cookies.get(sessions.SESSION_COOKIE)):
        return RedirectResponse(safe_next(next), status_code=303)
    return _sign_in_form(request, next_path=safe_next(next))


def _sign_in_form(
    request: Request, *, next_path: str, error: str | None = None, status_code: int = 200
) -> Response:
    token = sessions.new_token()
    response = render(
        request,
        "sign_in.html",
        {"sign_in_token": token, "next_path": next_path, "error": error},
        status_code=status_code,
    )
    response.set_cookie(
        sessions.SIGN_IN_COOKIE,
        token,
        max_age=3600,
        path="/ui",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/sign-in")
def sign_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    api_key: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/ui/queue",
) -> Response:
    """Check the key like a Bearer key and open a session behind an HttpOnly, SameSite=Strict cookie."""
    if not sessions.csrf_matches(request.cookies.get(sessions.SIGN_IN_COOKIE), csrf_token):
        raise Forbidden("The sign-in form is out of date: reload the page and retry.")
    try:
        _user, raw_token = sessions.create(session=session, raw_key=api_key, hours=settings.ui_session_hours)
        # A new sign-in replaces whatever session this browser held before.
        sessions.delete(session=session, raw_token=request.cookies.get(sessions.SESSION_COOKIE))
    except Unauthenticated:
        return _sign_in_form(
            request,
            next_path=safe_next(next),
            error="That key is unknown or revoked.",
            status_code=FORM_RESHOWN,
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        sessions.SESSION_COOKIE,
        raw_token,
        max_age=settings.ui_session_hours * 3600,
        path="/ui",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(sessions.SIGN_IN_COOKIE, path="/ui", httponly=True, samesite="strict")
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, _user: DeskWriterDep) -> Response:
    """End the session on the server and forget the cookie."""
    sessions.delete(session=session, raw_token=request.cookies.get(sessions.SESSION_COOKIE))
    response = RedirectResponse("/ui", status_code=303)
    response.delete_cookie(sessions.SESSION_COOKIE, path="/ui", httponly=True, samesite="strict")
    return response


# --- queue -----------------------------------------------------------------------------------------


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


@router.get("/queue")
def queue_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: DeskUserDep,
    status: str | None = None,
    verdict: str | None = None,
    assignee: str | None = None,
    tag: str | None = None,
    article_id: str | None = None,
    q: str | None = None,
    sort: str = "-score",
    cursor: str | None = None,
) -> Response:
    """The claims to work on: tabs per status, filters, sort, a page at a time."""
    status = _blank_to_none(status)
    if status is not None and status not in Status.__members__:
        raise InvalidInput(f"status: '{status}' is not a status", details={"field": "status"})
    if sort not in SORTS:
        raise InvalidInput(f"sort: one of {', '.join(SORTS)}", details={"field": "sort"})
    article_text = _blank_to_none(article_id)
    if article_text is not None and not article_text.isdigit():
        raise InvalidInput("article: an article id is a number", details={"field": "article_id"})
    filters = review.QueueFilters(
        status=(Status(status),) if status else (),
        verdict=(verdict.strip(),) if _blank_to_none(verdict) and verdict else (),
        assignee=_blank_to_none(assignee),
        article_id=int(article_text) if article_text else None,
        tag=_blank_to_none(tag),
        q=_blank_to_none(q),
    )
    view = pages.queue(
        session=session,
        user=user,
        filters=filters,
        sort=sort,  # type: ignore[arg-type]  # checked against SORTS above
        cursor=_blank_to_none(cursor),
        limit=QUEUE_PAGE_SIZE,
        settings=settings,
    )
    kept = {
        "verdict": _blank_to_none(verdict),
        "assignee": filters.assignee,
        "tag": filters.tag,
        "article_id": article_text,
        "q": filters.q,
        "sort": sort if sort != "-score" else None,
    }
    kept_filters = {name: value for name, value in kept.items() if value}

    def link(**changes: str | None) -> str:
        params = {**kept_filters, "status": status, **changes}
        return "/ui/queue?" + urlencode({name: value for name, value in params.items() if value})

    return render(
        request,
        "queue.html",
        page_context(
            user,
            view=view,
            status=status,
            statuses=[member.value for member in Status],
            filters=kept,
            sorts=SORTS,
            verdicts=settings.verdicts,
            link=link,
            next_link=link(cursor=view.next_cursor) if view.next_cursor else None,
            first_link=link() if cursor else None,
        ),
    )


# --- articles --------------------------------------------------------------------------------------


@router.get("/articles")
def articles_page(
    request: Request, session: SessionDep, user: DeskUserDep, cursor: str | None = None
) -> Response:
    """Submitted articles, newest first, and the form to submit one."""
    after_id = int(cursor) if cursor and cursor.isdigit() else None
    listed = articles.get_all(session=session, after_id=after_id, limit=QUEUE_PAGE_SIZE)
    next_cursor = str(listed[-1].id) if len(listed) == QUEUE_PAGE_SIZE else None
    return render(
        request,
        "articles.html",
        page_context(user, articles=listed, next_cursor=next_cursor, typed={}, errors=[]),
    )


@router.post("/articles")
def submit_article(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: DeskWriterDep,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    published_at: Annotated[str, Form()] = "",
) -> Response:
    """Store the pasted article, extract its claims, and open it."""
    authorize(user.actor, Permission.submit)
    typed = {"title": title, "body": body, "url": url, "published_at": published_at}
    try:
        article_in = ArticleIn(
            title=title.strip(),
            body=body.replace("\r\n", "\n"),
            url=url.strip() or None,
            published_at=date.fromisoformat(published_at) if published_at.strip() else None,
        )
    except (ValidationError, ValueError) as exc:
        errors = (
            [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            if isinstance(exc, ValidationError)
            else ["published date: use YYYY-MM-DD"]
        )
        return _article_form_again(request, session, user, typed=typed, errors=errors)
    try:
        article, _claims = articles.submit(
            session=session, article_in=article_in, actor=user.actor, settings=settings
        )
    except (InvalidInput, PayloadTooLarge) as exc:
        session.rollback()
        return _article_form_again(request, session, user, typed=typed, errors=[exc.message])
    return RedirectResponse(f"/ui/articles/{article.id}", status_code=303)


def _article_form_again(
    request: Request, session: Session, user: DeskUser, *, typed: dict[str, str], errors: list[str]
) -> Response:
    """The submit form with what was typed and why it was not accepted."""
    listed = articles.get_all(session=session, after_id=None, limit=QUEUE_PAGE_SIZE)
    return render(
        request,
        "articles.html",
        page_context(user, articles=listed, next_cursor=None, typed=typed, errors=errors),
        status_code=FORM_RESHOWN,
    )


@router.get("/articles/{article_id}")
def article_page(request: Request, session: SessionDep, user: DeskUserDep, article_id: int) -> Response:
    """The body with claim spans highlighted in place and skipped sentences greyed with the reason."""
    view = pages.article(session=session, article_id=article_id)
    return render(request, "article.html", page_context(user, view=view))


# --- claim -----------------------------------------------------------------------------------------


def _claim_page(
    request: Request,
    session: Session,
    user: DeskUser,
    settings: Any,
    claim_id: int,
    *,
    pending: dict[str, Any] | None = None,
    stale_version: int | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    session.rollback()  # a failed write leaves nothing behind in this session
    view = pages.claim(session=session, claim_id=claim_id, user=user, settings=settings)
    changes = (
        pages.changes_since(session=session, claim_id=claim_id, version=stale_version)
        if stale_version is not None
        else []
    )
    response = render(
        request,
        "claim.html",
        page_context(
            user,
            view=view,
            claim=view.claim,
            pending=pending or {},
            conflict_changes=changes,
            stale_version=stale_version,
            error=error,
            saved=request.query_params.get("saved"),
            relations=[relation.value for relation in Relation],
        ),
        status_code=status_code,
    )
    response.headers["ETag"] = view.etag
    return response


@router.get("/claims/{claim_id}")
def claim_page(
    request: Request, session: SessionDep, settings: SettingsDep, user: DeskUserDep, claim_id: int
) -> Response:
    """The claim with its quote in context, evidence, prior checks, moves, verdict form and history."""
    return _claim_page(request, session, user, settings, claim_id)


def _write_claim(
    request: Request,
    session: Session,
    user: DeskUser,
    settings: Any,
    claim_id: int,
    *,
    version: int,
    pending: dict[str, Any],
    write: Callable[[], object],
    saved: str,
) -> Response:
    """Run a versioned write; on a stale version show what changed and keep what the user sent."""
    try:
        write()
    except StaleVersion:
        return _claim_page(
            request,
            session,
            user,
            settings,
            claim_id,
            pending=pending,
            stale_version=version,
            status_code=FORM_RESHOWN,
        )
    except (Conflict, InvalidInput) as exc:
        return _claim_page(
            request,
            session,
            user,
            settings,
            claim_id,
            pending=pending,
            error=exc.message,
            status_code=FORM_RESHOWN,
        )
    return RedirectResponse(f"/ui/claims/{claim_id}?saved={saved}", status_code=303)


@router.post("/claims/{claim_id}/status")
def move_claim(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: DeskWriterDep,
    claim_id: int,
    etag: Annotated[str, Form()],
    version: Annotated[int, Form()],
    status: Annotated[Status, Form()],
    dismiss_reason: Annotated[str, Form()] = "",
) -> Response:
    """Move the claim to one of the statuses allowed from where it is."""
    authorize(user.actor, Permission.review)
    patch = ClaimPatch(status=status)
    if status == Status.dismissed:
        patch = ClaimPatch(status=status, dismiss_reason=dismiss_reason)
    pending = {"action": "status", "status": status.value, "dismiss_reason": dismiss_reason}
    return _write_claim(
        request,
        session,
        user,
        settings,
        claim_id,
        version=version,
        pending=pending,
        saved="status",
        write=lambda: review.update(
            session=session,
            claim_id=claim_id,
            patch=patch,
            expected_etag=etag,
            actor=user.actor,
            settings=settings,
        ),
    )


@router.post("/claims/{claim_id}/assign")
def assign_claim(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: DeskWriterDep,
    claim_id: int,
    etag: Annotated[str, Form()],
    version: Annotated[int, Form()],
) -> Response:
    """Assign the claim to the signed-in key."""
    authorize(user.actor, Permission.review)
    return _write_claim(
        request,
        session,
        user,
        settings,
        claim_id,
        version=version,
        pending={"action": "assign"},
        saved="assignee",
        write=lambda: review.update(
            session=session,
            claim_id=claim_id,
            patch=ClaimPatch(assignee=review.ME),
            expected_etag=etag,
            actor=user.actor,
            settings=settings,
        ),
    )


@router.post("/claims/{claim_id}/review")
def review_claim(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: DeskWriterDep,
    claim_id: int,
    etag: Annotated[str, Form()],
    version: Annotated[int, Form()],
    verdict: Annotated[str, Form()],
    summary: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    evidence: Annotated[list[int] | None, Form()] = None,
    evidence_urls: Annotated[str, Form()] = "",
    leave_as: Annotated[str, Form()] = Status.reviewed.value,
) -> Response:
    """Give the verdict (the deployment's scale), the summary for readers, the internal note and evidence."""
    authorize(user.actor, Permission.review)
    urls = [line.strip() for line in evidence_urls.splitlines() if line.strip()]
    pending = {
        "action": "review",
        "verdict": verdict,
        "summary": summary,
        "note": note,
        "evidence": list(evidence or []),
        "evidence_urls": evidence_urls,
        "leave_as": leave_as,
    }
    try:
        review_in = ReviewIn(
            verdict=verdict,
            summary=summary or None,
            note=note or None,
            evidence=[*(evidence or []), *urls],
            status=Status(leave_as) if leave_as in Status.__members__ else None,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        return _claim_page(
            request,
            session,
            user,
            settings,
            claim_id,
            pending=pending,
            error=f"{'.'.join(map(str, first['loc']))}: {first['msg']}",
            status_code=FORM_RESHOWN,
        )
    return _write_claim(
        request,
        session,
        user,
        settings,
        claim_id,
        version=version,
        pending=pending,
        saved="review",
        write=lambda: review.add_review(
            session=session,
            claim_id=claim_id,
            review_in=review_in,
            expected_etag=etag,
            actor=user.actor,
            settings=settings,
        ),
    )


@router.post("/claims/{claim_id}/evidence/{passage_id}")
def judge_evidence(
    session: SessionDep,
    user: DeskWriterDep,
    claim_id: int,
    passage_id: int,
    relation: Annotated[Relation, Form()],
) -> Response:
    """Pin a passage (supports, refutes, context) or reject it (irrelevant)."""
    authorize(user.actor, Permission.review)
    linking.set_relation(
        session=session, claim_id=claim_id, passage_id=passage_id, relation=relation, actor=user.actor
    )
    return RedirectResponse(f"/ui/claims/{claim_id}?saved=evidence#evidence", status_code=303)


# --- imports ---------------------------------------------------------------------------------------


@router.get("/imports")
def imports_page(request: Request, session: SessionDep, settings: SettingsDep, user: DeskUserDep) -> Response:
    """Upload a CSV or NDJSON file; the recent import jobs."""
    authorize(user.actor, Permission.import_)
    listed = [
        ImportJobOut.from_job(job, with_errors=False) for job in pages.import_jobs(session=session, limit=20)
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
    user: DeskWriterDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()] = "claims",
    on_duplicate: Annotated[str, Form()] = "skip",
) -> Response:
    """Store the uploaded file as an import job for the worker, then watch it."""
    authorize(user.actor, Permission.import_)
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
            ImportJobOut.from_job(j, with_errors=False) for j in pages.import_jobs(session=session, limit=20)
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
def import_page(request: Request, session: SessionDep, user: DeskUserDep, import_id: int) -> Response:
    """One import job: progress (the page polls while it runs), counters and the bad rows by line."""
    authorize(user.actor, Permission.import_)
    job = ImportJobOut.from_job(jobs.get(session=session, job_id=import_id))
    return render(request, "import.html", page_context(user, job=job))


@router.get("/imports/{import_id}/progress")
def import_progress(session: SessionDep, user: DeskUserDep, import_id: int) -> Response:
    """The job's counters as JSON for the page's progress poll."""
    authorize(user.actor, Permission.import_)
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


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text instead of running it as a formula."""
    cell = str(value)
    return f"'{cell}" if cell.startswith(FORMULA_PREFIXES) else cell


@router.get("/imports/{import_id}/bad-rows.csv")
def import_bad_rows(session: SessionDep, user: DeskUserDep, import_id: int) -> Response:
    """The job's bad rows as CSV (line, error), formula injection neutralised."""
    authorize(user.actor, Permission.import_)
    job = jobs.get(session=session, job_id=import_id)
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["line", "error"])
    for error in job.errors:
        writer.writerow([error["line"], csv_cell(error["error"])])
    return Response(
        output.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}-bad-rows.csv"'},
    )


def json_script(text: str) -> Markup:
    """JSON safe inside <script>: '<', '>' and '&' as JSON escapes, so no '</script>' can end it early."""
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def format_moment(moment: Any) -> str:
    """'2026-11-26 06:52 UTC' for a stored timestamp."""
    if moment is None:
        return ""
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def format_day_and_time(moment: Any) -> str:
    """'26 Nov 06:52' for a table cell (the full moment is in the title)."""
    if moment is None:
        return ""
    return as_utc(moment).strftime("%d %b %H:%M")


templates.env.filters["moment"] = format_moment
templates.env.filters["day_and_time"] = format_day_and_time
templates.env.filters["label"] = lambda value: str(value or "").replace("_", " ")
templates.env.filters["json_script"] = json_script
