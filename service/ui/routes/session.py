"""Sign in with an API key and sign out: the session cookie and the sign-in form's CSRF cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from service.api.deps import SessionDep, SettingsDep, client_address, get_auth_throttle
from service.errors import status_of
from service.exceptions import Forbidden, RateLimited, Unauthenticated
from service.ui import sessions
from service.ui.cookies import DeskCookie, cross_origin, plain_http_refused
from service.ui.deps import DeskWriterDep
from service.ui.render import FORM_RESHOWN, DeskRoute, render

router = APIRouter(prefix="/ui", route_class=DeskRoute)


def safe_next(target: str | None) -> str:
    """Only a path of the desk itself: never an open redirect to another site."""
    if target and target.startswith("/ui") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui/queue"


@router.get("")
def sign_in_page(request: Request, session: SessionDep, next: str | None = None) -> Response:
    """The sign-in form (or straight to the queue when already signed in)."""
    if sessions.get(session=session, raw_token=DeskCookie.session(request).read(request)):
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
    DeskCookie.sign_in(request).write(response, token, max_age=3600)
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
    # A refused sign-in changes nothing: the session this browser already has (if any) goes on.
    if plain_http_refused(request):
        raise Forbidden("The desk signs in over https only (UI_ALLOW_PLAIN_HTTP=false).")
    if cross_origin(request):
        raise Forbidden("A sign-in must be sent from the desk's own page.")
    if not sessions.csrf_matches(DeskCookie.sign_in(request).read(request), csrf_token):
        raise Forbidden("The sign-in form is out of date: reload the page and retry.")
    try:
        actor = get_auth_throttle().authenticate(
            session=session, raw_key=api_key.strip(), client=client_address(request)
        )
    except Unauthenticated:
        return _sign_in_form(
            request,
            next_path=safe_next(next),
            error="That key is unknown or revoked.",
            status_code=FORM_RESHOWN,
        )
    except RateLimited as exc:
        refused = _sign_in_form(
            request,
            next_path=safe_next(next),
            error=f"Too many wrong keys from this address: try again in {exc.retry_after_s} s.",
            status_code=status_of(exc),
        )
        refused.headers["Retry-After"] = str(exc.retry_after_s)
        return refused
    _user, raw_token = sessions.create(session=session, actor=actor, hours=settings.ui_session_hours)
    # A new sign-in replaces whatever session this browser held before.
    sessions.delete(session=session, raw_token=DeskCookie.session(request).read(request))
    response = RedirectResponse(safe_next(next), status_code=303)
    DeskCookie.session(request).write(response, raw_token, max_age=settings.ui_session_hours * 3600)
    DeskCookie.sign_in(request).clear(response)
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, _user: DeskWriterDep) -> Response:
    """End the session on the server and forget the cookie."""
    sessions.delete(session=session, raw_token=DeskCookie.session(request).read(request))
    response = RedirectResponse("/ui", status_code=303)
    DeskCookie.session(request).clear(response)
    return response
