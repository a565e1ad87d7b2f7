"""The rule-based extractor: segment, decompose, score, and report every sentence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from spacy.tokens import Span

from service.extraction.classify import garbled
from service.extraction.context import ArticleContext
from service.extraction.decompose import ClaimDraft, SentenceDecomposer
from service.extraction.genre import (
    Genre,
    Turn,
    detect_genre,
    interviewee,
    speaker_name,
    speaker_turns,
)
from service.extraction.nlp import get_nlp
from service.extraction.quantities import find_quantities
from service.extraction.result import Entity, ExtractedClaim, Extraction, SentenceReport
from service.extraction.scene import ArticleScene
from service.extraction.segment import Sentence, segment

_QUANTITY_LABELS = frozenset({"MONEY", "PERCENT", "CARDINAL", "QUANTITY", "DATE", "TIME", "ORDINAL"})
FALLBACK_THRESHOLD = 0.5


def _fallback_score(span: Span) -> float:
    """Used only when the trained scorer is unavailable: names and numbers make a sentence checkable."""
    labels = {t.ent_type_ for t in span if t.ent_type_}
    score = 0.25 + 0.3 * bool(labels & _QUANTITY_LABELS) + 0.25 * bool(labels - _QUANTITY_LABELS)
    return min(score + 0.1 * any(t.like_num for t in span), 1.0)


def _scorer() -> tuple[Callable[[Span], float], float, float, float | None]:
    """The sentence scorer; the score a claim needs in writing (the scorer's own threshold) and in speech
    (tuned through the rules on ClaimBuster's debate sentences); and the score at which a spoken
    sentence the rules read as opinion is kept as said anyway (None: never)."""
    try:
        from service.extraction.checkworthy import (
            checkworthiness_score,
            checkworthy_threshold,
            override_threshold,
            pipeline_threshold,
        )

        return checkworthiness_score, checkworthy_threshold(), pipeline_threshold(), override_threshold()
    except (ImportError, OSError, ValueError, KeyError):
        return _fallback_score, FALLBACK_THRESHOLD, FALLBACK_THRESHOLD, None


# Cues a confident scorer may overrule in speech: the rules' reading of a speaker's judgement words
# or of an unanchored statement. Questions, fragments, rhetoric and host lines stay dropped.
_SOFT_CUES = frozenset({"opinion", "not_checkworthy"})


def _as_said(sentence: Sentence, speaker: str | None) -> ClaimDraft:
    """The whole sentence in its own words, undecontextualised: what a speaker's sentence is when the
    scorer finds it check-worthy but the rules found no clean core."""
    span = sentence.span
    return ClaimDraft(
        text=span.text.strip(),
        start=span.start_char,
        end=span.end_char,
        kind="other",
        decontextualised=False,
        speaker=speaker,
    )


def _claim(
    draft: ClaimDraft,
    sentence: Sentence,
    index: int,
    text: str,
    sentence_score: float,
    threshold: float,
    published_at: dt.date | None,
    *,
    lifted: bool = True,
) -> ExtractedClaim:
    start, end = sentence.body_offset(draft.start), sentence.body_offset(draft.end)
    span = sentence.span.doc.char_span(draft.start, draft.end, alignment_mode="expand")
    entities: list[Entity] = []
    quantities = []
    if span is not None:
        entities = [
            Entity(e.text, e.label_, sentence.body_offset(e.start_char), sentence.body_offset(e.end_char))
            for e in span.ents
            if e.label_ not in _QUANTITY_LABELS
            and sentence.body_offset(e.start_char) >= start
            and sentence.body_offset(e.end_char) <= end
        ]
        quantities = [
            replace(q, start=sentence.body_offset(q.start), end=sentence.body_offset(q.end))
            for q in find_quantities(span, 0, published_at)
            if sentence.body_offset(q.start) >= start and sentence.body_offset(q.end) <= end
        ]
    # Numbers and named sources are what a fact-checker can look up, so they lift the sentence score
    # of written text. Not of speech: the scorer was trained on debate sentences, where it already
    # weighs numbers and names (on ClaimBuster's tuning half the lift only added false positives).
    lift = lifted * (
        0.15 * bool(quantities)
        + 0.1 * bool(entities)
        + 0.1 * (draft.kind in ("quote", "attribution", "role"))
    )
    score = round(min(1.0, sentence_score + lift), 3)
    return ExtractedClaim(
        text=draft.text,
        quote=text[start:end],
        start=start,
        end=end,
        checkworthy=score >= threshold,
        score=score,
        kind=draft.kind,
        sentence_index=index,
        items=[text[sentence.body_offset(a) : sentence.body_offset(b)] for a, b in draft.items],
        entities=entities,
        quantities=quantities,
        decontextualised=draft.decontextualised,
        speaker=draft.speaker,
    )


def _speaker(turn: Turn | None, ctx: ArticleContext, text: str) -> str | None:
    """The name a speaker label stands for; 'A' is the interview's first-named person."""
    if turn is None:
        return None
    if turn.is_interviewee:
        return next(iter(ctx.people), None) or interviewee(text) or "The interviewee"
    name = speaker_name(turn.label)
    return name if turn.is_host else ctx.canonical(name)


def _headline_scene(title: str | None) -> ArticleScene:
    """The month and places a headline names ("Leeds has its wettest March"), for the claims below it."""
    scene = ArticleScene()
    if title and title.strip():
        scene.read_headline(title)
        scene.read_places(get_nlp()(title)[:])
    return scene


def extract(
    text: str,
    *,
    published_at: dt.date | None = None,
    genre: Genre | str | None = None,
    title: str | None = None,
) -> Extraction:
    """Atomic, checkable claims of an article, each quoting `text` exactly, plus a report per sentence.

    `genre` (detected from the text when None) decides whose voice first person is, and in a
    transcript or an interview the speaker labels ("CARVER: ") say who made each claim. The `title`
    (headline), like a heading line of the body, gives the month and the places that "over the
    month" and "the city" stand for."""
    if not text.strip():
        return Extraction(claims=[], sentences=[])
    detected = genre is None
    kind = detect_genre(text) if genre is None else Genre(genre)
    score_sentence, written, spoken, overrule = _scorer()
    # The thresholds through the rules were tuned on speech; writing keeps the scorer's own and its lift.
    threshold = spoken if kind.spoken else written
    ctx = ArticleContext()
    decomposer = SentenceDecomposer(ctx, published_at, _headline_scene(title))
    claims: list[ExtractedClaim] = []
    reports: list[SentenceReport] = []
    seen_headings: dict[str, int] = {}
    for index, sentence in enumerate(segment(text, speaker_turns(text, kind))):
        sentence_text = text[sentence.start : sentence.end]
        report = SentenceReport(index, sentence.start, sentence.end, sentence_text, "claim", 0.0, "")
        reports.append(report)
        if sentence.is_heading:
            earlier = seen_headings.setdefault(sentence_text.strip(), index)
            report.label = "heading"
            report.reason = f"heading (repeats sentence {earlier})" if earlier != index else "heading"
            decomposer.scene.read_headline(sentence_text)
            decomposer.scene.read_places(sentence.span)
            continue
        unreadable = garbled([t.text for t in sentence.span if not t.is_punct])
        if unreadable is not None:
            report.label = "unreadable"
            report.reason = unreadable
            continue
        speaker = _speaker(sentence.turn, ctx, text)
        host = speaker is not None and sentence.turn is not None and sentence.turn.is_host
        # A moderator's or interviewer's lines steer the conversation, but what they state ("With me is
        # X, the councillor for Y", "Polls open at 7am", "The council says ...") is checked as plain
        # fact; their questions, stage talk and unaddressed "you" give no claim (see decompose).
        interviewing = host and kind is Genre.interview
        addressee = (next(iter(ctx.people), None) or interviewee(text)) if interviewing else None
        outcome = decomposer.decompose(
            sentence.span,
            speaker=None if host else speaker,
            spoken=kind.spoken and not host,
            turn=sentence.turn,
            host=host,
            addressee=addressee,
        )
        cue = outcome.cue
        # ClaimBuster's annotators call many such sentences of debate check-worthy ("Now we have this
        # incredible mess in Iraq -- $200 billion"); in speech the scorer, trained on them, decides.
        overruled = (
            not outcome.drafts
            and kind.spoken
            and not host
            and overrule is not None
            and cue is not None
            and cue.label in _SOFT_CUES
            and score_sentence(sentence.span) >= overrule
        )
        if overruled:
            outcome = replace(outcome, drafts=[_as_said(sentence, speaker)])
        if not outcome.drafts:
            if host and speaker is not None:
                report.label = "not_checkworthy"
                report.reason = f"{speaker.lower()}'s line"
            elif outcome.cue is not None:
                report.label = outcome.cue.label
                report.reason = outcome.cue.reason
            else:
                report.label = "not_checkworthy"
                report.reason = "no checkable statement"
            continue
        # Scored only when there are claims to rank: the trained scorer costs ~1 ms a sentence, a
        # quarter of the whole budget for an editorial if every opinion and heading were scored too.
        report.score = round(score_sentence(sentence.span), 3)
        made = [
            _claim(d, sentence, index, text, report.score, threshold, published_at, lifted=not kind.spoken)
            for d in outcome.drafts
        ]
        claims.extend(made)
        report.claim_count = len(made)
        kinds = ", ".join(sorted({c.kind for c in made}))
        report.reason = f"{len(made)} claim{'s' if len(made) != 1 else ''} ({kinds})"
        if speaker and not host:
            report.reason += f", said by {speaker}"
        if overruled and cue is not None:
            report.reason += f"; kept as said, the scorer overrules {cue.reason}"
        elif outcome.cue is not None:
            report.reason += f"; rest skipped, {outcome.cue.reason}"
    return Extraction(
        claims=claims,
        sentences=reports,
        extractor="rules",
        meta={
            "published_at": str(published_at) if published_at else None,
            "genre": kind.value,
            "genre_detected": detected,
        },
    )
