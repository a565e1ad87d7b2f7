"""Candidate search inside the database: SQLite FTS5 or PostgreSQL full-text, best `limit` passages first.

The index is maintained by the database itself (FTS5 triggers, a generated tsvector column), so a
passage is searchable the moment its transaction commits. User text never reaches a query
language unescaped: FTS5 terms are quoted strings, PostgreSQL terms go through `plainto_tsquery`
as bound parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as columns_select
from sqlalchemy import text
from sqlmodel import Session, col

from service.linking.models import Passage, Source

# Enough terms to describe a claim; more only slows the OR query without finding more.
MAX_QUERY_TERMS = 24


@dataclass(frozen=True)
class CandidatePassage:
    """A passage with what the evidence list shows of its source."""

    passage_id: int
    source_id: int
    span_start: int
    span_end: int
    text: str
    url: str
    title: str
    publisher: str | None
    published_at: datetime | None


def fts5_match_expression(terms: Sequence[str]) -> str:
    """An FTS5 query that ORs the terms, each a quoted string so no user text is FTS syntax.

    >>> fts5_match_expression(['NATO', 'NEAR', 'a"b'])
    '"NATO" OR "NEAR" OR "a""b"'
    """
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms if term.strip()]
    return " OR ".join(quoted[:MAX_QUERY_TERMS])


def _candidate_ids_sqlite(session: Session, terms: Sequence[str], limit: int) -> list[int]:
    expression = fts5_match_expression(terms)
    if not expression:
        return []
    # FTS5 rank is bm25(), lower-is-better, so ascending order puts the best first.
    rows = session.execute(
        text("SELECT rowid FROM passage_fts WHERE passage_fts MATCH :expression ORDER BY rank LIMIT :limit"),
        {"expression": expression, "limit": limit},
    )
    return [row[0] for row in rows]


def _candidate_ids_postgres(session: Session, terms: Sequence[str], limit: int) -> list[int]:
    usable = [term for term in terms if term.strip()][:MAX_QUERY_TERMS]
    if not usable:
        return []
    parameters: dict[str, object] = {f"term{i}": term for i, term in enumerate(usable)}
    # Each term is its own plainto_tsquery (stop words drop out, nothing is syntax), ORed with ||.
    query = " || ".join(f"plainto_tsquery('english'::regconfig, :term{i})" for i in range(len(usable)))
    parameters["limit"] = limit
    rows = session.execute(
        text(
            f"SELECT passage.id FROM passage, ({'SELECT ' + query + ' AS q'}) AS search "
            "WHERE passage.search_vector @@ search.q "
            "ORDER BY ts_rank(passage.search_vector, search.q) DESC, passage.id LIMIT :limit"
        ),
        parameters,
    )
    return [row[0] for row in rows]


def passages_by_id(*, session: Session, passage_ids: Sequence[int]) -> list[CandidatePassage]:
    """The given passages with their sources, in the order of `passage_ids` (unknown ids skipped)."""
    if not passage_ids:
        return []
    # Plain columns, not ORM objects: building 200 entities per query cost more than the search.
    rows = session.execute(
        columns_select(
            col(Passage.id),
            col(Passage.source_id),
            col(Passage.span_start),
            col(Passage.span_end),
            col(Passage.text),
            col(Source.url),
            col(Source.title),
            col(Source.publisher),
            col(Source.published_at),
        )
        .join(Source, col(Source.id) == col(Passage.source_id))
        .where(col(Passage.id).in_(list(passage_ids)))
    )
    found = {row[0]: CandidatePassage(*row) for row in rows}
    return [found[passage_id] for passage_id in passage_ids if passage_id in found]


def candidate_passages(*, session: Session, terms: Sequence[str], limit: int) -> list[CandidatePassage]:
    """Up to `limit` passages matching any of `terms`, best database rank (bm25 / ts_rank) first."""
    if session.get_bind().dialect.name == "sqlite":
        ids = _candidate_ids_sqlite(session, terms, limit)
    else:
        ids = _candidate_ids_postgres(session, terms, limit)
    return passages_by_id(session=session, passage_ids=ids)
