"""Grounding: find where a model's quote sits in the article, or admit it is not there.

A language model paraphrases, fixes typos and normalises quotes and whitespace when it "quotes".
We never store its text as the source: we find the stretch of the body it came from and return
offsets into the body, so `body[start:end]` is always real article text.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

# Below this similarity the "quote" is a paraphrase or an invention, not a copy with small slips.
DEFAULT_MIN_SCORE = 88.0

_SPACES = re.compile(r"\s+")
_TYPOGRAPHIC = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def _normalise(text: str) -> str:
    """Case, typographic quotes and runs of whitespace are not differences worth rejecting a quote for."""
    return _SPACES.sub(" ", text.translate(_TYPOGRAPHIC)).strip().lower()


def _fold(text: str) -> str:
    """Lower case and plain quotes, keeping every character at its offset so spans stay valid."""
    return "".join(ch if len(low := ch.lower()) != 1 else low for ch in text.translate(_TYPOGRAPHIC))


def _snap_to_words(body: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span that cuts a word in half to the whole word, then drop outer whitespace."""
    while start > 0 and body[start - 1].isalnum() and body[start].isalnum():
        start -= 1
    while end < len(body) and end > 0 and body[end - 1].isalnum() and body[end].isalnum():
        end += 1
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def align_quote(
    body: str,
    quote: str,
    *,
    window: tuple[int, int] | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
) -> tuple[int, int] | None:
    """The `[start, end]` of `quote` in `body` (searched within `window` if given), or None.

    Exact text wins; otherwise the best fuzzy alignment, snapped to word boundaries, must still be
    at least `min_score` similar to the quote after normalising case, quotes and whitespace.

    >>> align_quote("Talks in Geneva  calmed tensions.", "talks in Geneva calmed tensions")
    (0, 32)
    """
    wanted = quote.strip()
    if not wanted:
        return None
    lo, hi = window if window is not None else (0, len(body))
    lo, hi = max(0, lo), min(len(body), hi)
    region = body[lo:hi]

    found = region.find(wanted)
    if found < 0:
        found = _fold(region).find(_fold(wanted))
    if found >= 0:
        return lo + found, lo + found + len(wanted)

    alignment = fuzz.partial_ratio_alignment(_fold(wanted), _fold(region), score_cutoff=min_score * 0.9)
    if alignment is None:
        return None
    start, end = _snap_to_words(body, lo + alignment.dest_start, lo + alignment.dest_end)
    # The alignment tends to leave out closing punctuation the quote has; take it when the body agrees.
    tail = _fold(wanted[-1])
    if not tail.isalnum() and end < min(hi, len(body)) and _fold(body[end]) == tail:
        end += 1
    if start >= end:
        return None
    # partial_ratio compares the shorter string against windows of the longer one, so a quote that
    # is much longer than what it aligned to (the model padded it with invented text) still scores
    # high there; comparing the whole normalised strings catches that.
    if fuzz.ratio(_normalise(wanted), _normalise(body[start:end])) < min_score:
        return None
    return start, end


def align_item(quote: str, item: str, *, min_score: float = DEFAULT_MIN_SCORE) -> str | None:
    """`item` as it is spelled inside `quote`, or None when the quote does not contain it.

    >>> align_item("Romania and Bulgaria, Estonia", "bulgaria")
    'Bulgaria'
    """
    wanted = item.strip()
    if not wanted:
        return None
    found = quote.lower().find(wanted.lower())
    if found >= 0:
        return quote[found : found + len(wanted)]
    span = align_quote(quote, wanted, min_score=min_score)
    return None if span is None else quote[span[0] : span[1]]
