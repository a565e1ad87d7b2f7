"""Opaque cursors for keyset pagination: the client hands back what the last page gave it.

Pure: the domain encodes its own keyset positions here; `service/api/pagination.py` has the page model.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any, Protocol

from service.exceptions import InvalidInput


def encode_cursor(position: dict[str, Any]) -> str:
    """Pack a keyset position (e.g. {"id": 42}) into an opaque URL-safe string."""
    raw = json.dumps(position, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    """Unpack a cursor made by encode_cursor; a tampered one is InvalidInput, never a crash."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("cursor: not a cursor this API issued", details={"field": "cursor"}) from exc
    if not isinstance(position, dict):
        raise InvalidInput("cursor: not a cursor this API issued", details={"field": "cursor"})
    return position


def cursor_id(cursor: str | None) -> int | None:
    """The last id of the previous page, for id-ordered listings."""
    if cursor is None:
        return None
    last_id = decode_cursor(cursor).get("id")
    if not isinstance(last_id, int):
        raise InvalidInput("cursor: not a cursor this API issued", details={"field": "cursor"})
    return last_id


class HasId(Protocol):
    @property
    def id(self) -> int | None: ...


def next_id_cursor(rows: Sequence[HasId], limit: int) -> str | None:
    """The cursor of the next page of an id-ordered listing; None when this page was short, so the last."""
    return encode_cursor({"id": rows[-1].id}) if rows and len(rows) == limit else None
