"""The checkable core of an evaluative sentence about a pledge: what was pledged, by whom, where, when.

"The minister's much-trumpeted pledge, made at the conference in Leeds on Sunday, to build 300,000
homes a year is a fantasy" holds "The minister pledged at the conference in Leeds on Sunday to build
300,000 homes a year": the pledge is on the record; "a fantasy" is the paper's view (Claimify's
"partly verifiable" sentences keep the verifiable part).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

PLEDGE_NOUNS = {
    "pledge": "pledged",
    "promise": "promised",
    "vow": "vowed",
    "plan": "planned",
    "commitment": "committed",
    "decision": "decided",
    "offer": "offered",
    "threat": "threatened",
}
_COPULAS = frozenset({"is", "was", "are", "were", "remains", "seems", "looks"})


@dataclass(frozen=True)
class PledgeCore:
    owner: list[Token]  # "The minister" ('s dropped), or a possessive pronoun to be resolved
    verb: str  # "pledged"
    circumstances: list[Token]  # "at the conference in Leeds on Sunday" (from "made at ...")
    infinitive: list[Token]  # "to build 300,000 homes a year"

    @property
    def tokens(self) -> list[Token]:
        return [*self.owner, *self.circumstances, *self.infinitive]


def pledge_core(head: Token) -> PledgeCore | None:
    """The pledge inside a copular clause's subject ("X's pledge to Y is Z"), or None."""
    if head.lower_ not in _COPULAS:
        return None
    subject = next((c for c in head.children if c.dep_ == "nsubj"), None)
    if subject is None:
        return None
    nouns = [subject, *(c for c in subject.children if c.dep_ == "appos")]
    pledge = next((n for n in nouns if n.lower_ in PLEDGE_NOUNS), None)
    if pledge is None:
        return None
    infinitive = next(
        (
            c
            for c in pledge.children
            if c.dep_ in ("acl", "relcl") and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        ),
        None,
    )
    owner = next((c for n in (subject, pledge) for c in n.children if c.dep_ == "poss"), None)
    if infinitive is None or owner is None:
        return None
    made = next((c for c in pledge.children if c.dep_ == "acl" and c.tag_ == "VBN"), None)
    circumstances = [t for t in made.subtree if t.i != made.i] if made is not None else []
    return PledgeCore(
        owner=[t for t in owner.subtree if t.tag_ != "POS"],
        verb=PLEDGE_NOUNS[pledge.lower_],
        circumstances=circumstances,
        infinitive=list(infinitive.subtree),
    )
