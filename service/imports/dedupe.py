"""Duplicate detection for a batch of imported claims: exact normalised-text hash first, then fuzzy.

Per batch, not per row: one hash lookup, one word-frequency lookup for new words, and the database
candidates of every remaining row fetched together (`index.near_duplicate_candidates_for_batch`), then
compared in Python. New rows of the batch, and of the batch before (which may still be being written
while this one is checked), are compared with each other the same way, so a near repeat inside one
upload is caught before either row is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlmodel import Session, col, func, select

from service.claims.models import Claim
from service.imports.index import (
    DUPLICATE_TERMS,
    document_frequencies,
    near_duplicate_candidates_for_batch,
    near_duplicate_terms,
    query_terms,
)

# Word frequencies barely move during one import; past this many cached words, start afresh.
MAX_CACHED_TERMS = 500_000
# token_set_ratio forgives extra words on either side; below this length ratio a short claim would
# count as a duplicate of every long claim that contains its words.
MIN_LENGTH_RATIO = 0.6
MAX_BATCH_CANDIDATES = 32


@dataclass(frozen=True)
class BatchDuplicates:
    """What each row of a batch repeats: a stored claim (`stored[i]`) or a new row of this batch or the
    previous one (`earlier[i]`, that row's upload line)."""

    stored: list[int | None]
    earlier: dict[int, int]


@dataclass
class RecentRows:
    """New rows by hash and by word: one `RecentRows` per batch.

    The previous batch may still be being written while the next one is checked, so its new rows are
    looked up here rather than in the database (with the database's rule); older batches are committed
    and found there.
    """

    line_by_hash: dict[str, int] = field(default_factory=dict)
    lines_by_term: dict[str, list[int]] = field(default_factory=dict)
    text_by_line: dict[int, str] = field(default_factory=dict)

    def add(self, line: int, text_hash: str, terms: Sequence[str], text_normalized: str) -> None:
        self.line_by_hash.setdefault(text_hash, line)
        self.text_by_line[line] = text_normalized
        for term in terms:
            self.lines_by_term.setdefault(term, []).append(line)

    def with_terms(self, terms: Sequence[str]) -> list[tuple[int, str]]:
        """(line, normalised text) of the rows with two of these words (all of them when fewer), those
        sharing most first, at most MAX_BATCH_CANDIDATES."""
        shared: dict[int, int] = {}
        for term in terms:
            for line in self.lines_by_term.get(term, ()):
                shared[line] = shared.get(line, 0) + 1
        needed = min(2, len(terms))
        nearby = sorted(
            (line for line, count in shared.items() if count >= needed), key=lambda line: -shared[line]
        )
        return [(line, self.text_by_line[line]) for line in nearby[:MAX_BATCH_CANDIDATES]]


def existing_by_hash(*, session: Session, hashes: Sequence[str]) -> dict[str, int]:
    """The oldest stored claim for each of these text hashes."""
    wanted = sorted(set(hashes))
    if session.get_bind().dialect.name != "sqlite":
        query = select(Claim.text_hash, func.min(Claim.id)).where(col(Claim.text_hash).in_(wanted))
        rows = session.exec(query.group_by(col(Claim.text_hash)))
        return {text_hash: claim_id for text_hash, claim_id in rows if claim_id is not None}
    # Straight to the driver, in parts under SQLite's parameter limit: SQLAlchemy's handling of a few
    # thousand bound values costs several times the lookup itself.
    driver = session.connection().connection.driver_connection
    assert driver is not None
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        placeholders = ", ".join("?" for _ in part)
        rows = driver.execute(
            f"SELECT text_hash, min(id) FROM claim WHERE text_hash IN ({placeholders}) GROUP BY text_hash",
            part,
        ).fetchall()
        found.update({str(text_hash): int(claim_id) for text_hash, claim_id in rows})
    return found


def best_scored(
    text_normalized: str, candidates: Sequence[tuple[int, str]], threshold: float
) -> tuple[int, float] | None:
    """(id, score) of the candidate with the best token_set_ratio at or above `threshold`, the lowest id
    among equals; a candidate whose length differs too much is never one."""
    length = len(text_normalized)
    comparable = {
        candidate_id: stored
        for candidate_id, stored in sorted(candidates)
        if not length or min(length, len(stored)) / max(length, len(stored)) >= MIN_LENGTH_RATIO
    }
    found = process.extractOne(
        text_normalized, comparable, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=threshold
    )
    return (int(found[2]), float(found[1])) if found else None


def best_match(text_normalized: str, candidates: Sequence[tuple[int, str]], threshold: float) -> int | None:
    """The id of `best_scored`, or None."""
    found = best_scored(text_normalized, candidates, threshold)
    return found[0] if found else None


def find_duplicates(
    *,
    session: Session,
    texts_normalized: Sequence[str],
    hashes: Sequence[str],
    lines: Sequence[int],
    threshold: float,
    frequency_cache: dict[str, int],
    previous: RecentRows,
    keep_duplicates: bool,
) -> tuple[BatchDuplicates, RecentRows]:
    """For each text, the stored claim it duplicates or the new row it repeats; and the rows of this batch
    that will be stored (duplicates too when `keep_duplicates`), for the next batch's `previous`.

    A row repeating a stored claim (or a new row of the `previous` batch, which may not be stored yet)
    points there, the exact repeats before the near ones; otherwise a row repeating an earlier new row of
    this batch points at that row's line. `frequency_cache` carries word frequencies from batch to
    batch of one import.
    """
    exact = existing_by_hash(session=session, hashes=hashes)
    cache = frequency_cache
    terms_by_row = [query_terms(text) for text in texts_normalized]
    unseen = {term for terms in terms_by_row for term in terms if term not in cache}
    if len(cache) + len(unseen) > MAX_CACHED_TERMS:
        cache.clear()
        unseen = {term for terms in terms_by_row for term in terms}
    cache.update(document_frequencies(session=session, terms=unseen))

    stored: list[int | None] = [exact.get(text_hash) for text_hash in hashes]
    earlier: dict[int, int] = {}
    for index, text_hash in enumerate(hashes):
        if stored[index] is None and (line := previous.line_by_hash.get(text_hash)) is not None:
            earlier[index] = line
    fuzzy_rows = [index for index in range(len(hashes)) if stored[index] is None and index not in earlier]
    shared_by_row = near_duplicate_terms(
        session=session, terms_by_row=[terms_by_row[index] for index in fuzzy_rows], frequencies=cache
    )
    candidates = near_duplicate_candidates_for_batch(session=session, chosen_by_row=shared_by_row)
    for index, row_candidates, shared in zip(fuzzy_rows, candidates, shared_by_row, strict=True):
        text = texts_normalized[index]
        in_database = best_scored(text, row_candidates, threshold)
        in_previous = best_scored(text, previous.with_terms(shared), threshold)
        # On equal scores the stored claim wins: it is the older one.
        if in_previous is not None and (in_database is None or in_previous[1] > in_database[1]):
            earlier[index] = in_previous[0]
        elif in_database is not None:
            stored[index] = in_database[0]

    current = RecentRows()
    for index, text_hash in enumerate(hashes):
        if stored[index] is not None or index in earlier:
            continue
        original = current.line_by_hash.get(text_hash)
        if original is None:
            # Words no stored claim has are the rarest of all here: they tell two new rows apart.
            rare = sorted(terms_by_row[index], key=lambda term: cache.get(term, 0))[:DUPLICATE_TERMS]
            original = best_match(texts_normalized[index], current.with_terms(rare), threshold)
        if original is not None:
            earlier[index] = original
        else:
            current.add(lines[index], text_hash, terms_by_row[index], texts_normalized[index])
    # Words new to the database arrive with this batch: later batches must not think no claim has them.
    for term in unseen:
        if cache.get(term) == 0:
            cache[term] = 1
    stored_next = current
    if keep_duplicates:
        # Kept duplicates are stored too, and the next batch may repeat them.
        stored_next = RecentRows()
        for index, text_hash in enumerate(hashes):
            stored_next.add(lines[index], text_hash, terms_by_row[index], texts_normalized[index])
    return BatchDuplicates(stored=stored, earlier=earlier), stored_next
