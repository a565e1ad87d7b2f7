"""Cues that mark a clause as opinion, prediction, hope or rhetoric rather than a checkable fact.

Cues are looked for in the clause's own words; words inside reported speech ("she said the cuts
were painful") belong to the speaker and are skipped by the caller, because the report is the fact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Token

CueLabel = Literal["opinion", "prediction", "rhetoric"]

EVALUATIVE_ADVERBS = frozenset(
    [
        "admirably",
        "clearly",
        "suspiciously",
        "notoriously",
        "hopefully",
        "unfortunately",
        "fortunately",
        "sadly",
        "rightly",
        "wrongly",
        "shamefully",
        "frankly",
        "surely",
        "obviously",
        "undoubtedly",
        "arguably",
        "remarkably",
        "disgracefully",
        "foolishly",
        "wisely",
        "bravely",
        "regrettably",
        "thankfully",
        "mercifully",
        "absurdly",
        "outrageously",
        "scandalously",
        "pathetically",
        "naively",
        "recklessly",
        "shockingly",
        "woefully",
        "sorely",
    ]
)
EVALUATIVE_ADJECTIVES = frozenset(
    [
        "good",
        "bad",
        "great",
        "terrible",
        "awful",
        "dangerous",
        "bold",
        "chaotic",
        "shortsighted",
        "short-sighted",
        "reckless",
        "foolish",
        "wise",
        "brave",
        "cowardly",
        "shameful",
        "disgraceful",
        "admirable",
        "remarkable",
        "extraordinary",
        "noxious",
        "dogged",
        "alarmist",
        "corrupt",
        "oppressive",
        "intransigent",
        "irresponsible",
        "unable",
        "unclear",
        "premature",
        "real",
        "frustrating",
        "wrong",
        "right",
        "unacceptable",
        "welcome",
        "disastrous",
        "absurd",
        "ridiculous",
        "pathetic",
        "sensible",
        "naive",
        "misguided",
        "crucial",
        "vital",
        "essential",
        "important",
        "necessary",
        "unnecessary",
        "worrying",
        "alarming",
        "encouraging",
        "impressive",
        "excellent",
        "poor",
        "fair",
        "unfair",
        "lamented",
        "suspicious",
        "candid",
        "courageous",
        "grave",
        "outrageous",
        "scandalous",
        "deplorable",
        "laudable",
        "commendable",
        "fine",
        "best",
        "worst",
        "better",
        "worse",
        "brilliant",
        "stupid",
        "silly",
        "appalling",
        "dreadful",
        "shocking",
        "sorry",
        "splendid",
        "wonderful",
        "hopeless",
        "pointless",
        "useless",
        "overdue",
        "long-overdue",
        "timid",
        "feeble",
        "weak",
        "spineless",
        "cynical",
        "sinister",
        "nonsensical",
        "baffling",
        "bizarre",
        "risible",
        "lamentable",
        "regrettable",
        "worthy",
        "unworthy",
        "deserved",
        "undeserved",
        "painful",
        "sad",
        "tragic",
        "happy",
        "glad",
        "proud",
        "ashamed",
        "distrusted",
        "disliked",
        "expensive",
        "costly",
        "cheap",
        "unaffordable",
    ]
)
EVALUATIVE_NOUNS = frozenset(
    [
        "gaffe",
        "blunder",
        "disgrace",
        "scandal",
        "shame",
        "farce",
        "fiasco",
        "mess",
        "folly",
        "nonsense",
        "travesty",
        "outrage",
        "triumph",
        "bottleneck",
        "blackmail",
        "hostage",
        "lurch",
        "reprieve",
        "nerve",
        "courage",
        "cowardice",
    ]
)
HEDGE_VERBS = frozenset({"seem", "seems", "seemed", "look", "looks", "looked", "hope", "hopes", "wish"})
OPINION_VERBS = frozenset(
    {"think", "believe", "feel", "suspect", "deserve", "deserves", "deserved", "matter", "matters"}
)
MODALS = frozenset({"may", "might", "could", "should", "must", "ought", "would", "can"})
FUTURE_MARKERS = frozenset({"will", "'ll", "shall", "wo"})
FIRST_PERSON = frozenset({"we", "us", "our", "i", "me", "my"})
CONCESSIVE = frozenset({"despite", "regardless"})
INTENSIFIERS = frozenset({"so", "too", "very", "truly", "utterly", "deeply"})


@dataclass(frozen=True)
class Cue:
    """Why a clause is not a checkable fact."""

    label: CueLabel
    reason: str


def find_cue(tokens: Iterable[Token], *, has_anchor: bool) -> Cue | None:
    """The first opinion/prediction/rhetoric cue among `tokens`, or None if the clause reads as fact.

    `has_anchor` (a number, date or name in the clause) keeps capability "can" factual:
    "can already import about 8 gigawatts" is checkable, "a conflict can be triggered" is not.
    """
    for token in tokens:
        lower = token.lower_
        if lower in ("hopefully", "hope", "hopes", "wish") or (lower == "perhaps"):
            return Cue("opinion", f"hope or speculation: '{token.text}'")
        if lower in EVALUATIVE_ADVERBS and token.pos_ == "ADV":
            return Cue("opinion", f"opinion: evaluative adverb '{token.text}'")
        if lower in FUTURE_MARKERS and token.tag_ == "MD":
            return Cue("prediction", f"prediction: '{_verb_phrase(token)}'")
        if lower == "going" and token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "to":
            return Cue("prediction", f"prediction: '{_verb_phrase(token)}'")
        if lower in MODALS and token.tag_ == "MD":
            if (lower == "can" and has_anchor) or _describes_proposal(token):
                continue
            return Cue("opinion", f"opinion: modal '{_verb_phrase(token)}'")
        if lower in EVALUATIVE_ADJECTIVES and token.pos_ in ("ADJ", "VERB") and token.dep_ != "compound":
            return Cue("opinion", f"opinion: evaluative adjective '{token.text}'")
        if lower in EVALUATIVE_NOUNS and token.pos_ == "NOUN":
            return Cue("opinion", f"opinion: evaluative noun '{token.text}'")
        if lower in HEDGE_VERBS and token.pos_ == "VERB":
            return Cue("opinion", f"opinion: hedge verb '{token.text}'")
        if lower in OPINION_VERBS and token.pos_ == "VERB":
            return Cue("opinion", f"opinion: '{token.text}'")
        if lower in FIRST_PERSON and token.pos_ == "PRON":
            return Cue("opinion", f"opinion: the paper's own voice '{token.text}'")
        if lower in CONCESSIVE and token.dep_ in ("prep", "advmod", "mark"):
            return Cue("rhetoric", f"rhetoric: concession '{token.text}'")
        if lower in INTENSIFIERS and token.dep_ == "advmod" and token.head.pos_ == "ADJ":
            return Cue("opinion", f"opinion: intensified '{token.text} {token.head.text}'")
        if lower == "yes" and token.i == token.sent.start:
            return Cue("rhetoric", "rhetoric: conversational 'Yes'")
    return None


# "The new stadium would host ...", "the scheme would cost ...": 'would' states what a proposal
# contains, which the proposal's documents can confirm; it is not the paper's speculation.
PROPOSAL_NOUNS = frozenset(
    {"plan", "plans", "proposal", "scheme", "deal", "bill", "project", "programme", "program", "policy"}
)
PROPOSAL_MODIFIERS = frozenset({"new", "proposed", "planned"})


def _describes_proposal(modal: Token) -> bool:
    """'would' + verb (not 'would have', not 'would be') whose subject is a proposal or a planned thing."""
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
