"""Scores an extraction against an annotated editorial (shared by the tests and bench/extraction_quality.py).

An annotated fact is found when one claim's text holds every keyword (rapidfuzz partial_ratio >= 90,
so a typo or a possessive does not lose it), none of its forbidden words, and, if the fact lists
items, exactly those items in order. An opinion sentence leaks when it yields a claim that matches no
annotated fact (an appositive role inside an opinion sentence is a fact, not a leak).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz
from spacy.tokens import Token

from service.extraction import extract
from service.extraction.nlp import get_nlp
from service.extraction.result import ExtractedClaim, Extraction, SentenceReport
from service.extraction.segment import segment

DATA = Path(__file__).parent / "data"


@dataclass
class Score:
    name: str
    facts: int
    found: int
    missed: list[str]
    opinions: int
    leaked: list[str]
    items_expected: int
    items_exact: int
    spans_exact: bool
    flagged: int = 0  # found facts whose claim the scorer marks check-worthy
    broken: list[str] = field(default_factory=list)  # claims a fact-checker could not use, with why

    @property
    def recall(self) -> float:
        return self.found / self.facts if self.facts else 1.0

    @property
    def leak_rate(self) -> float:
        return len(self.leaked) / self.opinions if self.opinions else 0.0


def _has(claim_text: str, keyword: str) -> bool:
    return fuzz.partial_ratio(keyword.lower(), claim_text.lower()) >= 90


def _matches(claim: ExtractedClaim, fact: dict[str, object]) -> bool:
    keywords = fact["keywords"]
    forbidden = fact.get("forbidden", [])
    assert isinstance(keywords, list) and isinstance(forbidden, list)
    return all(_has(claim.text, k) for k in keywords) and not any(
        f.lower() in claim.text.lower() for f in forbidden
    )


def annotated(name: str) -> tuple[str, dict[str, object]]:
    spec = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return (DATA / spec["text"]).read_text(encoding="utf-8"), spec


_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
_UNRESOLVED = frozenset({"it", "they", "this", "these", "those", "them", "its", "their"})


_NOMINAL = frozenset({"NOUN", "PROPN", "PRON", "NUM"})


def _finite(token: Token) -> bool:
    """A finite verb, or what en_core_web_sm mistags as a noun in "The stadium cost £1 billion"."""
    if token.tag_ in _FINITE:
        return True
    if token.dep_ != "ROOT" or token.tag_ not in {"VB", "NN", "NNS"}:
        return False
    return token.tag_ == "VB" or (
        any(c.dep_ in {"compound", "nsubj", "poss"} for c in token.lefts)
        and any(c.dep_ in {"appos", "dobj", "npadvmod"} for c in token.rights)
    )


_RELATIVE = frozenset({"relcl", "acl"})


_WH = frozenset({"WP", "WDT", "WP$"})


def _in_relative_clause(token: Token) -> bool:
    """Inside a relative clause ("The participants whose average age was 81."): no main verb.

    The small model often roots such a fragment at the relative clause's own verb, so a verb whose
    subject is a relative pronoun (not a question's opening "Who ...") counts as relative too."""
    if any(t.dep_ in _RELATIVE for t in (token, *token.ancestors)):
        return True
    subjects = [c for c in token.children if c.dep_ in _SUBJECTS]
    wh = [w for s in subjects for w in (s, *s.children) if w.tag_ in _WH and w.i > 0]
    return bool(wh)


def _participle_misparse(token: Token) -> bool:
    """en_core_web_sm reads "That budget paid for the inspectors" as a noun with a participle: a
    past-tense verb right after the root noun, with its own complement, is taken as the verb."""
    head = token.head
    return (
        token.dep_ == "acl"
        and token.tag_ in ("VBN", "VBD")
        and head.dep_ == "ROOT"
        and head.pos_ in ("NOUN", "PROPN")
        and token.i == head.i + 1
        and any(c.dep_ in ("prep", "dobj") for c in token.children)
    )


def _according_root(token: Token) -> bool:
    """en_core_web_sm roots 'according' in "Some 1.4 million people live alone, according to ..."."""
    return (
        token.dep_ == "ROOT"
        and token.lower_ == "according"
        and any(t.dep_ == "nsubj" and not _in_relative_clause(t) for t in token.doc)
    )


def broken_reasons(claim_text: str) -> list[str]:
    """Why a claim's text is not a standalone sentence (empty when it is one).

    It must parse with a finite verb after a nominal (a subject; en_core_web_sm's misparses of
    lists, of "cost"/"totals", of a past tense read as a participle and of a trailing "according
    to" tolerated), that verb must not be
    only inside a relative clause ("The participants whose average age was 81." has none of its
    own), its subject must not be a bare it/they/this ("Those who answered ..." is not bare), and no
    phrase of three or more words may appear twice (a doubled resolution)."""
    doc = get_nlp()(claim_text)
    reasons = []
    if not any(
        (_finite(t) and not _in_relative_clause(t) and any(w.pos_ in _NOMINAL for w in doc[: t.i]))
        or _according_root(t)
        or _participle_misparse(t)
        for t in doc
    ):
        reasons.append("no subject with a finite verb")
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is not None:
        subject = next((c for c in root.children if c.dep_ in _SUBJECTS), None)
        if (
            subject is not None
            and subject.lower_ in _UNRESOLVED
            and subject.dep_ != "expl"
            and not any(c.dep_ in ("relcl", "acl", "prep") for c in subject.children)
        ):
            reasons.append(f"subject is still '{subject.text}'")
    words = [t.lower_ for t in doc if t.is_alpha]
    grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    doubled = {g for g in grams if grams.count(g) > 1}
    if doubled:
        reasons.append("doubled phrase '" + " ".join(sorted(doubled)[0]) + "'")
    return reasons


def every_sentence_baseline(body: str) -> Extraction:
    """The naive baseline: each sentence of the body, as it stands, is one claim."""
    claims = [
        ExtractedClaim(
            text=body[s.start : s.end],
            quote=body[s.start : s.end],
            start=s.start,
            end=s.end,
            checkworthy=True,
            score=1.0,
            kind="other",
            sentence_index=i,
        )
        for i, s in enumerate(segment(body))
    ]
    reports = [
        SentenceReport(i, s.start, s.end, body[s.start : s.end], "claim", 1.0, "", 1)
        for i, s in enumerate(segment(body))
    ]
    return Extraction(claims=claims, sentences=reports, extractor="every-sentence")


def extract_annotated(name: str) -> Extraction:
    body, spec = annotated(name)
    return extract(body, published_at=dt.date.fromisoformat(str(spec["published_at"])))


def score(name: str, extraction: Extraction | None = None) -> Score:
    body, spec = annotated(name)
    if extraction is None:
        extraction = extract_annotated(name)
    claims = extraction.claims
    facts = spec["facts"]
    found, missed, items_expected, items_exact, flagged = 0, [], 0, 0, 0
    for fact in facts:
        matching = [c for c in claims if _matches(c, fact)]
        if matching:
            found += 1
            flagged += any(c.checkworthy for c in matching)
        else:
            missed.append(fact["about"])
        if "items" in fact:
            items_expected += 1
            items_exact += any(c.items == fact["items"] for c in matching)
    leaked = []
    for opinion in spec["opinions"]:
        start = body.index(opinion)
        # the first sentence the opinion's text overlaps (a speaker label is not part of any sentence)
        sentence = next(s for s in extraction.sentences if s.end > start and s.start < start + len(opinion))
        own = [c for c in claims if c.sentence_index == sentence.index]
        if any(not any(_matches(c, f) for f in facts) for c in own):
            leaked.append(opinion)
    spans_exact = all(body[c.start : c.end] == c.quote for c in claims)
    broken = [f"{c.text} ({'; '.join(r)})" for c in claims if (r := broken_reasons(c.text))]
    return Score(
        name,
        len(facts),
        found,
        missed,
        len(spec["opinions"]),
        leaked,
        items_expected,
        items_exact,
        spans_exact,
        flagged,
        broken,
    )


EDITORIALS = (
    "editorial_ukraine",
    "editorial_budget",
    "editorial_energy",
    "editorial_measles",
    "editorial_stadium",
)

# Written and annotated blind on 2026-12-01 (issue 16); see data/blind2/README.md.
BLIND2 = (
    "blind2/news_flood",
    "blind2/transcript_debate",
    "blind2/interview_glacier",
    "blind2/column_speech",
    "blind2/science_typos",
    "blind2/editorial_tram",
)

# Written and annotated blind after tuning on blind set 2 (issue 16); see data/blind3/README.md.
BLIND3 = ("blind3/speech_budget", "blind3/news_typos", "blind3/interview_coach")
# Written by helper 16b after the tuning on sets 2 and 3 (commit 635a906), before any run on them.
BLIND4 = tuple(
    f"blind4/{name}"
    for name in (
        "column_maternity",
        "news_rents",
        "speech_mayor",
        "debate_police",
        "interview_farmer",
        "science_asthma",
        "bulletin_jobs",
    )
)
# Written and annotated blind by helper 16c (issue 16) before any code ran on them; see data/blind5/README.md.
BLIND5 = tuple(
    f"blind5/{name}"
    for name in (
        "column_forest",
        "news_bridge",
        "speech_harbour",
        "debate_schools",
        "interview_foodbank",
        "science_loneliness",
        "release_airport",
    )
)
