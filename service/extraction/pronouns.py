"""'it', 'its', 'they', 'them', 'their' -> the thing they stand for, when the text makes it clear.

Salience, deliberately conservative (a wrong name is worse than a pronoun left alone):
- candidates are the subjects of clauses: earlier clauses of the same sentence first (nearest
  first), then the previous sentence's main subject and its possessor ("The club's finances" offers
  "the club's finances" and "the club");
- the pronoun must agree in number and the candidate must not be a person (people are `context`'s job);
- a subject pronoun is resolved only in a main or coordinated clause: in a reported or relative clause
  ("says it will open", "the power it produces") the antecedent is too often something else;
- an object or possessive pronoun never takes its own clause's subject ("councils cut their budgets":
  'their' is whoever was talked about before, not the councils), and looks back to the previous
  sentence only from inside its clause's subject ("1,602 of them", "Its chair"): elsewhere the nearer
  objects of its own sentence compete ("they do not create much of it") and we cannot rank them;
- a subject's possessor outranks the subject ("its revenue fell ..., and it made a loss": the club);
- the subject of a coordinated clause with no agreeing subject before it takes the nearest earlier
  object of its sentence ("Officials inspected the bridge in May and it collapsed": the bridge);
- 'it' with a clausal complement ("It is frustrating that ...", "it took an outbreak to ...") is a
  dummy subject and refers to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

SINGULAR = frozenset({"it", "its"})
PLURAL = frozenset({"they", "them", "their"})
THING_PRONOUNS = SINGULAR | PLURAL
_POSSESSIVE = frozenset({"its", "their"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_MAIN_CLAUSE_DEPS = frozenset({"ROOT", "conj"})
_CLAUSAL = frozenset({"ccomp", "xcomp", "csubj"})
# "The gasworks site itself, which ..." -> "the gasworks site"; conjuncts stay ("Portugal, Sweden and
# Finland").
_DROPPED_FROM_PHRASE = frozenset({"appos", "relcl", "acl", "advmod", "npadvmod", "case"})
# People are `context`'s job; a date or an amount ("in May") is never what 'it' does something.
_NOT_THINGS = frozenset({"PERSON", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "CARDINAL", "ORDINAL"})
_DETERMINING = frozenset({"det", "poss", "nummod", "amod", "compound"})
_NOT_ANTECEDENTS = frozenset({"this", "that", "these", "those", "we", "i", "you", "who", "which", "what"})


@dataclass(frozen=True)
class Antecedent:
    """A noun phrase a pronoun can stand for, rendered with its own pronouns already resolved."""

    text: str
    plural: bool
    head: int  # token index of the phrase head (its clause's subject), -1 for a previous sentence's


class PronounResolver:
    """Resolves non-person pronouns sentence by sentence, remembering the last sentence's subject."""

    def __init__(self, person_nouns: frozenset[str] = frozenset()) -> None:
        self._previous: list[Antecedent] = []
        self._objects: list[Antecedent] = []
        self._person_nouns = person_nouns  # "the health secretary" is a person, never 'it'

    def resolve(self, sent: Span, names: dict[int, str]) -> dict[int, str]:
        """Token index -> replacement text for the resolvable pronouns of `sent`.

        `names` holds replacements already decided (people), used when rendering antecedents."""
        resolved: dict[int, str] = {}
        own_subjects: list[Antecedent] = []
        for token in sent:
            if token.dep_ in _SUBJECT_DEPS and token.lower_ not in SINGULAR | PLURAL:
                own_subjects.extend(self._subject_candidates(token, {**names, **resolved}, token.i))
            if token.lower_ not in SINGULAR | PLURAL or not _resolvable(token):
                continue
            found = self._choose(token, own_subjects, resolved)
            if found is not None:
                resolved[token.i] = _form(token, found.text, found.plural)
                if token.dep_ in _SUBJECT_DEPS:
                    own_subjects.append(Antecedent(found.text, found.plural, token.i))
        # possessor first, as for the sentence's own subjects
        self._previous = list(reversed(self._main_subjects(sent, {**names, **resolved})))
        self._objects = _verb_objects(sent, {**names, **resolved})
        return resolved

    def _choose(
        self, pronoun: Token, own_subjects: list[Antecedent], resolved: dict[int, str]
    ) -> Antecedent | None:
        plural = pronoun.lower_ in PLURAL
        clause_subject = _clause_subject(pronoun)
        for candidate in reversed(own_subjects):
            if clause_subject is not None and candidate.head == clause_subject.i:
                continue  # a clause's object or possessive is not its own subject
            if candidate.plural == plural:
                return candidate
        if not _in_clause_subject(pronoun) and pronoun.dep_ not in _SUBJECT_DEPS:
            return None
        if pronoun.dep_ in _SUBJECT_DEPS and pronoun.head.dep_ == "conj":
            # "We visited the website and it still doesn't work": the earlier clause's object.
            objects = [o for o in _verb_objects(pronoun.sent, resolved) if o.head < pronoun.i]
            nearest = next((o for o in reversed(objects) if o.plural == plural), None)
            if nearest is not None:
                return nearest
        found = next((c for c in self._previous if c.plural == plural), None)
        if found is None and pronoun.dep_ in _SUBJECT_DEPS:
            # No subject agrees ("The NHS sent texts to the parents of 850,000 children. They were
            # invited ..."): the most recent agreeing object is the next most salient thing.
            found = next((c for c in reversed(self._objects) if c.plural == plural), None)
        return found

    def _subject_candidates(self, subject: Token, replaced: dict[int, str], index: int) -> list[Antecedent]:
        """The subject phrase then its possessor (listed last, so it is tried first)."""
        if subject.lower_ in self._person_nouns or any(
            c.dep_ == "appos" and c.ent_type_ == "PERSON" for c in subject.children
        ):
            return []
        found = [_antecedent(subject, replaced, index)]
        possessor = next((c for c in subject.children if c.dep_ == "poss"), None)
        if possessor is not None and possessor.i in replaced and possessor.lower_ in _POSSESSIVE:
            owner = replaced[possessor.i].removesuffix("'s").removesuffix("'")
            found.append(Antecedent(owner, possessor.lower_ == "their", index))
        elif possessor is not None and possessor.pos_ != "PRON":
            found.append(_antecedent(possessor, replaced, index))
        return [a for a in found if a is not None]

    def _main_subjects(self, sent: Span, replaced: dict[int, str]) -> list[Antecedent]:
        """The sentence's main subject and its possessor: what the next sentence may call 'it'."""
        root = sent.root
        subject = next((c for c in root.children if c.dep_ in _SUBJECT_DEPS), None)
        if subject is not None:
            return self._subject_candidates(subject, replaced, -1)
        if root.pos_ in ("NOUN", "PROPN"):
            # "The club, which ..., unveiled plans": the parser made the noun the root; only the
            # words up to the noun are its phrase.
            tokens = [t for t in _phrase(root) if t.i <= root.i]
            found = _antecedent(root, replaced, -1, tokens)
            return [found] if found is not None else []
        return []


def _verb_objects(sent: Span, replaced: dict[int, str]) -> list[Antecedent]:
    """Whole noun phrases a verb takes as object, directly or through a preposition, in order."""
    found = []
    for token in sent:
        governor = token.head.head if token.dep_ == "pobj" else token.head
        if token.dep_ not in ("dobj", "pobj") or governor.pos_ not in ("VERB", "AUX"):
            continue
        if token.pos_ not in ("NOUN", "PROPN"):
            continue
        if token.tag_ == "NN" and not any(c.dep_ in _DETERMINING for c in token.children):
            continue  # a bare noun of a fixed phrase ("took effect", "in charge of", "on record") is no thing
        candidate = _antecedent(token, replaced)
        if candidate is not None:
            found.append(candidate)
    return found


def _resolvable(pronoun: Token) -> bool:
    """Only positions where the antecedent is usually the salient subject (see module docstring)."""
    head = pronoun.head
    if pronoun.lower_ == "it" and (pronoun.dep_ == "expl" or dummy_it(pronoun) or _identifies(pronoun)):
        return False
    if pronoun.dep_ in _SUBJECT_DEPS:
        return head.dep_ in _MAIN_CLAUSE_DEPS and not _inside_relative(head)
    return not _inside_relative(pronoun)


def _in_clause_subject(token: Token) -> bool:
    """'them' in "1,602 of them were ...", 'Its' in "Its chair said": inside a subject phrase."""
    for ancestor in [token, *token.ancestors]:
        if ancestor.dep_ in _SUBJECT_DEPS:
            return True
        if ancestor.pos_ in ("VERB", "AUX"):
            return False
    return False


def dummy_it(pronoun: Token) -> bool:
    """'It is frustrating that ...', 'it took an outbreak to ...': 'it' stands for the clause."""
    head = pronoun.head
    predicates = [head, *(c for c in head.children if c.dep_ in ("acomp", "attr", "dobj"))]
    return any(
        c.dep_ in _CLAUSAL or (c.dep_ == "advcl" and any(a.lower_ == "to" for a in c.children))
        for p in predicates
        for c in p.children
        if c.i > pronoun.i
    )


def _identifies(pronoun: Token) -> bool:
    """'It was the third major flood in six years': 'it' is the situation, not the last subject."""
    head = pronoun.head
    return (
        pronoun.dep_ in _SUBJECT_DEPS
        and head.lower_ in ("is", "was", "'s")
        and any(
            c.dep_ == "attr" and c.i > pronoun.i and any(d.dep_ == "det" for d in c.children)
            for c in head.children
        )
    )


def _inside_relative(token: Token) -> bool:
    return any(a.dep_ in ("relcl", "acl") for a in [token, *token.ancestors])


def _clause_subject(token: Token) -> Token | None:
    """The subject of the clause `token` sits in: walk up to the nearest verb that has one."""
    for ancestor in token.ancestors:
        subject = next((c for c in ancestor.children if c.dep_ in _SUBJECT_DEPS), None)
        if subject is not None:
            return subject
        if ancestor.dep_ == "conj" and ancestor.tag_ != ancestor.head.tag_:
            # "said the talks had been useful and agreed to continue them": the parser hangs 'agreed'
            # on 'been'; a change of tense shows the clause is not the talks', so its subject is unknown.
            return None
        if ancestor.pos_ in ("VERB", "AUX") and ancestor.dep_ not in ("xcomp", "conj"):
            return None
    return None


def _antecedent(
    head: Token, replaced: dict[int, str], head_index: int | None = None, tokens: list[Token] | None = None
) -> Antecedent | None:
    if head.lower_ in _NOT_ANTECEDENTS or (head.pos_ == "PRON" and head.i not in replaced):
        return None
    if head.ent_type_ in _NOT_THINGS or (head.i in replaced and head.lower_ not in SINGULAR | PLURAL):
        return None
    tokens = _phrase(head) if tokens is None else tokens
    if not tokens or any(t.ent_type_ == "PERSON" and t.pos_ == "PROPN" for t in tokens):
        return None
    text = "".join(replaced.get(t.i, t.text) + t.whitespace_ for t in tokens).strip()
    text = text.removesuffix("'s").removesuffix("’s").rstrip()
    if tokens[0].pos_ != "PROPN" and tokens[0].i not in replaced:
        text = text[:1].lower() + text[1:]
    plural = head.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in head.children)
    return Antecedent(text, plural, head.i if head_index is None else head_index)


def _phrase(head: Token) -> list[Token]:
    """The noun phrase without asides: appositives, relative clauses, 'itself', commas."""
    dropped: set[int] = set()
    for child in head.children:
        if child.dep_ in _DROPPED_FROM_PHRASE or (child.dep_ == "punct" and child.text != ","):
            dropped.update(t.i for t in child.subtree)
    tokens = [t for t in head.subtree if t.i not in dropped]
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    return tokens


def _form(pronoun: Token, text: str, plural: bool) -> str:
    """'its' -> "the club's", 'their' -> "health visitors'", 'them' -> 'health visitors'."""
    if pronoun.lower_ not in _POSSESSIVE:
        return text
    return text + ("'" if plural and text.endswith("s") else "'s")
