"""Cut texts into fragments for the pages: claim spans in an article body, matching words in a passage.

Pure functions over offsets; the templates only loop over the fragments (escaping is Jinja's job).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class ClaimSpan:
    claim_id: int
    start: int
    end: int


@dataclass(frozen=True)
class SentenceSpan:
    start: int
    end: int
    label: str
    reason: str
    claim_count: int


@dataclass(frozen=True)
class Fragment:
    """A run of text drawn one way: linked to a claim, greyed as skipped, or plain."""

    text: str
    claim_id: int | None = None
    skipped_reason: str | None = None
    hint: str | None = None


def paragraphs(body: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank paragraph, blank lines separating them."""
    spans = []
    start = 0
    for match in PARAGRAPH_BREAK.finditer(body):
        if body[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if body[start:].strip():
        spans.append((start, len(body)))
    return spans


def article_paragraphs(
    body: str, sentences: Sequence[SentenceSpan], claims: Sequence[ClaimSpan]
) -> list[list[Fragment]]:
    """The body as paragraphs of fragments: claim spans linked, sentences without claims greyed with why.

    Where claims overlap, the fragment links to the narrowest one (the most specific claim).
    """
    located = [claim for claim in claims if 0 <= claim.start < claim.end <= len(body)]
    result = []
    for para_start, para_end in paragraphs(body):
        cuts = {para_start, para_end}
        for claim in located:
            cuts.update(point for point in (claim.start, claim.end) if para_start < point < para_end)
        for each in sentences:
            cuts.update(point for point in (each.start, each.end) if para_start < point < para_end)
        points = sorted(cuts)
        fragments: list[Fragment] = []
        for left, right in itertools.pairwise(points):
            covering = [claim for claim in located if claim.start <= left and right <= claim.end]
            sentence = next((s for s in sentences if s.start <= left and right <= s.end), None)
            text = body[left:right]
            if covering:
                narrowest = min(covering, key=lambda claim: (claim.end - claim.start, claim.claim_id))
                fragments.append(
                    Fragment(
                        text=text, claim_id=narrowest.claim_id, hint=sentence.reason if sentence else None
                    )
                )
            elif sentence is not None and sentence.claim_count == 0:
                fragments.append(Fragment(text=text, skipped_reason=sentence.reason))
            else:
                fragments.append(Fragment(text=text, hint=sentence.reason if sentence else None))
        result.append(_merge(fragments))
    return result


def _merge(fragments: list[Fragment]) -> list[Fragment]:
    """Join neighbours drawn the same way, so one claim is one link."""
    merged: list[Fragment] = []
    for fragment in fragments:
        if merged and (merged[-1].claim_id, merged[-1].skipped_reason, merged[-1].hint) == (
            fragment.claim_id,
            fragment.skipped_reason,
            fragment.hint,
        ):
            merged[-1] = Fragment(
                text=merged[-1].text + fragment.text,
                claim_id=fragment.claim_id,
                skipped_reason=fragment.skipped_reason,
                hint=fragment.hint,
            )
        else:
            merged.append(fragment)
    return merged


@dataclass(frozen=True)
class Marked:
    """A run of text and whether it is marked (the quote, a matching word)."""

    text: str
    marked: bool = False


def mark_ranges(text: str, ranges: Sequence[tuple[int, int]], *, offset: int = 0) -> list[Marked]:
    """`text` cut at the (start, end) ranges, which are offsets into a larger text starting at `offset`.

    mark_ranges("Romania and Bulgaria", [(0, 7)]) -> [Marked("Romania", True), Marked(" and Bulgaria")]
    """
    clipped = sorted(
        (max(start - offset, 0), min(end - offset, len(text)))
        for start, end in ranges
        if end - offset > 0 and start - offset < len(text) and end > start
    )
    pieces: list[Marked] = []
    position = 0
    for start, end in clipped:
        if end <= position:
            continue  # inside a range already marked
        start = max(start, position)
        if start > position:
            pieces.append(Marked(text[position:start]))
        pieces.append(Marked(text[start:end], marked=True))
        position = end
    if position < len(text):
        pieces.append(Marked(text[position:]))
    return pieces


def quote_in_paragraph(body: str, start: int, end: int) -> list[Marked]:
    """The paragraph around a claim's quote, the quote marked; [] when the span is not in the body."""
    if not 0 <= start < end <= len(body):
        return []
    for para_start, para_end in paragraphs(body):
        if para_start <= start < para_end:
            return mark_ranges(body[para_start:para_end], [(start, min(end, para_end))], offset=para_start)
    return []
