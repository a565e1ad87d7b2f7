"""How the desk answers: templates with their filters, the security headers, and errors shown as pages."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from service.auth.service import Permission
from service.db import as_utc
from service.errors import status_of
from service.exceptions import DomainError
from service.net.urls import is_http_url
from service.safe_json import script_safe
from service.ui.sessions import DeskUser

UI_DIR = Path(__file__).resolve().parent
STATIC_DIR = UI_DIR / "static"
templates = Jinja2Templates(directory=UI_DIR / "templates")
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
                status = status_of(exc)
                return render(
                    request,
                    "error.html",
                    {"title": exc.code.replace("_", " "), "message": exc.message, "status": status},
                    status_code=status,
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


def render(request: Request, template: str, context: dict[str, Any], *, status_code: int = 200) -> Response:
    """A template rendered with the desk's security headers."""
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


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


def json_script(text: str) -> Markup:
    """JSON safe inside <script>: '<', '>' and '&' as JSON escapes, so no '</script>' can end it early."""
    return Markup(script_safe(text))


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


def outbound_href(url: str | None) -> str:
    """An external link's href: the URL when it is http(s), else '#'. New rows cannot hold another scheme,
    but rows stored by older releases may (the desk CSP would stop a `javascript:` one; this keeps it out)."""
    return url if url and is_http_url(url) else "#"


templates.env.filters["outbound"] = outbound_href
