"""One claim: its page, and the versioned writes from it (move, assign, review, judge evidence)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from service.api.deps import SessionDep, SettingsDep
from service.claims import queue
from service.exceptions import Conflict, InvalidInput, StaleVersion
from service.linking import evidence as linking
from service.linking.schemas import Relation
from service.review import service as review
from service.review.schemas import ClaimPatch, ReviewIn
from service.review.workflow import Status
from service.settings import Settings
from service.ui import pages
from service.ui.deps import DeskReviewer, DeskUserDep
from service.ui.render import FORM_RESHOWN, DeskRoute, page_context, render
from service.ui.sessions import DeskUser

router = APIRouter(prefix="/ui", route_class=DeskRoute)


def _claim_page(
    request: Request,
    session: Session,
    user: DeskUser,
    settings: Settings,
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
    settings: Settings,
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
    user: DeskReviewer,
    claim_id: int,
    etag: Annotated[str, Form()],
    version: Annotated[int, Form()],
    status: Annotated[Status, Form()],
    dismiss_reason: Annotated[str, Form()] = "",
) -> Response:
    """Move the claim to one of the statuses allowed from where it is."""
    patch = ClaimPatch(status=status)
    if status == Status.dismissed:
        patch = ClaimPatch(status=status, dismiss_reason=dismiss_reason)
    pending = {"action": "status", "status": status.value, "dismiss_reason": dismiss_reason}
    return _update_claim(
        request, session, user, settings, claim_id, etag=etag, version=version, patch=patch, pending=pending
    )


@router.post("/claims/{claim_id}/assign")
def assign_claim(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: DeskReviewer,
    claim_id: int,
    etag: Annotated[str, Form()],
    version: Annotated[int, Form()],
) -> Response:
    """Assign the claim to the signed-in key."""
    patch = ClaimPatch(assignee=queue.ME)
    return _update_claim(
        request,
        session,
        user,
        settings,
        claim_id,
        etag=etag,
        version=version,
        patch=patch,
        pending={"action": "assign"},
    )


def _update_claim(
    request: Request,
    session: Session,
    user: DeskUser,
    settings: Settings,
    claim_id: int,
    *,
    etag: str,
    version: int,
    patch: ClaimPatch,
    pending: dict[str, Any],
) -> Response:
    """`review.update` from a desk form: a move (`status` in the patch) or an assignment."""
    return _write_claim(
        request,
        session,
        user,
        settings,
        claim_id,
        version=version,
        pending=pending,
        saved="status" if "status" in patch.model_fields_set else "assignee",
        write=lambda: review.update(
            session=session,
            claim_id=claim_id,
            patch=patch,
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
    user: DeskReviewer,
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
    user: DeskReviewer,
    claim_id: int,
    passage_id: int,
    relation: Annotated[Relation, Form()],
) -> Response:
    """Pin a passage (supports, refutes, context) or reject it (irrelevant)."""
    linking.set_relation(
        session=session, claim_id=claim_id, passage_id=passage_id, relation=relation, actor=user.actor
    )
    return RedirectResponse(f"/ui/claims/{claim_id}?saved=evidence#evidence", status_code=303)
