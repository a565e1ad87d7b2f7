"""API keys: created at random, shown once, stored as SHA-256 hashes, checked per request."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from service.auth.models import ApiKey, Role
from service.db import utcnow
from service.exceptions import Forbidden, NotFound, Unauthenticated

log = logging.getLogger("claimcheck.auth")

KEY_PREFIX = "cc_"
BOOTSTRAP_KEY_NAME = "bootstrap-admin"
# Said wherever a key is missing (401s, the desk's sign-in page).
HOW_TO_GET_A_KEY = (
    "Ask an admin for one, or on the server run `.venv/bin/claimcheck keys create --role admin --name me` "
    "(the key is printed once), or start it with CLAIMCHECK_ADMIN_KEY set."
)


class Permission(StrEnum):
    read = "read"
    submit = "submit"
    import_ = "import"
    review = "review"
    publish = "publish"
    admin = "admin"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.reader: frozenset({Permission.read}),
    Role.newsroom: frozenset({Permission.read, Permission.submit, Permission.import_}),
    Role.checker: frozenset({Permission.read, Permission.review, Permission.publish}),
    Role.admin: frozenset(Permission),
}


@dataclass(frozen=True)
class Actor:
    """Who is making a request: the key's id, its name and its role."""

    key_id: int
    name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    @classmethod
    def of(cls, api_key: ApiKey) -> Actor:
        """The actor a stored key stands for."""
        assert api_key.id is not None
        return cls(key_id=api_key.id, name=api_key.name, role=Role(api_key.role))


def actor_of_key(*, session: Session, key_id: int | None) -> Actor | None:
    """The actor behind a stored key id (who submitted an article or an import); None when unknown."""
    api_key = session.get(ApiKey, key_id) if key_id is not None else None
    return Actor.of(api_key) if api_key is not None else None


def hash_key(raw_key: str) -> str:
    """Keys are 256-bit random strings, so a fast hash is enough; no salt is needed to resist guessing."""
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def create(*, session: Session, role: Role, name: str, raw_key: str | None = None) -> tuple[ApiKey, str]:
    """Store a new key and return it with its secret, which is never retrievable again."""
    raw_key = raw_key or KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(name=name, role=role.value, key_hash=hash_key(raw_key), key_prefix=raw_key[:8])
    session.add(api_key)
    session.commit()
    session.refresh(api_key)
    return api_key, raw_key


def get_all(*, session: Session, include_revoked: bool = False) -> list[ApiKey]:
    """Every key, oldest first."""
    query = select(ApiKey).order_by(col(ApiKey.id))
    if not include_revoked:
        query = query.where(col(ApiKey.revoked_at).is_(None))
    return list(session.exec(query))


def revoke(*, session: Session, key_id: int) -> ApiKey:
    """Revoke a key; requests with it are rejected from the next one on."""
    api_key = session.get(ApiKey, key_id)
    if api_key is None or api_key.revoked_at is not None:
        raise NotFound(f"No active key with id {key_id}.")
    api_key.revoked_at = utcnow()
    session.add(api_key)
    session.commit()
    return api_key


def authenticate(*, session: Session, raw_key: str | None) -> Actor:
    """The actor behind a raw key, or Unauthenticated."""
    if not raw_key:
        raise Unauthenticated(
            f"An API key is required: send 'Authorization: Bearer <key>'. {HOW_TO_GET_A_KEY}"
        )
    presented_hash = hash_key(raw_key)
    api_key = session.exec(select(ApiKey).where(ApiKey.key_hash == presented_hash)).first()
    # The lookup is by hash, so timing reveals nothing about the secret; compare_digest keeps it so.
    if (
        api_key is None
        or api_key.revoked_at is not None
        or not hmac.compare_digest(api_key.key_hash, presented_hash)
    ):
        raise Unauthenticated(f"Unknown or revoked API key. {HOW_TO_GET_A_KEY}")
    return Actor.of(api_key)


def authorize(actor: Actor, permission: Permission) -> Actor:
    """The actor, if its role grants the permission; Forbidden otherwise."""
    if not actor.can(permission):
        raise Forbidden(
            f"A '{actor.role.value}' key may not {permission.value}.",
            details={"role": actor.role.value, "needs": permission.value},
        )
    return actor


def ensure_bootstrap_admin(*, session: Session, raw_key: str) -> None:
    """Make sure an admin key with exactly this value exists (how a deployment bootstraps).

    A key with this value that was revoked stays revoked: a revocation is the answer to a leaked key,
    and a restart with the old environment must not undo it. The log says so, and what to do.
    """
    existing = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(raw_key))).first()
    if existing is None:
        create(session=session, role=Role.admin, name=BOOTSTRAP_KEY_NAME, raw_key=raw_key)
    elif existing.revoked_at is not None:
        log.warning(
            "CLAIMCHECK_ADMIN_KEY is a key revoked at %s; it stays revoked: set a new value to bootstrap "
            "an admin key, or create one with `claimcheck keys create --role admin`",
            existing.revoked_at.isoformat(),
            extra={"key_id": existing.id, "key_prefix": existing.key_prefix},
        )


def revoke_old_bootstrap_keys(*, session: Session, keep_raw_key: str | None) -> list[ApiKey]:
    """Revoke every active bootstrap admin key except the one with the value `keep_raw_key` (the current
    CLAIMCHECK_ADMIN_KEY): each value the variable ever had stays an admin key until this runs."""
    query = select(ApiKey).where(col(ApiKey.name) == BOOTSTRAP_KEY_NAME, col(ApiKey.revoked_at).is_(None))
    if keep_raw_key:
        query = query.where(col(ApiKey.key_hash) != hash_key(keep_raw_key))
    revoked = list(session.exec(query))
    now = utcnow()
    for api_key in revoked:
        api_key.revoked_at = now
        session.add(api_key)
    session.commit()
    return revoked
