"""A speaker's first person, rewritten for a standalone claim: "We cut waiting lists" -> "they cut ..."."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Token

_THIRD_PERSON = {
    "we": "they",
    "i": "they",
    "us": "them",
    "me": "them",
    "our": "their",
    "my": "their",
    "ours": "theirs",
    "mine": "theirs",
    "ourselves": "themselves",
    "myself": "themselves",
}
# "I am", "I'm", "I was" need the verb that agrees with 'they'.
_AFTER_I = {"am": "are", "'m": "'re", "’m": "’re", "was": "were"}
# Pronouns that leave a claim leaning on its context when nothing resolved them.
CONTEXT_PRONOUNS = frozenset(
    {"he", "she", "him", "her", "his", "hers", "it", "its", "they", "them", "their", "this", "these"}
    | set(_THIRD_PERSON)
)


def third_person(tokens: Iterable[Token]) -> dict[int, str]:
    """Token index -> replacement for a speaker's first-person pronouns and the verbs agreeing with 'I'."""
    replaced: dict[int, str] = {}
    for token in tokens:
        lower = token.lower_
        if lower in _THIRD_PERSON and token.pos_ == "PRON":
            replaced[token.i] = _THIRD_PERSON[lower]
            if lower == "i" and token.i + 1 < len(token.doc):
                verb = token.nbor(1)
                if verb.lower_ in _AFTER_I:
                    replaced[verb.i] = _AFTER_I[verb.lower_]
    return replaced


_NAMED = frozenset({"PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})


def attributed(speaker: str, claim: str, first: Token, replaced: dict[int, str]) -> str:
    """'Carver said they built 1,900 homes.': what a speaker said is the checkable claim."""
    if first.i in replaced:
        # a name put for "Our captain", not "they" nor a date written out ("In 2025")
        keeps_capital = replaced[first.i][:1].isupper() and replaced[first.i].split()[0] not in ("In", "On")
    else:
        keeps_capital = first.pos_ == "PROPN" or first.ent_type_ in _NAMED
    return f"{speaker} said {claim if keeps_capital else claim[:1].lower() + claim[1:]}"


def leans_on_context(tokens: Iterable[Token], resolved: dict[int, str]) -> bool:
    """Whether an unresolved pronoun is left (a subject 'it' of 'it is estimated that' included)."""
    return any(
        t.lower_ in CONTEXT_PRONOUNS and t.pos_ == "PRON" and t.dep_ != "expl" and t.i not in resolved
        for t in tokens
    )


_IRREGULAR_PRESENT = {
    "be": ("is", "are"),
    "have": ("has", "have"),
    "do": ("does", "do"),
    "go": ("goes", "go"),
}


def present_tense(verb: str, *, plural: bool) -> str:
    """'apply' -> 'applies' (or 'apply' for a plural subject): the verb a 'will' governed, made present."""
    lower = verb.lower()
    if lower in _IRREGULAR_PRESENT:
        return _IRREGULAR_PRESENT[lower][plural]
    if plural:
        return verb
    if lower.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u"):
        return verb[:-1] + "ies"
    return verb + "s"
