"""Server-side sessions of the review desk: sign in with an API key, hold it behind a random cookie token.

The cookie carries a 256-bit random token; the table stores only its SHA-256 (like API keys), the key it
stands for, a per-session CSRF token and an expiry. A revoked key ends its sessions at the next request.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete as sql_delete
from sqlmodel import Session, col, select

from service.auth import service as auth
from service.auth.models import ApiKey
from service.db import as_utc, utcnow
from service.ui.models import UiSession

# Base names; over https they carry the __Host- prefix (service/ui/cookies.py).
SESSION_COOKIE = "cc_ui_session"
SIGN_IN_COOKIE = "cc_ui_sign_in"  # double-submit CSRF token of the sign-in form (no session exists yet)


@dataclass(frozen=True)
class DeskUser:
    """Who is signed in to the desk: the API actor, and the CSRF token every form of theirs carries."""

    actor: auth.Actor
    csrf_token: str

    def can(self, permission: auth.Permission) -> bool:
        return self.actor.can(permission)


def new_token() -> str:
    """A fresh random token for a cookie or a form."""
    return secrets.token_urlsafe(32)


def create(*, session: Session, actor: auth.Actor, hours: int) -> tuple[DeskUser, str]:
    """Open a session for an authenticated actor: (user, cookie token)."""
    raw_token = new_token()
    ui_session = UiSession(
        token_hash=auth.hash_key(raw_token),
        key_id=actor.key_id,
        csrf_token=new_token(),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(ui_session)
    # Sessions that ran out are never used again; clear them while writing anyway.
    session.execute(sql_delete(UiSession).where(col(UiSession.expires_at) < utcnow()))
    session.commit()
    return DeskUser(actor=actor, csrf_token=ui_session.csrf_token), raw_token


def get(*, session: Session, raw_token: str | None) -> DeskUser | None:
    """The signed-in user behind a cookie token, or None when it is unknown, expired or its key revoked."""
    if not raw_token:
        return None
    found = session.exec(
        select(UiSession, ApiKey)
        .join(ApiKey, col(ApiKey.id) == col(UiSession.key_id))
        .where(UiSession.token_hash == auth.hash_key(raw_token))
    ).first()
    if found is None:
        return None
    ui_session, api_key = found
    if as_utc(ui_session.expires_at) <= utcnow() or api_key.revoked_at is not None:
        return None
    return DeskUser(actor=auth.Actor.of(api_key), csrf_token=ui_session.csrf_token)


def delete(*, session: Session, raw_token: str | None) -> None:
    """End the session behind a cookie token (signing out); unknown tokens are ignored."""
    if raw_token:
        session.execute(sql_delete(UiSession).where(col(UiSession.token_hash) == auth.hash_key(raw_token)))
        session.commit()


def csrf_matches(expected: str | None, presented: str | None) -> bool:
    """Constant-time comparison of a form's CSRF token with the one it must equal."""
    if not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())
