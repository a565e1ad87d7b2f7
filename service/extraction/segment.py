"""Split a body into sentences with exact offsets, parsing paragraphs in one `nlp.pipe` stream."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Span

from service.extraction.genre import Turn
from service.extraction.nlp import get_nlp
from service.extraction.spelling import normalise

# spaCy's default max_length is 1,000,000 chars; memory grows with doc length, so long paragraphs
# are cut into chunks at sentence-looking boundaries first.
MAX_CHUNK_CHARS = 20_000
# Chunks parsed per batch: big enough to keep spaCy's batched matrix work efficient, small enough
# that a long body's parses do not pile up in memory before they are used.
PIPE_BATCH = 64
_LINE = re.compile(r"[^\n]+")
_CHUNK_BREAK = re.compile(r"[.!?…][\"'”’)]*\s+")
_TERMINAL = re.compile(r"[.!?…:;][\"'”’)]*$")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the body: its parse and where it sits (`offset` is the body offset of its doc)."""

    span: Span
    offset: int
    start: int
    end: int
    is_heading: bool
    turn: Turn | None = None  # the speaker label this sentence's line carries or continues
    origin: list[int] | None = None  # doc offset -> chunk offset where spelling was mended (spelling.py)

    def body_offset(self, doc_offset: int) -> int:
        """Where a character offset of the parsed doc sits in the original body."""
        return self.offset + (self.origin[doc_offset] if self.origin is not None else doc_offset)


def _chunks(text: str, label_ends: dict[int, int]) -> Iterator[tuple[int, str]]:
    """Non-blank lines of `text` with their offsets, long lines cut near sentence ends.

    A speaker label ("CARVER: ") at a line's start (`label_ends`: label start -> end) is not text."""
    lines = list(_LINE.finditer(text))
    merged: set[int] = set()
    for number, line in enumerate(lines):
        if number in merged:
            continue
        start, end = line.start(), line.end()
        label_start = start + len(line.group()) - len(line.group().lstrip())
        start = label_ends.get(label_start, start)
        following = lines[number + 1] if number + 1 < len(lines) else None
        if (
            following is not None
            and following.start() not in label_ends
            and _list_follows(line.group(), following.group())
        ):
            # "... to three villages on the north bank:" + a line "Cottam, Brisley and Upper
            # Farnell." is one sentence; the line break is read as a space (same length, same offsets)
            merged.add(number + 1)
            end = following.end()
        while start < end:
            while start < end and text[start].isspace():
                start += 1
            if start >= end:
                break
            stop = end
            if end - start > MAX_CHUNK_CHARS:
                window = text[start : start + MAX_CHUNK_CHARS]
                breaks = [m.end() for m in _CHUNK_BREAK.finditer(window)]
                stop = start + (breaks[-1] if breaks else MAX_CHUNK_CHARS)
            piece_end = stop
            while piece_end > start and text[piece_end - 1].isspace():
                piece_end -= 1
            yield start, text[start:piece_end].replace("\n", " ")
            start = stop


_LIST_LINE = re.compile(r"^[A-Z][^:]{0,120}(?:,| and )[^:]{0,120}[.;]$")


def _list_follows(line: str, following: str) -> bool:
    """A line ending in a colon followed by a short list line ("Cottam, Brisley and Upper Farnell.")."""
    return (
        line.rstrip().endswith(":")
        and len(following.split()) <= 12
        and _LIST_LINE.match(following.strip()) is not None
    )


def _colon_list(first: Span, following: Span) -> bool:
    """ "... special needs teacher:" + "Abbeyfield, Northcote and St Barnabas.": a list the parser cut
    off at the colon, short and without a verb of its own."""
    if not first.text.rstrip().endswith(":") or len(following) > 14:
        return False
    words = [t for t in following if not t.is_punct]
    return (
        bool(words)
        and not any(t.pos_ in ("VERB", "AUX") for t in words)
        and any(t.text == "," or t.lower_ == "and" for t in following)
    )


def _joined(first: Span, following: Span, origin: list[int] | None) -> tuple[Span, list[int]]:
    """The two spans parsed again as one sentence, with the offset map into the same chunk."""
    nlp = get_nlp()
    start, end = first.start_char, following.end_char
    doc = nlp.make_doc(first.doc.text[start:end])
    for token in doc[1:]:
        token.is_sent_start = False  # the parser keeps it one sentence
    for _, component in nlp.pipeline:
        doc = component(doc)
    mapped = [origin[start + i] if origin is not None else start + i for i in range(len(doc.text) + 1)]
    return doc[:], mapped


def _looks_like_heading(line: str) -> bool:
    """A short line without closing punctuation: a title or subhead, however spaCy splits it."""
    return len(line.split()) <= 20 and not _TERMINAL.search(line.rstrip())


def segment(text: str, turns: Sequence[Turn] = ()) -> Iterator[Sentence]:
    """The sentences of `text` in order; `text[s.start:s.end]` is each one's original text, and its
    `span` the parse of that text with spelling slips mended (`spelling.normalise`).

    A generator over one `nlp.pipe` stream: each chunk's parse is dropped once its sentences have been
    used, so a 1 MB body never holds every Doc at once. With speaker `turns`, each sentence carries
    the turn it belongs to: its line's label, or the last label before it (an unlabelled paragraph
    continues the answer); a heading belongs to no one."""
    nlp = get_nlp()
    label_ends = {turn.start: turn.end for turn in turns}
    chunks = (
        (fixed, (offset, origin))
        for offset, chunk in _chunks(text, label_ends)
        for fixed, origin in [normalise(chunk)]
    )
    starts = [turn.start for turn in turns]
    for doc, (offset, origin) in nlp.pipe(chunks, as_tuples=True, batch_size=PIPE_BATCH):
        heading = _looks_like_heading(doc.text)
        at = bisect_right(starts, offset) - 1
        turn = turns[at] if at >= 0 and not heading else None
        spans = [span for span in doc.sents if span.text.strip()]
        skip_next = False
        for number, span in enumerate(spans):
            if skip_next:
                skip_next = False
                continue
            span_origin = origin
            if number + 1 < len(spans) and not heading and _colon_list(span, spans[number + 1]):
                span, span_origin = _joined(span, spans[number + 1], origin)
                skip_next = True
            sentence = Sentence(span, offset, 0, 0, heading, turn, span_origin)
            start, end = sentence.body_offset(span.start_char), sentence.body_offset(span.end_char)
            yield replace(sentence, start=start, end=end)
