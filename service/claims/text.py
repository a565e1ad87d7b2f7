"""Text normalisation shared by duplicate detection and matching."""

from __future__ import annotations

import hashlib

from rapidfuzz.utils import default_process


def normalize_claim_text(text: str) -> str:
    """Lower-case, punctuation-free, single-spaced text: 'Putin wants NATO out!' -> 'putin wants nato out'."""
    return " ".join(default_process(text).split())


def claim_text_hash(text: str) -> str:
    """SHA-256 of the normalised text: identical claims (up to case and punctuation) share it."""
    return normalized_text_hash(normalize_claim_text(text))


def normalized_text_hash(text_normalized: str) -> str:
    """`claim_text_hash` of text that is already normalised."""
    return hashlib.sha256(text_normalized.encode("utf-8")).hexdigest()
