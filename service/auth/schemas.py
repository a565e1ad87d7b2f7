"""What the keys API accepts and shows: never a key's hash, its secret only once."""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, Field

from service.auth.models import Role
from service.schemas import ResponseModel, UtcDateTime


class KeyIn(BaseModel):
    role: Role
    name: str = Field(min_length=1, max_length=200)


class KeyOut(ResponseModel):
    id: int
    name: str
    role: Role
    prefix: str = Field(validation_alias=AliasChoices("key_prefix", "prefix"))
    created_at: UtcDateTime
    revoked_at: UtcDateTime | None


class KeyCreated(KeyOut):
    key: str = Field(description="The secret. Shown only in this response: store it now.")
