"""Chunking an article for the model, and pinning what the model says to article text.

Nothing the model says is kept unless its quote can be aligned with the article (see `align.py`);
claims seen twice through overlapping chunks are kept once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rapidfuzz import fuzz

from service.extraction.align import align_quote
from service.extraction.llm_answer import ModelClaim
from service.extraction.nlp import get_nlp
from service.extraction.pipeline import _QUANTITY_LABELS
from service.extraction.quantities import find_quantities
from service.extraction.result import Entity, ExtractedClaim, SentenceReport

# Claims from overlapping chunks whose texts are at least this similar (and that come from the
# same sentence) are one claim seen twice.
DUPLICATE_TEXT_SCORE = 92.0


def chunk_sentences(count: int, size: int) -> list[range]:
    """Sentence index ranges of at most `size`, each overlapping the previous by about a fifth.

    >>> chunk_sentences(10, 4)
    [range(0, 4), range(3, 7), range(6, 10)]
    """
    size = max(1, size)
    if count <= size:
        return [range(count)]
    overlap = min(size - 1, max(1, size // 5))
    step = size - overlap
    chunks = []
    for start in range(0, count, step):
        chunks.append(range(start, min(count, start + size)))
        if start + size >= count:
            break
    return chunks


def sentence_at(sentences: Sequence[SentenceReport], offset: int) -> int:
    for report in sentences:
        if report.start <= offset < report.end:
            return report.index
    nearest = min(sentences, key=lambda report: min(abs(report.start - offset), abs(report.end - offset)))
    return nearest.index


def ground(
    text: str, claim: ModelClaim, sentences: Sequence[SentenceReport], chunk: range
) -> tuple[int, int] | None:
    """Try the sentence the model named (with its neighbours), then the whole chunk."""
    windows: list[tuple[int, int]] = []
    position = claim.sentence - 1 if claim.sentence is not None else None
    if position is not None and position in chunk:
        first = sentences[max(chunk.start, position - 1)]
        last = sentences[min(chunk.stop - 1, position + 1)]
        windows.append((first.start, last.end))
    windows.append((sentences[chunk.start].start, sentences[chunk.stop - 1].end))
    for window in windows:
        span = align_quote(text, claim.quote, window=window)
        if span is not None:
            return span
    return None


def is_duplicate(claim: ExtractedClaim, kept: Sequence[ExtractedClaim]) -> bool:
    for other in kept:
        if (claim.start, claim.end) == (other.start, other.end) and claim.text == other.text:
            return True
        if claim.sentence_index == other.sentence_index and (
            fuzz.ratio(claim.text.lower(), other.text.lower()) >= DUPLICATE_TEXT_SCORE
        ):
            return True
    return False


def annotate(
    text: str,
    claims: Sequence[ExtractedClaim],
    sentences: Sequence[SentenceReport],
    published_at: date | None,
) -> None:
    """Fill each claim's entities and quantities the way the rules extractor does, from spaCy."""
    wanted = sorted({claim.sentence_index for claim in claims})
    if not wanted:
        return
    by_index = {report.index: report for report in sentences}
    docs = dict(
        zip(wanted, get_nlp().pipe(text[by_index[i].start : by_index[i].end] for i in wanted), strict=True)
    )
    for claim in claims:
        offset = by_index[claim.sentence_index].start
        doc = docs[claim.sentence_index]
        # A quote may run past its sentence; the part inside it is what this parse can describe.
        span = doc.char_span(
            max(0, claim.start - offset), min(len(doc.text), claim.end - offset), alignment_mode="expand"
        )
        if span is None:
            continue
        # The same selection as the rules extractor: numbers go to quantities, names to entities.
        claim.entities = [
            Entity(text=ent.text, label=ent.label_, start=offset + ent.start_char, end=offset + ent.end_char)
            for ent in span.ents
            if ent.label_ not in _QUANTITY_LABELS
            and claim.start <= offset + ent.start_char
            and offset + ent.end_char <= claim.end
        ]
        claim.quantities = [
            quantity
            for quantity in find_quantities(span, offset, published_at)
            if claim.start <= quantity.start and quantity.end <= claim.end
        ]
