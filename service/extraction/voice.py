"""A speaker's voice: first person rewritten for a standalone claim ("We cut waiting lists" -> "they cut
..."), what a speaker's own record, belief or a host's "you" says, and who the room is."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Span, Token

from service.extraction.context import ArticleContext
from service.extraction.lexicon import FIRST_PERSON, POSITION_VERBS, REPORTING_VERBS

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


def addressed_name(sent: Span, vocative: set[int], ctx: ArticleContext) -> str | None:
    """'Oyelaran' in "Ms Oyelaran, you say ...": the name a host's vocative addresses."""
    words = [t.text for t in sent if t.i in vocative and t.pos_ == "PROPN" and t.lower_ not in _TITLES]
    return ctx.canonical(" ".join(words)) if words else None


_TITLES = frozenset({"mr", "mrs", "ms", "dr", "mr.", "mrs.", "ms.", "dr.", "miss", "professor", "sir"})
# Copulas whose subject a host's "you" may be: "you're the sitting commissioner" (with a noun).
_COPULAS = frozenset({"are", "'re", "’re", "were", "be", "been"})


def stated_of_guest(verb: Token) -> bool:
    """A host's "you <verb>" that states something checkable about the guest: reported words,
    a past act, a perfect ("you have chaired"), or a role ("you're the X")."""
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(c.dep_ == "neg" for c in verb.children) or any(a.tag_ == "MD" for a in aux):
        return False
    if verb.lower_ in REPORTING_VERBS or verb.lower_ in POSITION_VERBS:
        return True
    if verb.lower_ in _COPULAS:
        return any(c.dep_ == "attr" and c.pos_ in ("NOUN", "PROPN") for c in verb.children)
    return verb.tag_ == "VBD" or (verb.tag_ == "VBN" and any(a.lower_ in ("have", "'ve", "’ve") for a in aux))


_THIRD_SINGULAR = {
    "are": "is",
    "'re": " is",
    "’re": " is",
    "were": "was",
    "have": "has",
    "'ve": " has",
    "’ve": " has",
    "do": "does",
}


def agreeing_verb(verb: Token, subject: Token) -> dict[int, str]:
    """The finite verb after 'you', made to agree with the name put for it: "you're" -> "X is"."""
    for token in sorted(
        [*(c for c in verb.children if c.dep_ in ("aux", "auxpass")), verb], key=lambda t: t.i
    ):
        if token.i < subject.i:
            continue
        if token.lower_ in _THIRD_SINGULAR:
            return {token.i: _THIRD_SINGULAR[token.lower_]}
        if token.tag_ == "VBP":
            return {token.i: present_tense(token.text, plural=False)}
        if token.tag_ in ("VBD", "MD", "VBZ"):
            return {}
    return {}


def audience(subject: Token) -> bool:
    """'some of you', 'many of you', 'those of you': the room a speaker addresses."""
    return any(
        c.dep_ == "prep" and c.lower_ == "of" and any(g.lower_ == "you" for g in c.children)
        for c in subject.children
    )


def speaker_record(head: Token) -> bool:
    """A speaker's own record or pledge, checkable against it: "We fixed 14,000 potholes", "Our budget
    fell", "My students fly a drone", "I will put a named officer in every village". Not their rhetoric:
    "We agree on that much", "I've been listening", "I won't pretend ...", "You have my word"."""
    subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
    if any(c.dep_ == "poss" and c.lower_ in FIRST_PERSON for s in subjects for c in s.children):
        return True  # "My students ...", "Our budget ..."
    if not any(s.lower_ in FIRST_PERSON for s in subjects):
        return False
    aux = [c for c in head.children if c.dep_ in ("aux", "auxpass")]
    if head.tag_ == "VBD" or (head.tag_ == "VBN" and aux) or any(a.tag_ == "VBD" for a in aux):
        return True  # "we cut", "I did not vote to cut ...", "we have cut", "we were elected"
    if head.tag_ == "VBG" and aux and any(c.dep_ in ("dobj", "prep", "xcomp") for c in head.children):
        return True  # "we're using unmanned vehicles to ...", not "I've been listening"
    if any(c.dep_ == "neg" for c in head.children):
        return False  # "I won't pretend ...": a pledge not to is rhetoric
    return any(a.tag_ == "MD" and a.lower_ in ("will", "'ll", "would", "shall") for a in aux)


_BELIEF_VERBS = frozenset({"think", "believe", "feel", "know", "guess", "suppose", "suspect"})


def speaker_belief(verb: Token) -> bool:
    """'I think', 'we believe', 'I know': a first-person frame around what the speaker claims."""
    return verb.lower_ in _BELIEF_VERBS and any(
        c.dep_ == "nsubj" and c.lower_ in ("i", "we") for c in verb.children
    )


def parenthetical_beliefs(sent: Span) -> set[int]:
    """'..., I think, ...' and '48th, I think out of 50 states': a hedge inside the claim, not its frame."""
    found: set[int] = set()
    for verb in sent:
        if not speaker_belief(verb) or verb.dep_ == "ROOT":
            continue
        if any(c.dep_ not in ("nsubj", "punct", "advmod") for c in verb.children):
            continue  # "I think that ...": a frame, handled as one
        words = [t.i for t in verb.subtree if not t.is_punct or t.head == verb]
        for edge in (min(words) - 1, max(words) + 1):
            if sent.start <= edge < sent.end and sent.doc[edge].text == ",":
                words.append(edge)
        found.update(words)
    return found
