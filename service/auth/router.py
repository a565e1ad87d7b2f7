"""HTTP for API keys (admin only)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from service.api.deps import AdminKey, SessionDep
from service.auth import service
from service.auth.schemas import KeyCreated, KeyIn, KeyOut

router = APIRouter(prefix="/v1/keys", tags=["keys"])


@router.post("", status_code=201)
def create_key(body: KeyIn, session: SessionDep, _key: AdminKey) -> KeyCreated:
    """Create a key; its secret is in this response and nowhere else."""
    api_key, raw_key = service.create(session=session, role=body.role, name=body.name)
    return KeyCreated.of(api_key, key=raw_key)


@router.get("")
def list_keys(session: SessionDep, _key: AdminKey, include_revoked: bool = False) -> list[KeyOut]:
    """Every key (without secrets)."""
    return [KeyOut.of(k) for k in service.get_all(session=session, include_revoked=include_revoked)]


@router.delete("/{key_id}", status_code=204)
def revoke_key(key_id: int, session: SessionDep, _key: AdminKey) -> Response:
    """Revoke a key at once."""
    service.revoke(session=session, key_id=key_id)
    return Response(status_code=204)
