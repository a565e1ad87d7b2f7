"""Candidate search over claims inside the database: SQLite FTS5, PostgreSQL tsvector GIN.

Matching and duplicate detection ask this for candidates, then re-rank them in Python. On SQLite the
query keeps only the query's rarest words (document frequencies from an fts5vocab view): an OR over
every word would score most of a 100k-claim table for each query.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import bindparam, text
from sqlmodel import Session

from service.db import is_sqlite
from service.stopwords import ENGLISH, SOCIAL, content_words

# Words too common to narrow a search; imported claims include social-media posts.
STOPWORDS = ENGLISH | SOCIAL
MAX_QUERY_TERMS = 32
MATCH_TERMS = 10
DUPLICATE_TERMS = 3
# Near-duplicate candidates are fetched unranked up to this many; a row that hits the cap asks again,
# ranked, for its best few (ranking costs FTS5 a bm25 per match: four times the plain lookup).
DUPLICATE_CANDIDATE_CAP = 16
DUPLICATE_RANKED_LIMIT = 5

# Stored claims fetched per signature key; a key more claims share than this (a bare year, say) is
# searched by words as well, like a claim without one.
KEY_GROUP_CAP = 32
# Bound values per statement, under the limit of SQLite builds before 3.32.
PARAMETERS_PER_QUERY = 500

CREATE_VOCABULARY = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.claim_fts_vocab USING fts5vocab(main, claim_fts, row)"
)

# Must match the expression of the ix_claim_search index (migration 0003) exactly, or PostgreSQL
# will not use the index.
POSTGRES_VECTOR = (
    "to_tsvector('simple'::regconfig, coalesce(text_normalized, '') || ' ' || coalesce(summary, ''))"
)


class StoredClaim(NamedTuple):
    """What duplicate detection reads of a stored claim."""

    id: int
    text: str
    signature: str | None


def _prefer_index(session: Session) -> None:
    """Use the GIN index even when statistics are stale: a table that grew during an import still looks
    empty to the planner, and a sequential scan re-computing every tsvector per query is quadratic."""
    session.execute(text("SET LOCAL enable_seqscan = off"))


def query_terms(text_normalized: str) -> list[str]:
    """Distinct content words of normalised text, in order of appearance."""
    return content_words(text_normalized.split(), STOPWORDS)[:MAX_QUERY_TERMS]


def document_frequencies(*, session: Session, terms: Iterable[str]) -> dict[str, int]:
    """How many claims contain each word (SQLite only; an empty dict elsewhere)."""
    wanted = sorted(set(terms))
    if not wanted or not is_sqlite(session):
        return {}
    # Straight to the driver: asked for thousands of words per import batch.
    driver = session.connection().connection.driver_connection
    assert driver is not None
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        statement = (
            f"SELECT term, doc FROM temp.claim_fts_vocab WHERE term IN ({', '.join('?' for _ in part)})"
        )
        try:
            rows = driver.execute(statement, part).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            # The vocabulary view is per connection (a TEMP table): make it once, then ask again.
            driver.execute(CREATE_VOCABULARY)
            rows = driver.execute(statement, part).fetchall()
        found.update({str(term): int(doc) for term, doc in rows})
    return {term: found.get(term, 0) for term in wanted}


def rarest(terms: list[str], frequencies: dict[str, int], count: int) -> list[str]:
    """The `count` rarest words that some claim contains (all words, in order, without frequencies)."""
    if not frequencies:
        return terms[:count] if count < len(terms) else terms
    present = [term for term in terms if frequencies.get(term, 0) > 0]
    return sorted(present, key=lambda term: frequencies[term])[:count]


def near_duplicate_terms(
    *, session: Session, terms_by_row: Sequence[list[str]], frequencies: dict[str, int]
) -> list[list[str]]:
    """For each row, the words a near-duplicate must share two of: the three rarest that some claim has
    (SQLite), or, with no cheap word frequencies (PostgreSQL), the three longest."""
    if is_sqlite(session):
        return [rarest(terms, frequencies, DUPLICATE_TERMS) for terms in terms_by_row]
    return [sorted(terms, key=len, reverse=True)[:DUPLICATE_TERMS] for terms in terms_by_row]


def _quoted(term: str) -> str:
    # Each word quoted: FTS5 would read bare words like AND/NOT/NEAR as operators.
    return f'"{term}"'


def candidate_claims(
    *,
    session: Session,
    text_normalized: str,
    limit: int,
    frequencies: dict[str, int] | None = None,
) -> list[tuple[int, float]]:
    """(claim id, lexical relevance, higher is better) for claims sharing words with the text, best first."""
    terms = query_terms(text_normalized)
    if not terms:
        return []
    if is_sqlite(session):
        if frequencies is None:
            frequencies = document_frequencies(session=session, terms=terms)
        chosen = rarest(terms, frequencies, MATCH_TERMS)
        if not chosen:
            return []
        # bm25() is lower-is-better, so sort ascending and negate for the caller.
        rows = session.execute(
            text(
                "SELECT rowid, bm25(claim_fts, 1.0, 0.6) AS relevance FROM claim_fts "
                "WHERE claim_fts MATCH :match ORDER BY relevance LIMIT :limit"
            ),
            {"match": " OR ".join(_quoted(term) for term in chosen), "limit": limit},
        )
        return [(int(claim_id), -float(relevance)) for claim_id, relevance in rows]
    query = " | ".join(term.replace("'", "") for term in terms if term.replace("'", ""))
    _prefer_index(session)
    rows = session.execute(
        text(
            f"SELECT id, ts_rank_cd({POSTGRES_VECTOR}, to_tsquery('simple', :query), 1) AS relevance "
            f"FROM claim WHERE {POSTGRES_VECTOR} @@ to_tsquery('simple', :query) "
            "ORDER BY relevance DESC LIMIT :limit"
        ),
        {"query": query, "limit": limit},
    )
    return [(int(claim_id), float(relevance)) for claim_id, relevance in rows]


def _postgres_near_duplicates(*, session: Session, chosen: list[str], limit: int) -> list[StoredClaim]:
    """Claims with two of the chosen words (all of them when fewer)."""
    words = [word for word in (term.replace("'", "") for term in chosen) if word]
    if not words:
        return []
    pairs = [f"{a} & {b}" for n, a in enumerate(words) for b in words[n + 1 :]] if len(words) > 1 else words
    _prefer_index(session)
    rows = session.execute(
        text(
            f"SELECT id, text, signature FROM claim "
            f"WHERE {POSTGRES_VECTOR} @@ to_tsquery('simple', :query) LIMIT :limit"
        ),
        {"query": " | ".join(f"({pair})" for pair in pairs), "limit": limit},
    )
    return [StoredClaim(int(claim_id), str(stored), signature) for claim_id, stored, signature in rows]


def _pair_match(chosen: list[str]) -> str:
    """FTS5 query for 'at least two of these three words' (all of them when fewer)."""
    if len(chosen) < 3:
        return " AND ".join(_quoted(term) for term in chosen)
    first, second, third = (_quoted(term) for term in chosen)
    return f"({first} AND {second}) OR ({first} AND {third}) OR ({second} AND {third})"


def near_duplicate_candidates_for_batch(
    *, session: Session, chosen_by_row: Sequence[list[str]]
) -> list[list[StoredClaim]]:
    """For each row's `near_duplicate_terms`, the claims with two of them.

    SQLite: one prepared id-only lookup per row (no join, no ranking unless a row has many candidates),
    then one query for all the candidates' texts. A compound SELECT of a few hundred rows' lookups was
    measured slower than the prepared statement reused row after row (0.097 against 0.068 ms a row).
    PostgreSQL: a query per row.
    """
    if not is_sqlite(session):
        return [
            _postgres_near_duplicates(session=session, chosen=chosen, limit=DUPLICATE_RANKED_LIMIT)
            for chosen in chosen_by_row
        ]
    matches = {row: _pair_match(chosen) for row, chosen in enumerate(chosen_by_row) if chosen}
    driver = session.connection().connection.driver_connection
    assert driver is not None
    ids_by_row: dict[int, list[int]] = {}
    for row, match in matches.items():
        found = driver.execute(
            "SELECT rowid FROM claim_fts WHERE claim_fts MATCH ? LIMIT ?", (match, DUPLICATE_CANDIDATE_CAP)
        ).fetchall()
        if len(found) >= DUPLICATE_CANDIDATE_CAP:
            found = driver.execute(
                "SELECT rowid FROM claim_fts WHERE claim_fts MATCH ? ORDER BY rank LIMIT ?",
                (match, DUPLICATE_RANKED_LIMIT),
            ).fetchall()
        ids_by_row[row] = [int(claim_id) for (claim_id,) in found]
    wanted = sorted({claim_id for claim_ids in ids_by_row.values() for claim_id in claim_ids})
    claims: dict[int, StoredClaim] = {}
    for start in range(0, len(wanted), PARAMETERS_PER_QUERY):
        part_ids = wanted[start : start + PARAMETERS_PER_QUERY]
        placeholders = ", ".join("?" for _ in part_ids)
        found = driver.execute(
            f"SELECT id, text, signature FROM claim WHERE id IN ({placeholders})", part_ids
        ).fetchall()
        claims.update(
            {int(claim_id): StoredClaim(int(claim_id), str(stored), sig) for claim_id, stored, sig in found}
        )
    return [
        [claims[claim_id] for claim_id in ids_by_row.get(row, []) if claim_id in claims]
        for row in range(len(chosen_by_row))
    ]


def _rows(session: Session, sqlite_statement: str, values: Sequence[Any]) -> list[Any]:
    """Rows of a statement with one `IN (...)` list: straight to the driver on SQLite (SQLAlchemy's
    handling of a few thousand bound values costs several times the lookup itself), an expanding
    parameter elsewhere. `sqlite_statement` has `{values}` where the list goes."""
    if is_sqlite(session):
        driver = session.connection().connection.driver_connection
        assert driver is not None
        placeholders = ", ".join("?" for _ in values)
        return list(driver.execute(sqlite_statement.format(values=placeholders), list(values)).fetchall())
    # An expanding parameter renders its own parentheses.
    expanded = sqlite_statement.replace("({values})", ":values")
    statement = text(expanded).bindparams(bindparam("values", expanding=True))
    return list(session.execute(statement, {"values": list(values)}).all())


def existing_by_hash(*, session: Session, hashes: Sequence[str]) -> dict[tuple[str, str], int]:
    """The oldest stored claim for each of these text hashes, by (text hash, signature key): the same
    words with different numbers ('1.000' and '1,000' normalise alike) are not the same claim."""
    wanted = sorted(set(hashes))
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(wanted), PARAMETERS_PER_QUERY):
        rows = _rows(
            session,
            "SELECT text_hash, signature_key, min(id) FROM claim WHERE text_hash IN ({values}) "
            "GROUP BY text_hash, signature_key",
            wanted[start : start + PARAMETERS_PER_QUERY],
        )
        found.update({(str(text_hash), str(key)): int(claim_id) for text_hash, key, claim_id in rows})
    return found


def stored_by_key(*, session: Session, keys: Iterable[str]) -> dict[str, list[StoredClaim]]:
    """The oldest claims with each of these signature keys, at most KEY_GROUP_CAP + 1 per key (more than
    the cap says the key is too common to stand alone)."""
    wanted = sorted(set(keys))
    groups: dict[str, list[StoredClaim]] = {}
    for start in range(0, len(wanted), PARAMETERS_PER_QUERY):
        rows = _rows(
            session,
            "SELECT id, signature_key, text, signature FROM ("
            "SELECT id, signature_key, text, signature, "
            "row_number() OVER (PARTITION BY signature_key ORDER BY id) AS position "
            "FROM claim WHERE signature_key IN ({values})) AS grouped "
            f"WHERE position <= {KEY_GROUP_CAP + 1}",
            wanted[start : start + PARAMETERS_PER_QUERY],
        )
        for claim_id, key, stored, signature in rows:
            groups.setdefault(str(key), []).append(StoredClaim(int(claim_id), str(stored), signature))
    return groups


def compact(*, session: Session) -> None:
    """Merge the SQLite claim index into one segment (a no-op elsewhere).

    Every committed batch adds index segments, and each lookup searches every segment: at 100k claims
    a lookup after merging costs a quarter of one before, and the merge itself about 0.2 s.
    """
    if is_sqlite(session):
        session.execute(text("INSERT INTO claim_fts(claim_fts) VALUES ('optimize')"))
