"""Duplicate detection against stored claims: the exact normalised-text hash first, then fuzzy."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz
from sqlmodel import Session, col, select

from service.claims.models import Claim
from service.imports.index import candidate_claims

FUZZY_CANDIDATES = 5


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


def fuzzy_duplicate(*, session: Session, text_normalized: str, threshold: float) -> int | None:
    """The stored claim whose text this one repeats (token_set_ratio >= threshold), if any.

    Candidates come from the database index, so only a handful of texts are compared.
    """
    candidates = candidate_claims(session=session, text_normalized=text_normalized, limit=FUZZY_CANDIDATES)
    if not candidates:
        return None
    ids = [claim_id for claim_id, _ in candidates]
    texts = dict(session.exec(select(Claim.id, Claim.text_normalized).where(col(Claim.id).in_(ids))).all())
    best_id, best_score = None, threshold
    for claim_id in ids:
        stored = texts.get(claim_id)
        if stored is None:
            continue
        # token_set_ratio forgives extra words on either side; the length guard keeps a short claim
        # from counting as a duplicate of every long claim that contains its words.
        shorter, longer = sorted((len(stored), len(text_normalized)))
        if longer and shorter / longer < 0.6:
            continue
        score = fuzz.token_set_ratio(text_normalized, stored)
        if score >= best_score:
            best_id, best_score = claim_id, score
    return best_id


def find_duplicates(
    *, session: Session, texts_normalized: Sequence[str], hashes: Sequence[str], threshold: float
) -> list[int | None]:
    """For each text, the stored claim it duplicates (exact hash, then fuzzy), or None."""
    exact = existing_by_hash(session=session, hashes=hashes)
    found: list[int | None] = []
    for text_normalized, text_hash in zip(texts_normalized, hashes, strict=True):
        duplicate = exact.get(text_hash)
        if duplicate is None:
            duplicate = fuzzy_duplicate(session=session, text_normalized=text_normalized, threshold=threshold)
        found.append(duplicate)
    return found
