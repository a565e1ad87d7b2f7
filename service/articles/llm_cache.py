"""The LLM extraction cache kept in the database (`llm_cache`), so a resubmitted text costs no call."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.articles.models import LLMCacheEntry


class DatabaseExtractionCache:
    """`ExtractionCache` over the request's session; entries are committed with the article."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored extraction for `key`, or None."""
        entry = self.session.get(LLMCacheEntry, key)
        return None if entry is None else dict(entry.value)

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Store `value` under `key`; a concurrent request that stored it first wins, harmlessly."""
        try:
            # A savepoint, so a duplicate key rolls back this insert only, not the article's transaction.
            with self.session.begin_nested():
                self.session.add(LLMCacheEntry(key=key, value=value))
        except IntegrityError:
            pass
