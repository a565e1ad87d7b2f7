"""Duplicate detection against stored claims: the exact normalised-text hash first, then fuzzy."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz
from sqlmodel import Session, col, select

from service.claims.models import Claim
from service.imports.index import document_frequencies, near_duplicate_candidates, query_terms

FUZZY_CANDIDATES = 5
# Word frequencies barely move during one import; past this many cached words, start afresh.
MAX_CACHED_TERMS = 500_000


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


def fuzzy_duplicate(
    *, session: Session, text_normalized: str, threshold: float, frequencies: dict[str, int] | None = None
) -> int | None:
    """The stored claim whose text this one repeats (token_set_ratio >= threshold), if any.

    Candidates come from the database index, so only a handful of texts are compared.
    """
    candidates = near_duplicate_candidates(
        session=session, text_normalized=text_normalized, limit=FUZZY_CANDIDATES, frequencies=frequencies
    )
    best_id, best_score = None, threshold
    for claim_id, stored in sorted(candidates):
        # token_set_ratio forgives extra words on either side; the length guard keeps a short claim
        # from counting as a duplicate of every long claim that contains its words.
        shorter, longer = sorted((len(stored), len(text_normalized)))
        if longer and shorter / longer < 0.6:
            continue
        score = fuzz.token_set_ratio(text_normalized, stored)
        if score > best_score or (score == best_score and best_id is None):
            best_id, best_score = claim_id, score
    return best_id


def find_duplicates(
    *,
    session: Session,
    texts_normalized: Sequence[str],
    hashes: Sequence[str],
    threshold: float,
    frequency_cache: dict[str, int] | None = None,
) -> list[int | None]:
    """For each text, the stored claim it duplicates (exact hash, then fuzzy), or None.

    `frequency_cache` carries word frequencies from batch to batch of one import.
    """
    exact = existing_by_hash(session=session, hashes=hashes)
    cache = frequency_cache if frequency_cache is not None else {}
    unseen = {
        term
        for text_normalized, text_hash in zip(texts_normalized, hashes, strict=True)
        if text_hash not in exact
        for term in query_terms(text_normalized)
        if term not in cache
    }
    if len(cache) + len(unseen) > MAX_CACHED_TERMS:
        cache.clear()
    cache.update(document_frequencies(session=session, terms=unseen))
    found: list[int | None] = []
    for text_normalized, text_hash in zip(texts_normalized, hashes, strict=True):
        duplicate = exact.get(text_hash)
        if duplicate is None:
            duplicate = fuzzy_duplicate(
                session=session,
                text_normalized=text_normalized,
                threshold=threshold,
                frequencies=cache or None,
            )
        found.append(duplicate)
    # Words new to the database arrive with this batch: later batches must not think no claim has them.
    for term in unseen:
        if cache.get(term) == 0:
            cache[term] = 1
    return found
