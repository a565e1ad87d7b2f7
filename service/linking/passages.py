"""Split a source's text into passages of a sentence or a few, each with exact offsets.

Pure functions, no database: `split_passages(text)` returns pieces whose `text` is always
`source_text[start:end]`, so a passage can be highlighted in the original document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before whitespace,
# or at a blank line. Abbreviations like "U.S." or "Dec." may split early; short pieces are
# merged with their neighbours below, so that costs little.
_SENTENCE_END = re.compile(r"""[.!?]+["'\u201d\u2019)\]]*(?=\s)|\n\s*\n""")

# Pieces shorter than this join the next sentence: a passage should say one whole thing.
MIN_PASSAGE_CHARS = 80
# Sentences are grouped until a passage would exceed this; longer single sentences are cut.
MAX_PASSAGE_CHARS = 600


@dataclass(frozen=True)
class PassageSpan:
    """One passage: its order in the source and its offsets into the source text."""

    position: int
    start: int
    end: int
    text: str


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of each sentence, leading and trailing whitespace excluded."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for boundary in _SENTENCE_END.finditer(text):
        spans.append((cursor, boundary.end()))
        cursor = boundary.end()
    spans.append((cursor, len(text)))
    trimmed = []
    for start, end in spans:
        piece = text[start:end]
        stripped_left = len(piece) - len(piece.lstrip())
        stripped_right = len(piece) - len(piece.rstrip())
        start, end = start + stripped_left, end - stripped_right
        if end > start:
            trimmed.append((start, end))
    return trimmed


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence at whitespace so no passage exceeds MAX_PASSAGE_CHARS."""
    pieces = []
    while end - start > MAX_PASSAGE_CHARS:
        cut = text.rfind(" ", start + MAX_PASSAGE_CHARS // 2, start + MAX_PASSAGE_CHARS)
        if cut <= start:
            cut = start + MAX_PASSAGE_CHARS
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


def split_passages(text: str) -> list[PassageSpan]:
    """Passages of a sentence or a few, in order.

    >>> [p.text for p in split_passages("NATO met. Russia asked it to leave Romania and Bulgaria.")]
    ['NATO met. Russia asked it to leave Romania and Bulgaria.']
    """
    sentences: list[tuple[int, int]] = []
    for start, end in _sentence_spans(text):
        sentences.extend(_cut_long(text, start, end))
    passages: list[PassageSpan] = []
    group_start: int | None = None
    group_end = 0
    for start, end in sentences:
        if group_start is None:
            group_start, group_end = start, end
        elif group_end - group_start < MIN_PASSAGE_CHARS and end - group_start <= MAX_PASSAGE_CHARS:
            group_end = end
        else:
            passages.append(PassageSpan(len(passages), group_start, group_end, text[group_start:group_end]))
            group_start, group_end = start, end
    if group_start is not None:
        # A short tail sentence belongs with the passage before it when that still fits.
        if passages and group_end - group_start < MIN_PASSAGE_CHARS // 2:
            last = passages[-1]
            if group_end - last.start <= MAX_PASSAGE_CHARS:
                passages[-1] = PassageSpan(last.position, last.start, group_end, text[last.start : group_end])
                return passages
        passages.append(PassageSpan(len(passages), group_start, group_end, text[group_start:group_end]))
    return passages
