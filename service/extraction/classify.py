"""Cues that mark a clause as opinion, prediction, hope or rhetoric rather than a checkable fact.

Cues are looked for in the clause's own words; words inside reported speech ("she said the cuts
were painful") belong to the speaker and are skipped by the caller, because the report is the fact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from spacy.tokens import Token

from service.extraction.lexicon import (
    CONCESSIVE,
    EVALUATIVE_ADJECTIVES,
    EVALUATIVE_ADVERBS,
    EVALUATIVE_NOUNS,
    FIRST_PERSON,
    FUTURE_MARKERS,
    HEDGE_VERBS,
    INTENSIFIERS,
    MODALS,
    OPINION_VERBS,
    PROPOSAL_MODIFIERS,
    PROPOSAL_NOUNS,
)

# The label a cue gives its sentence when no claim comes out of it (a `SentenceLabel` of result.py).
CueLabel = Literal["opinion", "prediction", "rhetoric", "question", "fragment", "not_checkworthy"]


@dataclass(frozen=True)
class Cue:
    """Why a clause is not a checkable fact: the sentence label it implies and a reason for people."""

    label: CueLabel
    reason: str


def find_cue(tokens: Iterable[Token], *, has_anchor: bool, spoken: bool = False) -> Cue | None:
    """The first opinion/prediction/rhetoric cue among `tokens`, or None if the clause reads as fact.

    `has_anchor` (a number, date or name in the clause) keeps capability "can" factual:
    "can already import about 8 gigawatts" is checkable, "a conflict can be triggered" is not.
    `spoken` (a transcript or an interview): "we"/"I" is a speaker on the record, not the paper's view.
    """
    for token in tokens:
        lower = token.lower_
        if spoken and _speaker_pledge(token):
            continue  # "I would freeze council rents": a speaker's stated position is on the record
        if lower in ("likely", "unlikely") and _likely_to(token):
            return Cue("prediction", f"prediction: '{token.text} to'")
        if lower in ("hopefully", "hope", "hopes", "wish") or (lower == "perhaps"):
            return Cue("opinion", f"hope or speculation: '{token.text}'")
        if lower in EVALUATIVE_ADVERBS and token.pos_ == "ADV":
            if spoken and lower in _STANCE_ADVERBS and token.head.dep_ == "ROOT" and _set_off(token):
                continue  # "And, frankly, McCain voted for ...": a speaker's aside, which rendering drops
            return Cue("opinion", f"opinion: evaluative adverb '{token.text}'")
        if token.tag_ == "MD" and token.head.dep_ in ("relcl", "acl"):
            continue  # "voted against a bill that would ...": the modal describes the bill, not the fact
        if lower in FUTURE_MARKERS and token.tag_ == "MD":
            if spoken and _quantified(token):
                continue  # a speaker's "Germany will spend a trillion dollars ...": a figure on the record
            if _scheduled(token):
                continue  # "will publish its next figures on 10 December": a date someone has set
            return Cue("prediction", f"prediction: '{_verb_phrase(token)}'")
        if lower == "going" and _going_to_verb(token):
            return Cue("prediction", f"prediction: '{_verb_phrase(token)}'")
        if lower in MODALS and token.tag_ == "MD":
            if (lower == "can" and has_anchor) or _describes_proposal(token):
                continue
            return Cue("opinion", f"opinion: modal '{_verb_phrase(token)}'")
        if lower in EVALUATIVE_ADJECTIVES and token.pos_ in ("ADJ", "VERB") and token.dep_ != "compound":
            if spoken and token.dep_ == "amod" and token.head.dep_ not in _PREDICATES and _counted(token):
                # A speaker's "cheap foreign imports that cost over 3 million jobs": the judgement rides
                # on a noun, rendering drops it, the anchored fact stays (issue 16 class 3). Not in an
                # editorial, where "this lamented state of affairs" is the paper's point, nor on a
                # predicate ("hasn't been a great president").
                continue
            return Cue("opinion", f"opinion: evaluative adjective '{token.text}'")
        if lower in EVALUATIVE_NOUNS and token.pos_ == "NOUN":
            return Cue("opinion", f"opinion: evaluative noun '{token.text}'")
        if lower in HEDGE_VERBS and token.pos_ == "VERB" and not _plain_look(token):
            return Cue("opinion", f"opinion: hedge verb '{token.text}'")
        if lower in OPINION_VERBS and token.pos_ == "VERB":
            return Cue("opinion", f"opinion: '{token.text}'")
        if lower in FIRST_PERSON and token.pos_ == "PRON" and not spoken:
            return Cue("opinion", f"opinion: the paper's own voice '{token.text}'")
        if lower in CONCESSIVE and token.dep_ in ("prep", "advmod", "mark"):
            return Cue("rhetoric", f"rhetoric: concession '{token.text}'")
        if lower in INTENSIFIERS and token.dep_ == "advmod" and token.head.pos_ == "ADJ":
            return Cue("opinion", f"opinion: intensified '{token.text} {token.head.text}'")
        if (
            lower == "let"
            and not spoken
            and token.i + 1 < len(token.doc)
            and token.nbor(1).lower_ in ("'s", "’s", "us")
        ):
            # "Let's turn to ...": a host's or the paper's stage talk; a speaker's "let's" may carry a
            # fact ("let's not keep assailing a bill that passed with ... support", ClaimBuster)
            return Cue("rhetoric", "rhetoric: 'let's'")
        if lower == "yes" and token.i == token.sent.start and not spoken:  # a speaker's answer
            return Cue("rhetoric", "rhetoric: conversational 'Yes'")
    return None


_PREDICATES = frozenset({"attr", "acomp", "oprd", "ROOT"})
_STANCE_ADVERBS = frozenset({"frankly", "clearly", "obviously", "surely", "undoubtedly", "honestly"})


def _set_off(token: Token) -> bool:
    """A sentence adverb fenced by commas or opening the sentence: "And, frankly, ..."."""
    doc = token.doc
    before = token.i == token.sent.start or doc[token.i - 1].text in (",", "--", "—")
    after = token.i + 1 < len(doc) and doc[token.i + 1].text in (",", "--", "—")
    return before and after


_AMOUNTS = frozenset({"MONEY", "PERCENT", "CARDINAL", "QUANTITY"})


def _quantified(modal: Token) -> bool:
    """The modal's verb phrase states an amount: "will spend a trillion dollars", "will average 6 percent"."""
    return any(t.ent_type_ in _AMOUNTS or t.like_num for t in modal.head.subtree)


def measured_superlative(tokens: list[Token]) -> bool:
    """'the largest expansion', 'the lowest murder rate of any state': a ranking a record can settle
    ('best' and 'worst' judge, they are evaluative adjectives)."""
    return any(
        t.tag_ == "JJS" and t.lower_ not in EVALUATIVE_ADJECTIVES and t.lower_ not in ("most", "least")
        for t in tokens
    )


def _counted(token: Token) -> bool:
    """The sentence states an amount ("cost over 3 million jobs"), not only a name."""
    return any(t.ent_type_ in _AMOUNTS or t.like_num for t in token.sent)


def _likely_to(token: Token) -> bool:
    """'are likely to keep rising', 'is unlikely to': a forecast, whatever the verb."""
    doc = token.doc
    return token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to"


_SCHEDULING_VERBS = frozenset(
    {"publish", "reopen", "open", "close", "start", "begin", "end", "take", "meet", "remain", "stay"}
)
_MONTH_NAMES = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october"}
    | {"november", "december"}
)


def _scheduled(modal: Token) -> bool:
    """'will publish its next figures on 10 December', 'will reopen in the summer': a scheduled event
    with its date, which the schedule can confirm (not "will rise in April", a forecast). A day
    named to the date makes any verb a schedule: "charges will rise by 50p from 1 October", "the
    decision will be taken on Tuesday 12 May" (a forecast does not know its day)."""
    verb = modal.head
    dates = [t for t in verb.subtree if t.ent_type_ == "DATE"]
    if verb.lower_ in _SCHEDULING_VERBS and dates:
        return True
    for token in dates:
        if token.lower_ in _MONTH_NAMES and token.i > 0:
            before, after = token.nbor(-1), token.nbor(1) if token.i + 1 < len(token.doc) else token
            day = [t for t in (before, after) if t.like_num and t.text.isdigit() and int(t.text) <= 31]
            if day and day[0].ent_type_ == "DATE":
                return True
    return False


def _going_to_verb(token: Token) -> bool:
    """'going to pay' (a prediction), not 'a hundred billion of it going to people'."""
    doc = token.doc
    return token.i + 2 < len(doc) and doc[token.i + 1].lower_ == "to" and doc[token.i + 2].tag_ == "VB"


def _plain_look(verb: Token) -> bool:
    """'look' that is no hedge: an interjection ("Look, ..."), "look into", "look at"; 'looks like',
    'looks set to' and 'looks expensive' hedge."""
    if verb.lower_ not in ("look", "looks", "looked"):
        return False
    return not any(c.dep_ in ("acomp", "oprd", "xcomp", "ccomp") or c.lower_ == "like" for c in verb.children)


def _speaker_pledge(modal: Token) -> bool:
    """'will'/'would' whose verb has a first-person subject: "We will cut ...", "I would freeze ..."."""
    if modal.tag_ != "MD" or modal.lower_ not in FUTURE_MARKERS | {"would"}:
        return False
    return any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in FIRST_PERSON for c in modal.head.children)


def _describes_proposal(modal: Token) -> bool:
    """'would' + verb (not 'would have', not 'would be') whose subject is a proposal or a planned thing.

    "The new stadium would host ...", "the scheme would cost ...": 'would' states what a proposal
    contains, which the proposal's documents can confirm; it is not the paper's speculation."""
    if modal.lower_ != "would" or modal.i + 1 >= len(modal.doc) or modal.nbor(1).lower_ in ("have", "be"):
        return False
    subject = next((c for c in modal.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return False
    return subject.lower_ in PROPOSAL_NOUNS or any(
        c.lower_ in PROPOSAL_MODIFIERS for c in subject.children if c.dep_ == "amod"
    )


def copula_cue(head: Token, tokens: list[Token], *, has_anchor: bool) -> Cue | None:
    """'The achievement is real', 'The grid is the other bottleneck': an unanchored 'X is Y' evaluates."""
    if has_anchor:
        return None
    if head.lower_ in ("is", "are", "was", "were", "be", "been", "remain", "remains", "become", "becomes"):
        return Cue("opinion", f"opinion: unanchored judgement '{_short(tokens)}'")
    if (
        head.dep_ == "ROOT"
        and head.lower_ in ("is", "are")
        and tokens
        and tokens[0].lower_ in ("that", "this")
    ):
        return Cue("rhetoric", f"rhetoric: '{_short(tokens)}'")
    return None


def _verb_phrase(token: Token) -> str:
    head = token.head
    words = [t for t in head.subtree if token.i <= t.i <= head.i or (t.head == head and t.dep_ == "advmod")]
    words = [t for t in words if t.i >= token.i][:6]
    return " ".join(t.text for t in words) or token.text


def _short(tokens: list[Token]) -> str:
    text = " ".join(t.text for t in tokens[:8])
    return text + (" ..." if len(tokens) > 8 else "")


_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her", "my", "our", "your"})
_PREPOSITIONS = frozenset(
    {"of", "in", "on", "at", "to", "for", "with", "by", "from", "over", "under", "into"}
)


def garbled(words: list[str]) -> str | None:
    """Why a sentence reads as word salad (bad copy, OCR), or None.

    Two or more slips no English writer makes: a determiner followed by a preposition or another
    determiner ("the of"), a sentence ending on a determiner or a preposition ("approved the.").
    One slip alone is a typo, and the sentence keeps its fact."""
    lowered = [w.lower() for w in words if w.strip(".,;:!?\"'”’") or w.isalnum()]
    slips = [
        f"'{a} {b}'"
        for a, b in pairwise(lowered)
        if a in _DETERMINERS and (b in _DETERMINERS or b in _PREPOSITIONS)
    ]
    last = next((w for w in reversed(lowered) if w.isalpha()), "")
    if last in _DETERMINERS or last in _PREPOSITIONS:
        slips.append(f"ends on '{last}'")
    if len(slips) < 2:
        return None
    return "unreadable: " + ", ".join(slips[:3])
