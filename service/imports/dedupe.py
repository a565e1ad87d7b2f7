"""Duplicate detection for a batch of imported claims: a repeat is the same claim said again.

A row repeats a claim only when their signatures agree (`service.identity`: quantities, dates,
entities, polarity, direction, argument order) and their remaining wording is as similar as
`duplicate_threshold` (rapidfuzz token_set_ratio over the signature's `core`). "Rail fares rose 5.1%"
and "... rose 25.1%" are two claims, however alike their words.

Per batch, not per row: one hash lookup; for rows with quantities or dates, one lookup of the stored
claims with the same `signature_key` (the numbers and dates a repeat must share, so templated rows that
share every word cost no more than diverse ones); for the others, and for keys shared by many claims,
the word-index candidates (`index.near_duplicate_candidates_for_batch`). New rows of the batch, and of
the batch before (which may still be being written while this one is checked), are compared with each
other by the same rule, so a repeat inside one upload is caught before either row is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from sqlmodel import Session

from service.identity import ClaimSignature, claim_signature, same_claim
from service.identity.signature import SIGNATURE_VERSION
from service.imports.index import (
    DUPLICATE_TERMS,
    KEY_GROUP_CAP,
    StoredClaim,
    document_frequencies,
    existing_by_hash,
    near_duplicate_candidates_for_batch,
    near_duplicate_terms,
    query_terms,
    stored_by_key,
)

# Word frequencies barely move during one import; past this many cached words, start afresh.
MAX_CACHED_TERMS = 500_000
# token_set_ratio forgives extra words on either side; below this length ratio a short claim would
# count as a duplicate of every long claim that contains its words.
MIN_LENGTH_RATIO = 0.6
MAX_BATCH_CANDIDATES = 32

Candidate = tuple[int, ClaimSignature]


@dataclass(frozen=True)
class BatchDuplicates:
    """What each row of a batch repeats: a stored claim (`stored[i]`) or a new row of this batch or the
    previous one (`earlier[i]`, that row's upload line); and each row's signature, stored with it."""

    stored: list[int | None]
    earlier: dict[int, int]
    signatures: list[ClaimSignature]


@dataclass
class RecentRows:
    """New rows by text hash and signature key, by signature key, and (rows without quantities or
    dates) by word: one `RecentRows` per batch.

    The previous batch may still be being written while the next one is checked, so its new rows are
    looked up here rather than in the database (with the database's rule); older batches are committed
    and found there.
    """

    line_by_hash: dict[tuple[str, str], int] = field(default_factory=dict)
    lines_by_key: dict[str, list[int]] = field(default_factory=dict)
    lines_by_term: dict[str, list[int]] = field(default_factory=dict)
    signature_by_line: dict[int, ClaimSignature] = field(default_factory=dict)

    def add(self, line: int, text_hash: str, terms: Sequence[str], signature: ClaimSignature) -> None:
        key = signature.key
        self.line_by_hash.setdefault((text_hash, key), line)
        self.signature_by_line[line] = signature
        if key:
            self.lines_by_key.setdefault(key, []).append(line)
            return
        for term in terms:
            self.lines_by_term.setdefault(term, []).append(line)

    def like(self, signature: ClaimSignature, terms: Sequence[str]) -> list[Candidate]:
        """(line, signature) of the rows that could repeat one with this signature: those with its key,
        or, without a key, those with two of these words (all of them when fewer), most shared first;
        at most MAX_BATCH_CANDIDATES."""
        if signature.key:
            lines = self.lines_by_key.get(signature.key, [])[:MAX_BATCH_CANDIDATES]
            return [(line, self.signature_by_line[line]) for line in lines]
        shared: dict[int, int] = {}
        for term in terms:
            for line in self.lines_by_term.get(term, ()):
                shared[line] = shared.get(line, 0) + 1
        needed = min(2, len(terms))
        nearby = sorted(
            (line for line, count in shared.items() if count >= needed), key=lambda line: -shared[line]
        )
        return [(line, self.signature_by_line[line]) for line in nearby[:MAX_BATCH_CANDIDATES]]


def best_scored(
    signature: ClaimSignature, candidates: Sequence[Candidate], threshold: float
) -> tuple[int, float] | None:
    """(id, score) of the candidate that is the same claim with the most similar wording, at or above
    `threshold`, the lowest id among equals; a candidate whose signature differs, or whose wording is
    much longer or shorter, is never one."""
    core = signature.core
    length = len(core)
    best: tuple[int, float] | None = None
    for candidate_id, other in sorted(candidates, key=lambda candidate: candidate[0]):
        other_length = len(other.core)
        if (
            length
            and other_length
            and min(length, other_length) / max(length, other_length) < MIN_LENGTH_RATIO
        ):
            continue
        # Nothing left beside the signature on either side ('72 the'): the signature decides alone.
        score = fuzz.token_set_ratio(core, other.core, processor=None) if core or other.core else 100.0
        if score >= threshold and (best is None or score > best[1]) and same_claim(signature, other):
            best = (candidate_id, float(score))
    return best


def _signature_of(stored: StoredClaim) -> ClaimSignature:
    """A stored claim's signature, computed again from its text when it has none or one of an older
    SIGNATURE_VERSION (a changed rule must not make two versions of the same claim differ)."""
    if stored.signature:
        signature = ClaimSignature.from_json(stored.signature)
        if signature.version == SIGNATURE_VERSION:
            return signature
    return claim_signature(stored.text)


def signatures_of(texts: Sequence[str], reference_dates: Sequence[dt.date | None]) -> list[ClaimSignature]:
    """Each claim's signature, its relative dates against its own date."""
    return [
        claim_signature(text, reference_date=day) for text, day in zip(texts, reference_dates, strict=True)
    ]


def find_duplicates(
    *,
    session: Session,
    signatures: Sequence[ClaimSignature],
    texts_normalized: Sequence[str],
    hashes: Sequence[str],
    lines: Sequence[int],
    threshold: float,
    frequency_cache: dict[str, int],
    previous: RecentRows,
    keep_duplicates: bool,
) -> tuple[BatchDuplicates, RecentRows]:
    """For each row, the stored claim it duplicates or the new row it repeats; and the rows of this batch
    that will be stored (duplicates too when `keep_duplicates`), for the next batch's `previous`.

    A row repeating a stored claim (or a new row of the `previous` batch, which may not be stored yet)
    points there, the exact repeats before the near ones; otherwise a row repeating an earlier new row of
    this batch points at that row's line. `frequency_cache` carries word frequencies from batch to
    batch of one import.
    """
    keys = [signature.key for signature in signatures]
    exact = existing_by_hash(session=session, hashes=hashes)
    stored: list[int | None] = [
        exact.get((text_hash, key)) for text_hash, key in zip(hashes, keys, strict=True)
    ]
    earlier: dict[int, int] = {}
    for index, text_hash in enumerate(hashes):
        if (
            stored[index] is None
            and (line := previous.line_by_hash.get((text_hash, keys[index]))) is not None
        ):
            earlier[index] = line
    open_rows = [index for index in range(len(hashes)) if stored[index] is None and index not in earlier]

    # Rows with quantities or dates: the stored claims with the same key, unless the key is common.
    groups = stored_by_key(session=session, keys={keys[index] for index in open_rows if keys[index]})
    database: dict[int, list[Candidate]] = {}
    by_words: list[int] = []
    for index in open_rows:
        group = groups.get(keys[index])
        if keys[index] and (group is None or len(group) <= KEY_GROUP_CAP):
            database[index] = [(claim.id, _signature_of(claim)) for claim in group or ()]
        else:
            by_words.append(index)

    # The rest by words: rows without quantities or dates, and keys that many stored claims share.
    cache = frequency_cache
    terms_by_row = [
        query_terms(text) if not key else [] for text, key in zip(texts_normalized, keys, strict=True)
    ]
    for index in by_words:
        terms_by_row[index] = terms_by_row[index] or query_terms(texts_normalized[index])
    unseen = {term for terms in terms_by_row for term in terms if term not in cache}
    if len(cache) + len(unseen) > MAX_CACHED_TERMS:
        cache.clear()
        unseen = {term for terms in terms_by_row for term in terms}
    cache.update(document_frequencies(session=session, terms=unseen))
    shared_by_row = near_duplicate_terms(
        session=session, terms_by_row=[terms_by_row[index] for index in by_words], frequencies=cache
    )
    found_by_words = near_duplicate_candidates_for_batch(session=session, chosen_by_row=shared_by_row)
    shared_terms: dict[int, list[str]] = {}
    for index, row_candidates, shared in zip(by_words, found_by_words, shared_by_row, strict=True):
        database[index] = [(claim.id, _signature_of(claim)) for claim in row_candidates]
        shared_terms[index] = shared

    for index in open_rows:
        signature = signatures[index]
        in_database = best_scored(signature, database[index], threshold)
        in_previous = best_scored(signature, previous.like(signature, shared_terms.get(index, [])), threshold)
        # On equal scores the stored claim wins: it is the older one.
        if in_previous is not None and (in_database is None or in_previous[1] > in_database[1]):
            earlier[index] = in_previous[0]
        elif in_database is not None:
            stored[index] = in_database[0]

    current = RecentRows()
    for index, text_hash in enumerate(hashes):
        if stored[index] is not None or index in earlier:
            continue
        original = current.line_by_hash.get((text_hash, keys[index]))
        if original is None:
            # Words no stored claim has are the rarest of all here: they tell two new rows apart.
            rare = sorted(terms_by_row[index], key=lambda term: cache.get(term, 0))[:DUPLICATE_TERMS]
            found = best_scored(signatures[index], current.like(signatures[index], rare), threshold)
            original = found[0] if found else None
        if original is not None:
            earlier[index] = original
        else:
            current.add(lines[index], text_hash, terms_by_row[index], signatures[index])
    # Words new to the database arrive with this batch: later batches must not think no claim has them.
    for term in unseen:
        if cache.get(term) == 0:
            cache[term] = 1
    stored_next = current
    if keep_duplicates:
        # Kept duplicates are stored too, and the next batch may repeat them.
        stored_next = RecentRows()
        for index, text_hash in enumerate(hashes):
            stored_next.add(lines[index], text_hash, terms_by_row[index], signatures[index])
    return BatchDuplicates(stored=stored, earlier=earlier, signatures=list(signatures)), stored_next
