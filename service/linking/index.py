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
from itertools import combinations

from sqlalchemy import select as columns_select
from sqlalchemy import text
from sqlmodel import Session, col

from service.linking.models import Passage, Source

# Enough terms to describe a claim; more only slows the OR query without finding more.
MAX_QUERY_TERMS = 24
# Below this many passages pairing two key terms, the candidates are topped up from an OR of all
# terms; above it, that OR (a bm25 over a large share of the library) would only cost time.
MIN_PAIRED_CANDIDATES = 100


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


def _fts5_quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_match_expression(terms: Sequence[str]) -> str:
    """An FTS5 query that ORs the terms, each a quoted string so no user text is FTS syntax.

    >>> fts5_match_expression(['NATO', 'NEAR', 'a"b'])
    '"NATO" OR "NEAR" OR "a""b"'
    """
    quoted = [_fts5_quoted(term) for term in terms if term.strip()]
    return " OR ".join(quoted[:MAX_QUERY_TERMS])


def fts5_pairs_expression(key_terms: Sequence[str]) -> str:
    """An FTS5 query for passages holding at least two of the key terms (quoted, as above).

    >>> fts5_pairs_expression(['romania', 'bulgaria', 'nato'])
    '("romania" AND "bulgaria") OR ("romania" AND "nato") OR ("bulgaria" AND "nato")'
    """
    usable = [term for term in key_terms if term.strip()]
    return " OR ".join(
        f"({_fts5_quoted(first)} AND {_fts5_quoted(second)})" for first, second in combinations(usable, 2)
    )


def _sqlite_search(session: Session, expression: str, limit: int) -> list[tuple[int, str]]:
    if not expression:
        return []
    # FTS5 rank is bm25(), lower-is-better, so ascending order puts the best first.
    rows = session.execute(
        text(
            "SELECT rowid, text FROM passage_fts WHERE passage_fts MATCH :expression "
            "ORDER BY rank LIMIT :limit"
        ),
        {"expression": expression, "limit": limit},
    )
    return [(row[0], row[1]) for row in rows]


def _postgres_search(session: Session, groups: Sequence[Sequence[str]], limit: int) -> list[tuple[int, str]]:
    """Passages matching any group, where a group matches when all its terms do (ANDs ORed)."""
    parameters: dict[str, object] = {"limit": limit}
    ored = []
    for group in groups:
        anded = []
        for term in group:
            name = f"term{len(parameters)}"
            parameters[name] = term
            # plainto_tsquery: stop words drop out and nothing in the term is query syntax.
            anded.append(f"plainto_tsquery('english'::regconfig, :{name})")
        ored.append("(" + " && ".join(anded) + ")")
    if not ored:
        return []
    rows = session.execute(
        text(
            f"SELECT passage.id, passage.text FROM passage, (SELECT {' || '.join(ored)} AS q) AS search "
            "WHERE passage.search_vector @@ search.q "
            "ORDER BY ts_rank(passage.search_vector, search.q) DESC, passage.id LIMIT :limit"
        ),
        parameters,
    )
    return [(row[0], row[1]) for row in rows]


def _search(session: Session, groups: Sequence[Sequence[str]], limit: int) -> list[tuple[int, str]]:
    if session.get_bind().dialect.name == "sqlite":
        expression = " OR ".join(
            "(" + " AND ".join(_fts5_quoted(term) for term in group) + ")"
            if len(group) > 1
            else _fts5_quoted(group[0])
            for group in groups
        )
        return _sqlite_search(session, expression, limit)
    return _postgres_search(session, groups, limit)


def candidate_texts(
    *, session: Session, terms: Sequence[str], key_terms: Sequence[str] = (), limit: int
) -> list[tuple[int, str]]:
    """Up to `limit` (passage id, text) pairs, best database rank (bm25 / ts_rank) first.

    First the passages holding two or more of `key_terms` (a claim's item, entity and number
    words): an OR of every term matches a large share of a big library, and ranking all of those
    cost most of a query's time. When fewer than MIN_PAIRED_CANDIDATES pair up (a small library,
    a claim naming little), the rest comes from passages matching any of `terms`.
    Only ids and texts: the re-ranker reads hundreds of candidates, the evidence list shows ten.
    """
    usable_keys = [term for term in dict.fromkeys(key_terms) if term.strip()]
    found: list[tuple[int, str]] = []
    if len(usable_keys) >= 2:
        found = _search(session, list(combinations(usable_keys, 2)), limit)
    if len(found) < MIN_PAIRED_CANDIDATES:
        seen = {passage_id for passage_id, _text in found}
        usable = [(term,) for term in dict.fromkeys(terms) if term.strip()][:MAX_QUERY_TERMS]
        found.extend(
            (passage_id, passage_text)
            for passage_id, passage_text in _search(session, usable, limit)
            if passage_id not in seen
        )
    return found[:limit]


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
    """Up to `limit` passages matching any of `terms`, with their sources, best database rank first."""
    found = candidate_texts(session=session, terms=terms, limit=limit)
    return passages_by_id(session=session, passage_ids=[passage_id for passage_id, _text in found])
