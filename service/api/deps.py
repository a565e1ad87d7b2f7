"""The dependencies every router states in its signature: session, key with permission, If-Match."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlmodel import Session

from service.auth import service as auth
from service.auth.ratelimit import FailedAuthThrottle, RateLimiter
from service.db import get_session
from service.exceptions import PreconditionRequired
from service.settings import Settings, get_settings

SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@lru_cache
def get_rate_limiter() -> RateLimiter:
    settings = get_settings()
    return RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)


@lru_cache
def get_auth_throttle() -> FailedAuthThrottle:
    return FailedAuthThrottle(get_settings().auth_failures_per_minute)


def client_address(request: Request) -> str:
    """The client's address (behind a proxy, uvicorn's --proxy-headers puts the forwarded one here)."""
    return request.client.host if request.client else "unknown"


def bearer_key(request: Request) -> str | None:
    """The raw key from 'Authorization: Bearer <key>', if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def require(permission: auth.Permission, *, query_key: bool = False) -> Callable[..., auth.Actor]:
    """A dependency that authenticates the bearer key and checks its role grants `permission`.

    `query_key` also accepts `?key=` (only where a wire format we imitate expects it: Google's APIs do).
    """

    def dependency(request: Request, session: SessionDep) -> auth.Actor:
        raw_key = bearer_key(request) or (request.query_params.get("key") if query_key else None)
        actor = get_auth_throttle().authenticate(
            session=session, raw_key=raw_key, client=client_address(request)
        )
        get_rate_limiter().check(actor.key_id)
        request.state.actor = actor
        return auth.authorize(actor, permission)

    dependency.permission = permission  # type: ignore[attr-defined]  # read by the role-matrix test
    return dependency


ReadKey = Annotated[auth.Actor, Depends(require(auth.Permission.read))]
SubmitKey = Annotated[auth.Actor, Depends(require(auth.Permission.submit))]
ImportKey = Annotated[auth.Actor, Depends(require(auth.Permission.import_))]
ReviewKey = Annotated[auth.Actor, Depends(require(auth.Permission.review))]
AdminKey = Annotated[auth.Actor, Depends(require(auth.Permission.admin))]
_read_key = require(auth.Permission.read)


def key_when_protected(request: Request, session: SessionDep, settings: SettingsDep) -> None:
    """A read key, but only where the deployment asked for one (PROTECT_DOCS_AND_METRICS): /metrics,
    /openapi.json and /docs are open by default."""
    if settings.protect_docs_and_metrics:
        _read_key(request, session)


KeyWhenProtected = Annotated[None, Depends(key_when_protected)]


def if_match(if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> str:
    """The ETag a write expects the resource to still have (428 when missing)."""
    if not if_match:
        raise PreconditionRequired(
            "Send the claim's current ETag in If-Match (GET the claim first).",
            details={"header": "If-Match"},
        )
    return if_match.strip()


IfMatch = Annotated[str, Depends(if_match)]
