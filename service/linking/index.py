"""Candidate search inside the database: SQLite FTS5 or PostgreSQL full-text, best `limit` passages first.

The index is maintained by the database itself (triggers, see migration 0014), so a passage is
searchable the moment its transaction commits. User text never reaches a query
language unescaped: FTS5 terms are quoted strings, PostgreSQL terms go through `phraseto_tsquery`
as bound parameters.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as columns_select
from sqlalchemy import text
from sqlmodel import Session, col

from service.db import is_sqlite
from service.linking.models import Passage, Source

# bm25 weight of a match in the source title against one in the passage text: a Wikipedia sentence
# about "it" is about its article's title (tuned on the Climate-FEVER dev half, see bench/).
TITLE_WEIGHT = 2.0


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
    """An FTS5 query that ORs the terms, each a quoted string (a phrase) so no user text is FTS syntax.

    >>> fts5_match_expression(['NATO', 'NEAR', 'a"b', 'united kingdom'])
    '"NATO" OR "NEAR" OR "a""b" OR "united kingdom"'
    """
    return " OR ".join(_fts5_quoted(term) for term in terms if term.strip())


@dataclass(frozen=True)
class FullTextHit:
    """A full-text match: its rank score (title and text weighted) and the two fields' own scores."""

    passage_id: int
    score: float
    text_score: float
    title_score: float
    text: str
    title: str


def _sqlite_search(session: Session, terms: Sequence[str], limit: int) -> list[FullTextHit]:
    expression = fts5_match_expression(terms)
    if not expression:
        return []
    # bm25() is lower-is-better; negated, higher is better.
    rows = session.execute(
        text(
            "SELECT rowid, -bm25(passage_search, :title_weight, 1.0) AS score, "
            "-bm25(passage_search, 0.0, 1.0), -bm25(passage_search, 1.0, 0.0), text, title "
            "FROM passage_search "
            "WHERE passage_search MATCH :expression ORDER BY score DESC LIMIT :limit"
        ),
        {"expression": expression, "limit": limit, "title_weight": TITLE_WEIGHT},
    )
    return [FullTextHit(row[0], float(row[1]), float(row[2]), float(row[3]), row[4], row[5]) for row in rows]


# ts_rank has no inverse document frequency, so a common word ranks like a rare one; the PostgreSQL
# search weighs each term by its bm25 idf, counted at most every IDF_SECONDS per term and process
# (document frequencies drift slowly; an exact count per query would cost as much as the search).
IDF_SECONDS = 600.0
_idf_cache: dict[tuple[str, str], tuple[float, float]] = {}
_idf_lock = threading.Lock()


def _postgres_idf(session: Session, terms: Sequence[str]) -> dict[str, float]:
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    now = time.monotonic()
    with _idf_lock:
        fresh = {
            term: found[1]
            for term in terms
            if (found := _idf_cache.get((database, term))) is not None and now - found[0] < IDF_SECONDS
        }
    stale = [term for term in terms if term not in fresh]
    if stale:
        parameters: dict[str, object] = {f"t{n}": term for n, term in enumerate(stale)}
        counts = ", ".join(
            f"count(*) FILTER (WHERE search_vector @@ phraseto_tsquery('english'::regconfig, :t{n}))"
            for n in range(len(stale))
        )
        row = session.execute(
            text(
                f"SELECT (SELECT count(*) FROM passage), {counts} FROM passage WHERE search_vector @@ ("
                + " || ".join(f"phraseto_tsquery('english'::regconfig, :t{n})" for n in range(len(stale)))
                + ")"
            ),
            parameters,
        ).one()
        total = float(row[0])
        with _idf_lock:
            for term, frequency in zip(stale, row[1:], strict=True):
                idf = math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))
                _idf_cache[(database, term)] = (now, idf)
                fresh[term] = idf
    return fresh


def _postgres_search(session: Session, terms: Sequence[str], limit: int) -> list[FullTextHit]:
    usable = [term for term in dict.fromkeys(terms) if term.strip()]
    if not usable:
        return []
    idf = _postgres_idf(session, usable)
    parameters: dict[str, object] = {"limit": limit}
    queries, weighted = [], []
    for n, term in enumerate(usable):
        parameters[f"term{n}"] = term
        parameters[f"idf{n}"] = idf[term]
        # phraseto_tsquery: stop words drop out, a multi-word alias is a phrase, nothing is query syntax.
        query = f"phraseto_tsquery('english'::regconfig, :term{n})"
        queries.append(query)
        weighted.append(f"CASE WHEN passage.search_vector @@ {query} THEN :idf{n} ELSE 0 END")
    # The idf of the terms matched, scaled by ts_rank (term frequency and the title's weight A over the
    # text's B); the arrays {D, C, B, A} score each field alone.
    rows = session.execute(
        text(
            f"SELECT passage.id, ({' + '.join(weighted)}) "
            "* (1 + ts_rank(passage.search_vector, search.q)) AS score, "
            "ts_rank('{0, 0, 1, 0}', passage.search_vector, search.q), "
            "ts_rank('{0, 0, 0, 1}', passage.search_vector, search.q), passage.text, source.title "
            "FROM passage JOIN source ON source.id = passage.source_id, "
            f"(SELECT {' || '.join(queries)} AS q) AS search "
            "WHERE passage.search_vector @@ search.q ORDER BY score DESC, passage.id LIMIT :limit"
        ),
        parameters,
    )
    return [FullTextHit(row[0], float(row[1]), float(row[2]), float(row[3]), row[4], row[5]) for row in rows]


def search_passages(*, session: Session, terms: Sequence[str], limit: int) -> list[FullTextHit]:
    """Up to `limit` passages matching any of the terms, best first.

    SQLite FTS5 bm25 over title and text (porter stemming); PostgreSQL ts_rank over the english
    tsvector of both. Scores are comparable within one result list only.
    """
    if is_sqlite(session):
        return _sqlite_search(session, terms, limit)
    return _postgres_search(session, terms, limit)


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
