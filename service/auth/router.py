"""HTTP for API keys (admin only)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from service.api.deps import AdminKey, SessionDep
from service.auth import service
from service.auth.models import ApiKey, Role
from service.db import as_utc

router = APIRouter(prefix="/v1/keys", tags=["keys"])


class KeyIn(BaseModel):
    role: Role
    name: str = Field(min_length=1, max_length=200)


class KeyOut(BaseModel):
    id: int
    name: str
    role: Role
    prefix: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def from_key(cls, api_key: ApiKey) -> KeyOut:
        assert api_key.id is not None
        return cls(
            id=api_key.id,
            name=api_key.name,
            role=Role(api_key.role),
            prefix=api_key.key_prefix,
            created_at=as_utc(api_key.created_at),
            revoked_at=as_utc(api_key.revoked_at) if api_key.revoked_at else None,
        )


class KeyCreated(KeyOut):
    key: str = Field(description="The secret. Shown only in this response: store it now.")


@router.post("", status_code=201)
def create_key(body: KeyIn, session: SessionDep, _key: AdminKey) -> KeyCreated:
    """Create a key; its secret is in this response and nowhere else."""
    api_key, raw_key = service.create(session=session, role=body.role, name=body.name)
    return KeyCreated(**KeyOut.from_key(api_key).model_dump(), key=raw_key)


@router.get("")
def list_keys(session: SessionDep, _key: AdminKey, include_revoked: bool = False) -> list[KeyOut]:
    """Every key (without secrets)."""
    return [KeyOut.from_key(k) for k in service.get_all(session=session, include_revoked=include_revoked)]


@router.delete("/{key_id}", status_code=204)
def revoke_key(key_id: int, session: SessionDep, _key: AdminKey) -> Response:
    """Revoke a key at once."""
    service.revoke(session=session, key_id=key_id)
    return Response(status_code=204)
