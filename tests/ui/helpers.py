"""Shared by the desk tests: claims stored straight through a session, sign-in through the form."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

import service.models  # noqa: F401  (every table, so the claim's foreign keys resolve)
from service.claims import service as claims
from service.claims.models import Claim
from service.claims.text import claim_text_hash, normalize_claim_text

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def store_claim(engine: Engine, text: str, **fields: Any) -> int:
    """A claim with its 'created' history entry, as an extractor or import would leave it."""
    with Session(engine) as session:
        claim = Claim(
            text=text, text_normalized=normalize_claim_text(text), text_hash=claim_text_hash(text), **fields
        )
        session.add(claim)
        session.flush()
        claims.record_event(session=session, claim=claim, actor=None, action="created", after=text)
        session.commit()
        assert claim.id is not None
        return claim.id


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF_FIELD.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)
