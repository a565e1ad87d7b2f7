"""Duplicate detection for a batch of imported claims: exact normalised-text hash first, then fuzzy.

Per batch, not per row: one hash lookup, one word-frequency lookup for new words, and the database
candidates of every remaining row fetched together (`index.near_duplicate_candidates_for_batch`), then
compared in Python. Rows of the same batch are compared with each other the same way, so a near repeat
inside one upload is caught before either row is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlmodel import Session, col, select

from service.claims.models import Claim
from service.imports.index import (
    DUPLICATE_TERMS,
    document_frequencies,
    near_duplicate_candidates_for_batch,
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
    """What each row of a batch repeats: a stored claim (`stored[i]`) or an earlier row (`earlier[i]`)."""

    stored: list[int | None]
    earlier: dict[int, int]


def existing_by_hash(*, session: Session, hashes: Sequence[str]) -> dict[str, int]:
    """The oldest stored claim for each of these text hashes, in one query."""
    found: dict[str, int] = {}
    if not hashes:
        return found
    query = (
        select(Claim.text_hash, Claim.id).where(col(Claim.text_hash).in_(set(hashes))).order_by(col(Claim.id))
    )
    for text_hash, claim_id in session.exec(query):
        if claim_id is not None:
            found.setdefault(text_hash, claim_id)
    return found


def similarity(text_normalized: str, other: str, score_cutoff: float = 0.0) -> float:
    """token_set_ratio of two normalised texts; 0 when their lengths differ too much to be one claim,
    or when the score is below `score_cutoff` (which lets rapidfuzz stop early)."""
    shorter, longer = sorted((len(other), len(text_normalized)))
    if longer and shorter / longer < MIN_LENGTH_RATIO:
        return 0.0
    return float(fuzz.token_set_ratio(text_normalized, other, score_cutoff=score_cutoff))


def best_match(text_normalized: str, candidates: Sequence[tuple[int, str]], threshold: float) -> int | None:
    """The candidate id scoring at least `threshold`, best first, the lowest id among equals."""
    best_id, best_score = None, threshold
    for candidate_id, stored in sorted(candidates):
        score = similarity(text_normalized, stored, score_cutoff=threshold)
        if score > best_score or (score == best_score and best_id is None):
            best_id, best_score = candidate_id, score
    return best_id


def find_duplicates(
    *,
    session: Session,
    texts_normalized: Sequence[str],
    hashes: Sequence[str],
    threshold: float,
    frequency_cache: dict[str, int] | None = None,
) -> BatchDuplicates:
    """For each text, the stored claim it duplicates or the earlier row of this batch it repeats.

    A row matching a stored claim points there; otherwise a row repeating (exactly or nearly) an
    earlier row of the batch that is itself new points at that row. `frequency_cache` carries word
    frequencies from batch to batch of one import.
    """
    exact = existing_by_hash(session=session, hashes=hashes)
    cache = frequency_cache if frequency_cache is not None else {}
    terms_by_row = [query_terms(text) for text in texts_normalized]
    unseen = {term for terms in terms_by_row for term in terms if term not in cache}
    if len(cache) + len(unseen) > MAX_CACHED_TERMS:
        cache.clear()
        unseen = {term for terms in terms_by_row for term in terms}
    cache.update(document_frequencies(session=session, terms=unseen))

    stored: list[int | None] = [exact.get(text_hash) for text_hash in hashes]
    fuzzy_rows = [index for index in range(len(hashes)) if stored[index] is None]
    candidates = near_duplicate_candidates_for_batch(
        session=session,
        terms_by_row=[terms_by_row[index] for index in fuzzy_rows],
        frequencies=cache,
    )
    for index, row_candidates in zip(fuzzy_rows, candidates, strict=True):
        stored[index] = best_match(texts_normalized[index], row_candidates, threshold)

    earlier = _repeats_within_batch(texts_normalized, hashes, terms_by_row, stored, cache, threshold)
    # Words new to the database arrive with this batch: later batches must not think no claim has them.
    for term in unseen:
        if cache.get(term) == 0:
            cache[term] = 1
    return BatchDuplicates(stored=stored, earlier=earlier)


def _repeats_within_batch(
    texts_normalized: Sequence[str],
    hashes: Sequence[str],
    terms_by_row: Sequence[list[str]],
    stored: Sequence[int | None],
    frequencies: dict[str, int],
    threshold: float,
) -> dict[int, int]:
    """Row index -> the earlier new row of the batch it repeats: same hash, or two of its three rarest
    words shared and a fuzzy score at or above the threshold (the rule used against stored claims)."""
    first_by_hash: dict[str, int] = {}
    rows_by_term: dict[str, list[int]] = {}
    earlier: dict[int, int] = {}
    for index, text_hash in enumerate(hashes):
        if stored[index] is not None:
            continue
        original = first_by_hash.get(text_hash)
        if original is None:
            # Words no stored claim has are the rarest of all here: they tell two new rows apart.
            rare = sorted(terms_by_row[index], key=lambda term: frequencies.get(term, 0))[:DUPLICATE_TERMS]
            shared: dict[int, int] = {}
            for term in rare:
                for other in rows_by_term.get(term, ()):
                    shared[other] = shared.get(other, 0) + 1
            needed = min(2, len(rare))
            nearby = [other for other, count in shared.items() if count >= needed]
            if nearby:
                nearby = sorted(nearby, key=lambda other: -shared[other])[:MAX_BATCH_CANDIDATES]
                original = best_match(
                    texts_normalized[index], [(other, texts_normalized[other]) for other in nearby], threshold
                )
        if original is not None:
            earlier[index] = original
            continue
        first_by_hash[text_hash] = index
        for term in terms_by_row[index]:
            rows_by_term.setdefault(term, []).append(index)
    return earlier
