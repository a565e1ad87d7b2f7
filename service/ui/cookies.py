"""The desk's two cookies (the session, and the sign-in form's double-submit token), named by scheme.

Over https they are `__Host-` cookies: Secure, Path=/, no Domain, which the browser accepts only from
this exact origin, so a page on another port or subdomain of the host cannot plant one (cookie tossing),
and the server reads only those names there. Plain http (a laptop, `make run`) cannot have them; the
desk then uses unprefixed cookies under /ui, unless UI_ALLOW_PLAIN_HTTP=false refuses it. Behind a TLS
proxy, the scheme is the forwarded one (uvicorn's --proxy-headers, FORWARDED_ALLOW_IPS).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response

from service.settings import get_settings
from service.ui.sessions import SESSION_COOKIE, SIGN_IN_COOKIE

HOST_PREFIX = "__Host-"


@dataclass(frozen=True)
class DeskCookie:
    """Where one desk cookie lives for this request's scheme."""

    name: str
    path: str
    secure: bool

    @classmethod
    def of(cls, base: str, request: Request) -> DeskCookie:
        if request.url.scheme == "https":
            return cls(name=HOST_PREFIX + base, path="/", secure=True)
        return cls(name=base, path="/ui", secure=False)

    @classmethod
    def session(cls, request: Request) -> DeskCookie:
        return cls.of(SESSION_COOKIE, request)

    @classmethod
    def sign_in(cls, request: Request) -> DeskCookie:
        return cls.of(SIGN_IN_COOKIE, request)

    def read(self, request: Request) -> str | None:
        return request.cookies.get(self.name)

    def write(self, response: Response, value: str, *, max_age: int) -> None:
        response.set_cookie(
            self.name,
            value,
            max_age=max_age,
            path=self.path,
            httponly=True,
            samesite="strict",
            secure=self.secure,
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(
            self.name, path=self.path, httponly=True, samesite="strict", secure=self.secure
        )


def plain_http_refused(request: Request) -> bool:
    """True when this is plain http and the deployment allows the desk over https only."""
    return request.url.scheme != "https" and not get_settings().ui_allow_plain_http


def cross_origin(request: Request) -> bool:
    """True for a form posted from a page of another origin (another port of the host counts): what
    SameSite cookies do not stop, since a site includes every port."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin == "null"
    return origin.rstrip("/") != f"{request.url.scheme}://{request.url.netloc}"
