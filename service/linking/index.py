"""Candidate search inside the database: SQLite FTS5 or PostgreSQL full-text, best `limit` passages first.

The index is maintained by the database itself (triggers, see migration 0014), so a passage is
searchable the moment its transaction commits. User text never reaches a query
language unescaped: FTS5 terms are quoted strings, PostgreSQL terms go through `phraseto_tsquery`
as bound parameters.

Both databases score with bm25 as FTS5 computes it (title weighted TITLE_WEIGHT), so the ranker's
features mean the same on either; terms common in the library are left out of the OR query (see
COMMON_SHARE). PostgreSQL does it in one statement of fixed text (terms as array parameters, so it is
planned once per connection): each term's passages through its own GIN index scan (a term not counted yet
only up to the common cut) give its exact document frequency, a cheap idf sum picks the best rows and
their tsvectors give the bm25 term frequencies. One module over 400 lines on purpose: the two
databases' searches share the statistics, the choice of terms and bm25, one contract.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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


# A term found in more than COMMON_SHARE of the passages selects most of the library and adds little to a
# bm25 score: it is left out of the full-text query while MIN_TERMS rarer ones remain. At 100,000
# passages (bench/evidence_search.py) the OR query then matches a fraction of the rows ('sources' was in
# 95% of them through the distractors' titles; porter stems 'one' to 'on'). The ranker still sees every
# claim word (coverage, token_set, partial). Document frequencies are counted at most every
# STATISTICS_SECONDS per term and process: they drift slowly, and only the choice of terms depends on them.
COMMON_SHARE = 0.02
COMMON_MIN_PASSAGES = 2_000  # below 100,000 passages a term must be in this many to be left out
MIN_TERMS = 3
STATISTICS_SECONDS = 600.0
# A smaller library is counted again for every search: a few imports change its statistics a lot.
STATISTICS_EXACT_BELOW = 20_000
_STATISTICS_TERMS = 200_000


@dataclass(frozen=True)
class Library:
    """How many passages there are and (PostgreSQL) their mean length in words, title included, and the
    lexemes its planner statistics say are clearly common."""

    passages: int
    mean_length: float = 0.0
    common: frozenset[str] = frozenset()


@dataclass
class _Statistics:
    """Per database: the passage count and the document frequency of terms searched, with when counted."""

    total: tuple[float, Library] | None = None
    frequencies: dict[str, tuple[float, int]] = field(default_factory=dict)


_statistics: dict[str, _Statistics] = {}
_statistics_lock = threading.Lock()


def _database(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def _known(session: Session, terms: Sequence[str]) -> tuple[Library | None, dict[str, int]]:
    """The fresh passage count (None when stale) and the fresh document frequencies among the terms."""
    now = time.monotonic()
    with _statistics_lock:
        found = _statistics.setdefault(_database(session), _Statistics())
        total = (
            found.total[1]
            if found.total
            and now - found.total[0] < STATISTICS_SECONDS
            and found.total[1].passages >= STATISTICS_EXACT_BELOW
            else None
        )
        return total, {
            term: entry[1]
            for term in terms
            if (entry := found.frequencies.get(term)) is not None and now - entry[0] < STATISTICS_SECONDS
        }


def _remember(session: Session, total: Library | None, frequencies: dict[str, int]) -> None:
    now = time.monotonic()
    with _statistics_lock:
        found = _statistics.setdefault(_database(session), _Statistics())
        if total is not None:
            found.total = (now, total)
        if len(found.frequencies) > _STATISTICS_TERMS:
            found.frequencies.clear()
        found.frequencies.update((term, (now, frequency)) for term, frequency in frequencies.items())


def term_statistics(session: Session, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
    """The passage count and the document frequencies of `terms` as the searches counted them, whatever
    their age (read only; 0 and {} before any search, a term never searched is missing): the ranker's idf
    over every claim word, including those the full-text query left out as common."""
    with _statistics_lock:
        found = _statistics.get(_database(session))
        if found is None or found.total is None:
            return 0, {}
        return found.total[1].passages, {
            term: entry[1] for term in terms if (entry := found.frequencies.get(term)) is not None
        }


def statistics_clear() -> None:
    """Forget the counted passage totals and document frequencies (tests and benches)."""
    with _statistics_lock:
        _statistics.clear()


def common_cut(total: int) -> int:
    """The document frequency above which a term is common in a library of `total` passages."""
    return max(COMMON_MIN_PASSAGES, math.floor(COMMON_SHARE * total))


def selective_terms(terms: Sequence[str], frequencies: Mapping[str, int], total: int) -> list[str]:
    """The terms worth an OR query: those in at most COMMON_SHARE of `total` passages (and at most
    COMMON_MIN_PASSAGES) or not counted yet, topped up with the least common others up to MIN_TERMS; in
    the terms' order.

    >>> selective_terms(["the", "polar", "bears", "one"], {"the": 9000, "polar": 1, "one": 6000}, 10_000)
    ['polar', 'bears', 'one']
    >>> selective_terms(["sources", "polar", "bears", "melt"], {"sources": 9500, "bears": 5}, 10_000)
    ['polar', 'bears', 'melt']
    """
    limit = common_cut(total)
    kept = {term for term in terms if frequencies.get(term, 0) <= limit}
    common = sorted((term for term in terms if term not in kept), key=lambda term: frequencies[term])
    kept.update(common[: max(0, MIN_TERMS - len(kept))])
    return [term for term in terms if term in kept]


def _usable(terms: Sequence[str]) -> list[str]:
    return [term for term in dict.fromkeys(terms) if term.strip()]


def _sqlite_search(session: Session, terms: Sequence[str], limit: int) -> list[FullTextHit]:
    usable = _usable(terms)
    if not usable:
        return []
    total, frequencies = _known(session, usable)
    if total is None:
        total = Library(int(session.execute(text("SELECT count(*) FROM passage")).scalar_one()))
        _remember(session, total, {})
    uncounted = [term for term in usable if term not in frequencies]
    if uncounted:
        # Counted up to the common cut only: beyond it a term is left out whatever its frequency.
        parameters: dict[str, object] = {
            f"e{n}": fts5_match_expression([term]) for n, term in enumerate(uncounted)
        }
        parameters["cut"] = common_cut(total.passages) + 1
        counts = [
            "(SELECT count(*) FROM (SELECT 1 FROM passage_search "
            f"WHERE passage_search MATCH :e{n} LIMIT :cut))"
            for n in range(len(uncounted))
        ]
        row = session.execute(text(f"SELECT {', '.join(counts)}"), parameters).one()
        counted = dict(zip(uncounted, (int(value) for value in row), strict=True))
        _remember(session, None, counted)
        frequencies.update(counted)
    expression = fts5_match_expression(selective_terms(usable, frequencies, total.passages))
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


def _postgres_library(session: Session) -> Library:
    """The passage count and their mean length in words, over about 1,000 passages spread over the ids."""
    row = session.execute(
        text(
            "WITH total AS MATERIALIZED (SELECT count(*) AS passages FROM passage) "
            "SELECT (SELECT passages FROM total), (SELECT coalesce(avg(("
            "SELECT max(position) FROM unnest(passage.search_vector) AS entry, unnest(entry.positions) "
            "AS position)), 0) FROM passage "
            "WHERE passage.id % (SELECT greatest(1, passages / 1000) FROM total) = 0)"
        )
    ).one()
    passages = int(row[0])
    total = Library(passages, float(row[1]), _postgres_common(session, passages))
    _remember(session, total, {})
    return total


# A term not counted yet costs its first search `cut` rows read to learn it is common (the GIN index cannot
# count without reading each row). ANALYZE (autovacuum, after a bulk import) has sampled 30,000 passages
# and keeps the most common lexemes with their share of the passages: one of those in clearly more than
# the cut (COMMON_MARGIN times) is taken as common without being read. The statistics are used only while
# they describe the library: fewer than STATISTICS_CHANGED of its passages changed since that ANALYZE.
# Without them (no ANALYZE yet) every new term is counted.
COMMON_MARGIN = 1.5
STATISTICS_CHANGED = 0.1


def _postgres_common(session: Session, passages: int) -> frozenset[str]:
    """The lexemes the planner statistics put in more than COMMON_MARGIN times the common cut."""
    if passages < STATISTICS_EXACT_BELOW:
        return frozenset()
    row = session.execute(
        text(
            "SELECT CAST(CAST(stats.most_common_elems AS text) AS text[]), stats.most_common_elem_freqs "
            "FROM pg_stat_user_tables AS changes JOIN pg_stats AS stats "
            "ON stats.schemaname = changes.schemaname AND stats.tablename = changes.relname "
            "WHERE changes.relid = CAST('passage' AS regclass) AND stats.attname = 'search_vector' "
            "AND changes.n_mod_since_analyze <= :changed"
        ),
        {"changed": int(STATISTICS_CHANGED * passages)},
    ).first()
    if row is None or row[0] is None:
        return frozenset()
    least = COMMON_MARGIN * common_cut(passages) / passages
    # The shares are followed by three summary numbers: zip stops at the last lexeme.
    return frozenset(lexeme for lexeme, share in zip(row[0], row[1], strict=False) if share >= least)


# bm25 as FTS5 computes it (k1 = 1.2, b = 0.75, a field's term frequency times its weight), so that the
# ranker's features mean the same on both databases: on PostgreSQL from each returned row's tsvector (the
# title's lexemes carry weight A, the text's B; the last position is the row's length in words).
BM25_K1 = 1.2
BM25_B = 0.75
# PostgreSQL orders the matching rows by a cheaper score (the sum of the idf of the terms matched) and
# scores this many times `limit` of the best of them with bm25. Scaling that score by ts_rank, as before,
# cost ~10% of the search and changed no recall@3 at 100,000 passages (0.500 both). 1.5 times would save
# ~0.5 ms but changes the top 30 of 188 of 200 Climate-FEVER claims (the top 10 of 63).
POSTGRES_RESCORED = 2


def _field_counts(entries: Sequence[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Title and text frequencies by lexeme from 'lexeme weights' entries ('bear ABB': once in the title,
    twice in the text)."""
    title: dict[str, int] = {}
    body: dict[str, int] = {}
    for entry in entries:
        lexeme, _, weights = entry.rpartition(" ")
        in_title = weights.count("A")
        if in_title:
            title[lexeme] = in_title
        if len(weights) > in_title:
            body[lexeme] = len(weights) - in_title
    return title, body


def _phrase_frequency(lexemes: Sequence[str], field: dict[str, int]) -> float:
    """How often a term occurs in a field: a phrase of several lexemes as often as its rarest one."""
    if len(lexemes) == 1:
        return float(field.get(lexemes[0], 0))
    return float(min((field.get(lexeme, 0) for lexeme in lexemes), default=0))


def bm25(
    frequencies: Sequence[tuple[float, float]],
    idfs: Sequence[float],
    weights: tuple[float, float],
    relative_length: float,
) -> float:
    """FTS5's bm25 of a row: per term, its (title, text) frequencies weighted and saturated, times its idf.

    >>> round(bm25([(1, 0), (0, 2)], [2.0, 1.0], (2.0, 1.0), 1.0), 4)
    4.125
    """
    norm = BM25_K1 * (1 - BM25_B + BM25_B * relative_length)
    score = 0.0
    for (title, body), idf in zip(frequencies, idfs, strict=True):
        weighted = weights[0] * title + weights[1] * body
        score += idf * weighted * (BM25_K1 + 1) / (weighted + norm)
    return score


def _postgres_search(session: Session, terms: Sequence[str], limit: int) -> list[FullTextHit]:
    """Each term's passages through the index (a term not counted yet up to the common cut), its document
    frequency from them, the best rows by a cheap score, rescored with bm25: one statement, the same text
    for every search (terms are array parameters, so it is parsed and planned once per connection)."""
    usable = _usable(terms)
    if not usable:
        return []
    total, frequencies = _known(session, usable)
    if total is None:
        total = _postgres_library(session)
    cut = common_cut(total.passages) + 1
    chosen = selective_terms(usable, frequencies, total.passages)
    rows = _postgres_rows(session, chosen, frequencies, total, limit)
    capped = {term for term, (frequency, limited) in zip(chosen, rows[0][5], strict=True) if limited}
    learned = {
        term: max(int(frequency), cut) if term in capped else int(frequency)
        for term, (frequency, _limited) in zip(chosen, rows[0][5], strict=True)
    }
    _remember(session, None, learned)
    kept = selective_terms(chosen, learned, total.passages)
    if capped.intersection(kept):
        # Fewer than MIN_TERMS under the cut: the least common of those over it are searched in full, as
        # the known ones are (they were fetched only up to the cut).
        frequencies.update(learned)
        chosen = kept
        rows = _postgres_rows(session, chosen, frequencies, total, limit)
        learned = {
            term: int(frequency) for term, (frequency, _limited) in zip(chosen, rows[0][5], strict=True)
        }
        _remember(session, None, learned)
        kept = selective_terms(chosen, learned, total.passages)
    if rows[0][0] is None:
        return []
    # A term found common here counts for nothing, as if it had been left out.
    idfs = [_idf(total.passages, learned[term]) if term in kept else 0.0 for term in chosen]
    scored_terms = [(str(words).split(), idf) for words, idf in zip(rows[0][6], idfs, strict=True) if idf > 0]
    # A row has a few of the query's lexemes: its terms are looked up from them (a one-word term) or
    # checked (a phrase), in the terms' order so the sums are the same as over every term.
    by_lexeme: dict[str, list[int]] = {}
    phrases: list[int] = []
    for position, (words, _weight) in enumerate(scored_terms):
        if len(words) == 1:
            by_lexeme.setdefault(words[0], []).append(position)
        else:
            phrases.append(position)
    mean_length = total.mean_length or 1.0
    hits = []
    for passage_id, body, title, entries, length, _counts, _lexemes in rows:
        in_title, in_text = _field_counts(entries or [])
        # Only the terms the row has add to its bm25.
        found = [position for lexeme in {*in_title, *in_text} for position in by_lexeme.get(lexeme, ())]
        per_term: list[tuple[float, float]] = []
        row_idfs: list[float] = []
        for position in sorted(found + phrases):
            words, idf = scored_terms[position]
            pair = (_phrase_frequency(words, in_title), _phrase_frequency(words, in_text))
            if pair[0] or pair[1]:
                per_term.append(pair)
                row_idfs.append(idf)
        relative = (length or 0) / mean_length
        hits.append(
            FullTextHit(
                passage_id,
                bm25(per_term, row_idfs, (TITLE_WEIGHT, 1.0), relative),
                bm25(per_term, row_idfs, (0.0, 1.0), relative),
                bm25(per_term, row_idfs, (1.0, 0.0), relative),
                body,
                title,
            )
        )
    hits = sorted((hit for hit in hits if hit.score > 0), key=lambda hit: (-hit.score, hit.passage_id))
    return hits[:limit]


# The statement of every PostgreSQL search. `term`: the chosen terms, each with how many of its passages to
# fetch (NULL: all; a term not counted yet only up to the common cut, none if one lexeme the statistics
# call common, see COMMON_MARGIN) and the ids of those, found through the GIN index by one scan per term:
# no row is tested against every term and no passage text is carried along (tested row by row, 20 terms
# over 1,300 rows with their text and vectors, it cost most of the statement). A term's document frequency
# is how many it found, exact unless it reached the cut. `best`: the ids by the sum of the idf of the terms
# under the cut (or fetched in full) they have, the best `fetch` read with their title, the query's lexemes
# of their tsvector and their length in words. The first row carries the terms' frequencies and lexemes
# (its id is NULL when nothing matched).
_POSTGRES_SEARCH = text(
    "WITH term AS MATERIALIZED (SELECT entry.n, entry.lexemes, entry.fetched, found.ids, found.found "
    "FROM (SELECT given.n, given.word, given.lexemes, CASE WHEN given.fetched IS NOT NULL "
    "AND cardinality(given.lexemes) = 1 AND given.lexemes <@ CAST(:common AS text[]) THEN 0 "
    "ELSE given.fetched END AS fetched FROM (SELECT listed.*, "
    "tsvector_to_array(to_tsvector('english'::regconfig, listed.word)) AS lexemes "
    "FROM unnest(CAST(:terms AS text[]), CAST(:fetched AS integer[])) WITH ORDINALITY "
    "AS listed(word, fetched, n)) AS given) AS entry CROSS JOIN LATERAL ("
    "SELECT array_agg(hit.id) AS ids, count(*) AS found FROM (SELECT passage.id FROM passage "
    "WHERE passage.search_vector @@ phraseto_tsquery('english'::regconfig, entry.word) "
    "LIMIT entry.fetched) AS hit) AS found), "
    "best AS MATERIALIZED (SELECT hit.id, sum(hit.idf) AS score FROM ("
    "SELECT unnest(term.ids) AS id, ln(1 + (CAST(:total AS float8) - term.found + 0.5) / (term.found + 0.5)) "
    "AS idf FROM (SELECT term.ids, CAST(term.found AS float8) AS found FROM term "
    "WHERE term.fetched IS NULL OR term.found < term.fetched) AS term) AS hit "
    "GROUP BY hit.id ORDER BY score DESC, hit.id LIMIT :fetch), "
    "summary AS MATERIALIZED (SELECT "
    "array_agg(ARRAY[term.found, CAST(term.found >= term.fetched AS integer)] ORDER BY term.n) AS counts, "
    "array_agg(array_to_string(term.lexemes, ' ') ORDER BY term.n) AS lexemes, "
    "tsvector_to_array(to_tsvector('english'::regconfig, :joined)) AS wanted FROM term) "
    "SELECT best.id, passage.text, source.title, vector.entries, vector.length, "
    "CASE WHEN row_number() OVER (ORDER BY best.score DESC, best.id) = 1 THEN summary.counts END, "
    "CASE WHEN row_number() OVER (ORDER BY best.score DESC, best.id) = 1 THEN summary.lexemes END "
    "FROM summary LEFT JOIN best ON true "
    "LEFT JOIN passage ON passage.id = best.id LEFT JOIN source ON source.id = passage.source_id "
    "LEFT JOIN LATERAL (SELECT "
    "array_agg(entry.lexeme || ' ' || array_to_string(entry.weights, '')) "
    "FILTER (WHERE entry.lexeme = ANY(summary.wanted)) AS entries, "
    "max(entry.positions[cardinality(entry.positions)]) AS length "
    "FROM unnest(passage.search_vector) AS entry) AS vector ON true "
    "ORDER BY best.score DESC, best.id"
)


# PostgreSQL JIT-compiles a statement whose cost estimate passes jit_above_cost (100,000 by default): ~40 ms
# for this one (measured with the threshold at 0), more than the whole search. At 100,000 passages its
# estimate stays under 18,000 (median 6,900 without planner statistics, 5,600 at most with them), but it
# grows with the table: from about a million passages some searches would pay it. Off for the transaction,
# set once per transaction (SET LOCAL ends with it).
_JIT_OFF = "claimcheck.linking.index.jit_off"


def _without_jit(session: Session) -> None:
    session.connection()  # the transaction begins here if it has not yet
    transaction = session.get_transaction()
    if session.info.get(_JIT_OFF) is not transaction:
        session.execute(text("SET LOCAL jit = off"))
        session.info[_JIT_OFF] = transaction


def _postgres_rows(
    session: Session, chosen: Sequence[str], frequencies: Mapping[str, int], total: Library, limit: int
) -> list[Any]:
    """The search statement's rows for the chosen terms (at least one, the first may have a NULL id)."""
    cut = common_cut(total.passages) + 1
    _without_jit(session)
    return list(
        session.execute(
            _POSTGRES_SEARCH,
            {
                "terms": list(chosen),
                "fetched": [None if term in frequencies else cut for term in chosen],
                "common": sorted(total.common) if any(term not in frequencies for term in chosen) else [],
                "total": total.passages,
                "fetch": POSTGRES_RESCORED * limit,
                "joined": " ".join(chosen),
            },
        ).all()
    )


def _idf(passages: int, frequency: int) -> float:
    """FTS5's idf: log((N - n + 0.5) / (n + 0.5)), at least 1e-6."""
    idf = math.log((passages - frequency + 0.5) / (frequency + 0.5)) if passages > 0 else 0.0
    return idf if idf > 0 else 1e-6


def search_passages(*, session: Session, terms: Sequence[str], limit: int) -> list[FullTextHit]:
    """Up to `limit` passages matching any of the terms, best first.

    SQLite FTS5 bm25 over title and text (porter stemming); PostgreSQL the same bm25 over the english
    tsvector of both. Scores are comparable within one result list only.
    """
    if is_sqlite(session):
        return _sqlite_search(session, terms, limit)
    return _postgres_search(session, terms, limit)


_POSTGRES_PASSAGES = text(
    "SELECT passage.id, passage.source_id, passage.span_start, passage.span_end, passage.text, source.url, "
    "source.title, source.publisher, source.published_at FROM passage "
    "JOIN source ON source.id = passage.source_id WHERE passage.id = ANY(CAST(:ids AS bigint[]))"
)


def passages_by_id(*, session: Session, passage_ids: Sequence[int]) -> list[CandidatePassage]:
    """The given passages with their sources, in the order of `passage_ids` (unknown ids skipped)."""
    if not passage_ids:
        return []
    if not is_sqlite(session):
        # One statement text for any number of ids (an array parameter), parsed and planned once per
        # connection: the expanding IN list below cost ~1.5 ms of client CPU per call for 30 ids.
        rows = session.execute(_POSTGRES_PASSAGES, {"ids": list(passage_ids)})
        found = {row[0]: CandidatePassage(*row) for row in rows}
        return [found[passage_id] for passage_id in passage_ids if passage_id in found]
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
