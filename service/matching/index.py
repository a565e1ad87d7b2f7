"""Stemmed candidate search for matching: SQLite FTS5 (porter) or a PostgreSQL English tsvector.

Both index a claim's text and review headline (migration 0013). The query is an OR of the query's
content words, so any shared stem makes a candidate and BM25 (SQLite) or ts_rank (PostgreSQL) orders them.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlmodel import Session

from service.db import is_sqlite
from service.identity.tokens import STOPWORDS
from service.stopwords import content_words

MAX_QUERY_WORDS = 40
# Must equal the expression of the ix_claim_match_search index (migration 0013) exactly.
POSTGRES_VECTOR = "to_tsvector('english'::regconfig, coalesce(text, '') || ' ' || coalesce(summary, ''))"
_WORD = re.compile(r"[^\W_]+")


def query_words(query: str) -> list[str]:
    """Distinct lower-case content words, in order of appearance (at most MAX_QUERY_WORDS)."""
    return content_words(_WORD.findall(query.lower()), STOPWORDS)[:MAX_QUERY_WORDS]


def search(*, session: Session, query: str, limit: int) -> list[tuple[int, float]]:
    """(claim id, relevance: higher is better) of claims sharing a stem with the query, best first."""
    words = query_words(query)
    if not words:
        return []
    if is_sqlite(session):
        # bm25() is lower-is-better: sort ascending and negate for the caller. Each word quoted, or FTS5
        # would read AND/OR/NOT/NEAR as operators.
        rows = session.execute(
            text(
                "SELECT rowid, bm25(claim_match_fts) AS relevance FROM claim_match_fts "
                "WHERE claim_match_fts MATCH :match ORDER BY relevance LIMIT :limit"
            ),
            {"match": " OR ".join(f'"{word}"' for word in words), "limit": limit},
        )
        return [(int(claim_id), -float(relevance)) for claim_id, relevance in rows]
    # Stale statistics during an import make the planner pick a sequential scan that recomputes every
    # tsvector: keep it on the index.
    session.execute(text("SET LOCAL enable_seqscan = off"))
    rows = session.execute(
        text(
            f"SELECT id, ts_rank({POSTGRES_VECTOR}, query, 1) AS relevance "
            f"FROM claim, to_tsquery('english', :query) AS query WHERE {POSTGRES_VECTOR} @@ query "
            "ORDER BY relevance DESC LIMIT :limit"
        ),
        {"query": " | ".join(words), "limit": limit},
    )
    return [(int(claim_id), float(relevance)) for claim_id, relevance in rows]
