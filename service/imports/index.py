"""Candidate search over claims inside the database: SQLite FTS5, PostgreSQL tsvector GIN.

Both matching and duplicate detection ask this for a few hundred candidates, then re-rank them in Python.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

# Words too common to narrow a search; leaving them out keeps OR-queries fast on 100k+ claims.
_STOPWORD_LINES = (
    "a about above after again against all am an and any are as at be because been before being below",
    "between both but by can could did do does doing down during each few for from further had has",
    "have having he her here hers herself him himself his how i if in into is it its itself just me",
    "more most my myself no nor not now of off on once only or other our ours ourselves out over own",
    "same she should so some such than that the their theirs them themselves then there these they",
    "this those through to too under until up very was we were what when where which while who whom",
    "why will with would you your yours yourself yourselves s t don says said will also via amp rt",
)
STOPWORDS = frozenset(word for line in _STOPWORD_LINES for word in line.split(" "))
MAX_QUERY_TERMS = 24

# Must match the expression of the ix_claim_search index (migration 0003) exactly, or PostgreSQL
# will not use the index.
POSTGRES_VECTOR = (
    "to_tsvector('simple'::regconfig, coalesce(text_normalized, '') || ' ' || coalesce(summary, ''))"
)


def query_terms(text_normalized: str) -> list[str]:
    """Distinct content words of normalised text, longest (rarest, roughly) first."""
    seen: dict[str, None] = {}
    for word in text_normalized.split():
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    return sorted(seen, key=len, reverse=True)[:MAX_QUERY_TERMS]


def candidate_claims(*, session: Session, text_normalized: str, limit: int) -> list[tuple[int, float]]:
    """(claim id, lexical relevance, higher is better) for claims sharing words with the text, best first."""
    terms = query_terms(text_normalized)
    if not terms:
        return []
    if session.get_bind().dialect.name == "sqlite":
        # Each term quoted: FTS5 would read bare words like AND/NOT/NEAR as operators.
        match = " OR ".join(f'"{term}"' for term in terms)
        # bm25() is lower-is-better, so sort ascending and negate for the caller.
        rows = session.execute(
            text(
                "SELECT rowid, bm25(claim_fts, 1.0, 0.6) AS relevance FROM claim_fts "
                "WHERE claim_fts MATCH :match ORDER BY relevance LIMIT :limit"
            ),
            {"match": match, "limit": limit},
        )
        return [(int(claim_id), -float(relevance)) for claim_id, relevance in rows]
    query = " | ".join(term.replace("'", "") for term in terms if term.replace("'", ""))
    rows = session.execute(
        text(
            f"SELECT id, ts_rank_cd({POSTGRES_VECTOR}, to_tsquery('simple', :query), 1) AS relevance "
            f"FROM claim WHERE {POSTGRES_VECTOR} @@ to_tsquery('simple', :query) "
            "ORDER BY relevance DESC LIMIT :limit"
        ),
        {"query": query, "limit": limit},
    )
    return [(int(claim_id), float(relevance)) for claim_id, relevance in rows]
