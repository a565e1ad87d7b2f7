"""One parsed sentence -> atomic claim drafts: clause splitting, appositive roles, salvaged facts.

A sentence is split into clauses (coordinated verbs, coordinated 'that' complements), each clause
is checked for opinion cues (`classify`), and a clause that fails may still hold a factual
subordinate clause ("a dangerous gaffe ... when he implied X" -> "he implied X").

One file on purpose: every step (clauses, roles, cues, salvage, rendering) reads and rewrites the
same clause parse through the decomposer's per-sentence state (resolved names, skipped and fenced
tokens), so split modules would pass that state back and forth.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from service.extraction.classify import Cue, copula_cue, find_cue, measured_superlative
from service.extraction.context import (
    PERSONAL_PRONOUNS,
    POSSESSIVES,
    ROLE_NOUNS,
    ArticleContext,
    Person,
)
from service.extraction.cores import pledge_core
from service.extraction.dates import relative_dates
from service.extraction.enumerations import find_enumeration
from service.extraction.lexicon import (
    EVALUATIVE_ADJECTIVES,
    EVALUATIVE_ADVERBS,
    FINDING_VERBS,
    FIRST_PERSON,
    POSITION_VERBS,
    REPORTING_VERBS,
)
from service.extraction.pronouns import THING_PRONOUNS, dummy_it
from service.extraction.result import ClaimKind
from service.extraction.scene import ArticleScene, scene_replacements
from service.extraction.vocatives import vocative_tokens
from service.extraction.voice import (
    addressed_name,
    agreeing_verb,
    attributed,
    audience,
    leans_on_context,
    parenthetical_beliefs,
    present_tense,
    speaker_belief,
    speaker_record,
    stated_of_guest,
    third_person,
)

_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
_CLAUSE_OPENERS = frozenset({"but", "and", "yet", "so", "meanwhile", "however", "also", "still", "or"})
_PERSON_LIKE = frozenset({"PERSON"})


@dataclass
class ClaimDraft:
    """A claim before scoring: rendered text, quote span and items as doc character offsets."""

    text: str
    start: int
    end: int
    kind: ClaimKind
    items: list[tuple[int, int]] = field(default_factory=list)
    decontextualised: bool = True  # False when a pronoun was left as it stands
    speaker: str | None = None


@dataclass
class SentenceOutcome:
    """The drafts a sentence yields and, when it yields none, the cue that explains why."""

    drafts: list[ClaimDraft]
    cue: Cue | None


@dataclass
class _Clause:
    head: Token
    tokens: list[Token]
    subject: list[Token]  # inherited subject tokens when the clause has none of its own


def _is_person_name(tokens: list[Token]) -> bool:
    if any(t.ent_type_ in _PERSON_LIKE for t in tokens):
        return True
    # NER misses some names ("Antony Blinken" as FAC); two capitalised proper nouns holding a role will do.
    propn = [t for t in tokens if t.pos_ == "PROPN" and t.text[:1].isupper()]
    return len(propn) >= 2 and len(propn) == len(tokens)


def _name_tokens(token: Token) -> list[Token]:
    """'Sergei' 'Lavrov' for the head 'Lavrov': the name's compound parts, in order."""
    parts = [t for t in token.subtree if t.dep_ in ("compound", "flat") and t.head == token] + [token]
    return sorted(parts, key=lambda t: t.i)


def _role_tokens(token: Token) -> list[Token]:
    """A role phrase without appositives, relative clauses or trailing commas."""
    dropped: set[int] = set()
    for child in token.children:
        if child.dep_ in ("appos", "relcl", "acl", "punct", "conj", "cc"):
            dropped.update(t.i for t in child.subtree)
    return [t for t in token.subtree if t.i not in dropped]


def _colon_heads(sent: Span) -> list[tuple[Token, Token | None]]:
    """'Heat pumps remain expensive: a typical installation costs £12,000' is two statements."""
    root = sent.root
    heads: list[tuple[Token, Token | None]] = []
    for token in sent:
        if token.dep_ not in ("parataxis", "ccomp", "advcl") or token.head.i != root.i:
            continue
        first = min(t.i for t in token.subtree)
        last = max(t.i for t in token.subtree)
        before = first > sent.start and sent.doc[first - 1].text in (":", ";")
        after = token.i < root.i and last + 1 < sent.end and sent.doc[last + 1].text in (":", ";")
        if (before or after) and any(c.dep_ in _SUBJECT_DEPS for c in token.children):
            heads.append((token, None))
    return heads


def _other_clause(other: Token, clause_heads: set[int]) -> set[int]:
    """Tokens of a nested clause, with the 'and' / commas that join it, to leave out of its parent."""
    doc = other.doc
    tokens = {t.i for t in other.subtree}
    left = min(tokens) - 1
    while left >= 0 and (doc[left].dep_ == "cc" or doc[left].text in ",;") and left not in clause_heads:
        tokens.add(left)
        left -= 1
    return tokens


def _complement_prefix(head: Token, sent: Span, fenced: set[int]) -> list[Token]:
    """'pledges that A and that B': B's clause keeps the words before the first 'that'."""
    anchor = head.head
    has_mark = any(c.dep_ == "mark" for c in head.children)
    stops = ("ccomp", "acl") if has_mark else ("ccomp", "acl", "xcomp")
    for _ in range(4):
        if any(c.dep_ == "mark" for c in anchor.children) or anchor.dep_ in stops:
            break
        if anchor.head.i == anchor.i:
            break
        anchor = anchor.head
    first_mark = min(t.i for t in anchor.subtree)
    return [t for t in sent if t.i < first_mark and t.i not in fenced]


def _stranded_objects(heads: list[Token]) -> dict[int, list[Token]]:
    """Objects the parser hung on the first of two coordinated verbs but that follow the second.

    "pledged to double onshore wind and to quadruple offshore wind": 'offshore wind' comes out as a
    second object of 'double'; English puts an object after its verb, so it is 'quadruple''s."""
    stranded: dict[int, list[Token]] = {}
    for head in heads:
        if head.dep_ != "conj" or any(c.dep_ == "dobj" for c in head.children):
            continue
        later = [c for c in head.head.children if c.dep_ == "dobj" and c.i > head.i]
        if later:
            stranded[head.i] = list(later[0].subtree)
    return stranded


def _pairs_name_with_role(appos: Token) -> bool:
    """'Ofgem, the energy regulator' or 'the health secretary, Victoria Atkins': a name beside a noun."""
    if appos.dep_ != "appos":
        return False
    kinds = {appos.pos_, appos.head.pos_}
    return kinds == {"PROPN", "NOUN"}


def _bracketed_figure(appos: Token) -> bool:
    """'Skelby and District Council (51%)': a figure in brackets, no role."""
    first = min(t.i for t in appos.subtree)
    bracketed = first > 0 and appos.doc[first - 1].text == "("
    return bracketed or all(t.like_num or t.text in ("%", "per", "cent") for t in appos.subtree)


def _of_name(last: Token) -> list[Token] | None:
    """'Friends of Hollin Wood' for 'Wood': the whole name when the appositive's head ends an "X of Y"."""
    of = last.head
    if last.dep_ != "pobj" or of.lower_ != "of" or of.head.i > last.i:
        return None
    # a name's capital, not a sentence's ("The Friends of X, a group": yes; "Residents of X, a town": no)
    if of.head.pos_ != "PROPN" and not (of.head.text[:1].isupper() and of.head.i > of.head.sent.start):
        return None
    return [*_name_tokens(of.head), of, *_name_tokens(last)]


def _appositive_pairs(sent: Span) -> list[tuple[list[Token], list[Token]]]:
    """(name, role) token lists for each appositive that pairs a name with a role noun phrase.

    "Its owner, the American investor Daniel Kessler" nests: Kessler is both the investor and the owner."""
    pairs = []
    for token in sent:
        if token.dep_ != "appos" or any(c.dep_ == "conj" for c in token.children) or _bracketed_figure(token):
            continue
        head = token.head
        if head.pos_ == "PROPN" and token.pos_ == "NOUN":
            pairs.append((_of_name(head) or _name_tokens(head), _role_tokens(token)))
        elif token.pos_ == "PROPN" and head.pos_ == "NOUN":
            pairs.append((_name_tokens(token), _role_tokens(head)))
            if head.dep_ == "appos" and head.head.pos_ == "NOUN":
                pairs.append((_name_tokens(token), _role_tokens(head.head)))
    return pairs


# A speaker's interjection before the claim ("Look, ...", "Well, ..."): only with its comma.
_INTERJECTION = re.compile(r"^(?:look|well|listen|now|yes|no|okay|ok|oh|you know)\s*,\s+", re.IGNORECASE)
_DISCOURSE_OPENER = re.compile(
    r"^(?:to this end|to that end|in addition|moreover|furthermore|however|meanwhile|indeed|still|yet|"
    r"what is more|on top of that|at the same time)\b,?\s+",
    flags=re.IGNORECASE,
)


def _render(tokens: list[Token], ctx: ArticleContext, replaced: dict[int, str], skip: set[int]) -> str:
    """Token texts joined with their own spacing, pronouns and role phrases replaced by names."""
    pieces: list[str] = []
    previous = -2
    dropped = set(skip)
    quoted = _quoted(tokens)
    for token in tokens:
        if token.i in quoted:
            continue  # 'called the delay "unacceptable"': quoted words are what was said, the fact
        # Judgements riding on a noun ("his corrupt regime", "Thatcher-imitating") are not the fact.
        after_hyphen = token.i > 0 and token.nbor(-1).text == "-"
        hyphenated_ing = token.tag_ == "VBG" and (len(list(token.subtree)) > 1 or after_hyphen)
        if hyphenated_ing and token.dep_ != "amod" and after_hyphen:
            dropped.update(range(token.i - 2, token.i + 1))
        if token.dep_ == "amod" and (token.lower_ in EVALUATIVE_ADJECTIVES or hyphenated_ing):
            dropped.update(t.i for t in token.subtree)
    for token in tokens:
        if token.i in dropped:
            if (
                pieces
                and token.i not in skip  # a replaced phrase's comma stays: "in March 2023, the ..."
                and token.is_punct is False
                and token.i + 1 < len(token.doc)
                and token.nbor(1).text == ","
            ):
                dropped.add(token.i + 1)
            continue
        if pieces and not pieces[-1][-1:].isspace() and not token.is_punct and token.i - 1 != previous:
            pieces.append(" ")
        previous = token.i
        if token.i in replaced:
            replacement = replaced[token.i]
            # Once the claim has named its owner, "his list" reads better than "Vladimir Putin's list".
            if replacement.endswith("'s") and replacement.removesuffix("'s") in "".join(pieces):
                replacement = token.text
            # a phrase put for several words ends with the spacing of its last word ("over the month,")
            last = token
            while last.i + 1 < len(last.doc) and last.i + 1 in skip and not last.nbor(1).is_punct:
                last = last.nbor(1)
            pieces.append(replacement + last.whitespace_)
            previous = last.i  # "Corran's": no space before the possessive of what was replaced
            continue
        if token.dep_ == "advmod" and token.lower_ in EVALUATIVE_ADVERBS:
            fenced = (
                0 < token.i < len(token.doc) - 1 and token.nbor(1).text == "," and token.nbor(-1).text == ","
            )
            if fenced and pieces and pieces[-1].strip() == ",":
                pieces.pop()  # "McCain, frankly, voted" -> "McCain voted"
                dropped.add(token.i + 1)
            continue
        pieces.append(token.text_with_ws)
    text = "".join(pieces).strip().rstrip(",;:-–— ").strip()
    # A connective that ties the sentence to the previous one means nothing in a standalone claim.
    text = _DISCOURSE_OPENER.sub("", _INTERJECTION.sub("", text))
    while text and text[0] in ",;:-–— ":
        text = text[1:].strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?\"”'" else text + "."


def _quoted(tokens: list[Token]) -> set[int]:
    """Indexes of the tokens between quotation marks."""
    inside: set[int] = set()
    quote_open = False
    for token in tokens:
        if token.text in ('"', "“", "”"):
            quote_open = not quote_open if token.text == '"' else token.text == "“"
        elif quote_open:
            inside.add(token.i)
    return inside


class SentenceDecomposer:
    """Decomposes the sentences of one article in order, keeping the article's context."""

    def __init__(
        self, ctx: ArticleContext, published_at: dt.date | None = None, scene: ArticleScene | None = None
    ) -> None:
        self.ctx = ctx
        self._published_at = published_at  # relative dates ("last year") are written out against it
        self.scene = scene or ArticleScene()  # the headline's month, the places named so far
        self._outside: set[int] = set()
        self._turn: object | None = None  # the speaker turn of the sentence being decomposed
        self._turn_person: str | None = None  # the last person named inside that turn
        self._resolved: dict[int, str] = {}
        self._named: set[int] = set()  # tokens resolved to a person, a checkable anchor in itself
        self._skip: set[int] = set()
        self._speaker: str | None = None
        self._spoken = False
        self._addressee: str | None = None  # whom a host's "you" means in the current turn
        self._last_figure: str | None = None  # the counted object of the previous sentence

    def decompose(
        self,
        sent: Span,
        *,
        speaker: str | None = None,
        spoken: bool = False,
        turn: object | None = None,
        host: bool = False,
        addressee: str | None = None,
    ) -> SentenceOutcome:
        """Drafts for `sent`; pronouns resolved against everything the article said before it.

        `spoken` (a transcript or interview): first person is a speaker's, so it is no opinion cue;
        with a `speaker`, claims are what they said ("Carver said they built ..."), and 'he'/'she'
        stand only for someone named earlier in the same `turn` (else they are left as said).
        `host`: a moderator's or interviewer's line, read as plain statements in the paper's voice
        (their own "we" is stage talk); "you" is the `addressee` (the interviewee) or the guest the
        turn addressed by name ("Mr Fitch, you chaired ..."), and a line to no one named gives nothing."""
        self._resolved = {}
        self._skip = set()
        self._speaker = speaker
        vocative = vocative_tokens(sent)
        # Someone addressing "Madam Speaker" is speaking: their "we" is on the record.
        self._spoken = (spoken or bool(vocative)) and not host
        # Words outside any claim: the vocative, and a speaker's parenthetical "I think".
        self._outside = vocative | (parenthetical_beliefs(sent) if self._spoken else set())
        self._asides_done: set[int] = set()
        if turn != self._turn:
            self._turn, self._turn_person, self._addressee = turn, None, None
        self._read_people(sent)
        if host:
            self._addressee = addressed_name(sent, vocative, self.ctx) or addressee or self._addressee
            if not self._second_person(sent):
                return SentenceOutcome([], Cue("not_checkworthy", "a question or stage talk to a guest"))
        dates, covered = relative_dates(
            sent, self._published_at, self.scene.reported_month(self._published_at)
        )
        self._resolved.update(dates)
        self._skip.update(covered)
        for index, text, covered_by in scene_replacements(sent, self.scene, self._published_at):
            if index not in self._resolved and index not in self._skip:
                self._resolved[index] = text
                self._skip.update(covered_by)
        self.scene.read_places(sent)
        figure, self._last_figure = self._last_figure, _figure(sent)
        that = _comparing_demonstrative(sent)
        if figure is not None and that is not None and that.i not in self._resolved:
            # "412,600 passengers ... That was 6.8 per cent more than a year earlier": 'That' is the figure
            self._resolved[that.i] = f"The figure of {figure}"
        drafts = self._role_claims(sent)
        first_cue: Cue | None = None
        if sent.text.rstrip().endswith("?"):
            return SentenceOutcome(drafts, Cue("question", "question"))
        for clause in self._clauses(sent):
            core = self._pledge_claim(clause.head)
            if core is not None:
                drafts.append(core)
                continue
            asides = self._cut_asides(clause)
            draft, cue = self._clause_claim(clause)
            drafts.extend(d for d in map(self._salvage_relative, asides) if d is not None)
            if draft is not None:
                drafts.append(draft)
                continue
            if first_cue is None or (cue is not None and first_cue.label == "fragment"):
                first_cue = cue or first_cue
            drafts.extend(self._salvage(clause))
        return SentenceOutcome(drafts, first_cue)

    # -- people and pronouns -------------------------------------------------------------------

    def _read_people(self, sent: Span) -> None:
        """Walk the sentence left to right so 'his' means whoever was last named before it."""
        starts = {}
        for ent in sent.ents:
            tokens = list(ent)
            if tokens and tokens[-1].tag_ == "POS":
                tokens = tokens[:-1]
            if ent.label_ == "PERSON" or (
                _is_person_name(tokens) and any(c.dep_ == "appos" for t in tokens for c in t.children)
            ):
                starts[ent.start] = " ".join(t.text for t in tokens)
        for token in sent:
            if token.i in starts:
                person = self.ctx.mention(starts[token.i])
                if self._speaker:
                    self._turn_person = person.name
                continue
            # In a speaker's turn "she" is usually the other debater, not the last name the text gave:
            # only someone the speaker named earlier in the same turn is taken as meant.
            resolved = self._turn_pronoun(token) if self._speaker else self.ctx.resolve_pronoun(token)
            if resolved is not None:
                self._resolved[token.i] = resolved
            elif token.dep_ in ("nsubj", "nsubjpass") and token.lower_ in ROLE_NOUNS:
                self._resolve_role_subject(token)
        self._named = set(self._resolved)
        self._resolved.update(self.ctx.things.resolve(sent, self._resolved))

    def _second_person(self, sent: Span) -> bool:
        """Resolve a host's "you"/"your" to the addressee; False when the line has no claim to give.

        What a host says a guest said, did or is ("you say classes are too big", "you chaired the
        committee for four years", "you're the sitting commissioner") is checkable; the rest of what
        they say to a guest ("you go first", "you've been quiet") steers the conversation."""
        for token in sent:
            lower = token.lower_
            if lower not in ("you", "your", "yours") or token.i in self._outside:
                continue
            if self._addressee is None:
                return False
            if lower != "you":
                self._resolved[token.i] = self._addressee + "'s"
                continue
            self._resolved[token.i] = self._addressee
            if token.dep_ not in ("nsubj", "nsubjpass"):
                continue
            verb = token.head
            if not stated_of_guest(verb):
                return False
            self._resolved.update(agreeing_verb(verb, token))
        # a guest resolved by name is a checkable anchor, as a resolved 'he' is
        self._named.update(t.i for t in sent if t.lower_ in ("you", "your") and t.i in self._resolved)
        return True

    def _turn_pronoun(self, token: Token) -> str | None:
        if self._turn_person is None or token.lower_ not in PERSONAL_PRONOUNS:
            return None
        if token.lower_ in ("his", "hers") or (token.lower_ == "her" and token.dep_ == "poss"):
            return self._turn_person + "'s"
        return self._turn_person

    def _resolve_role_subject(self, head: Token) -> None:
        phrase = _role_tokens(head)
        if any(t.pos_ == "PROPN" and t.ent_type_ == "PERSON" for t in phrase):
            return
        span = head.doc[phrase[0].i : phrase[-1].i + 1]
        name = self.ctx.resolve_role(span)
        if name is None:
            return
        self._resolved[phrase[0].i] = name
        self._skip.update(t.i for t in phrase[1:])
        self.ctx.mention(name)

    # -- appositives -----------------------------------------------------------------------------

    def _role_claims(self, sent: Span) -> list[ClaimDraft]:
        drafts = []
        for name, role in _appositive_pairs(sent):
            draft = self._role_claim(sent, name, role)
            if draft is not None:
                drafts.append(draft)
                drafts.extend(self._role_deeds(name, role))
        return drafts

    def _role_deeds(self, name: list[Token], role: list[Token]) -> list[ClaimDraft]:
        """'Dr Helen Marsh, a geriatrician who led the study' -> 'Helen Marsh led the study.'"""
        inside = {t.i for t in role}
        head = next((t for t in role if t.head.i not in inside), None)
        drafts: list[ClaimDraft] = []
        if head is None or role[0].i < name[-1].i or not _is_person_name(name):
            return drafts  # "Dr X, a geriatrician who led ...", not "a journey that takes ..."
        for acl in (c for c in head.children if c.dep_ == "acl" and c.tag_ == "VBG"):
            # "Ann Lee, a nurse standing for the Green Party" -> "Ann Lee is standing for the Green Party."
            tokens = [t for t in acl.subtree if not t.is_punct or t.i < max(x.i for x in acl.subtree)]
            if _anchored(tokens) and not any(c.dep_ == "neg" for c in acl.children):
                body = _render(tokens, self.ctx, self._resolved, self._skip).rstrip(".")
                name_text = self.ctx.canonical(" ".join(t.text for t in name))
                start = min(name[0].i, role[0].i)
                drafts.append(
                    ClaimDraft(
                        f"{name_text} is {body[:1].lower()}{body[1:]}.",
                        name[0].doc[start].idx,
                        tokens[-1].idx + len(tokens[-1].text),
                        "role",
                        speaker=self._speaker,
                    )
                )
        for relcl in (c for c in head.children if c.dep_ == "relcl"):
            who = next((c for c in relcl.children if c.dep_ == "nsubj" and c.lower_ in ("who", "that")), None)
            if who is None or min(t.i for t in relcl.subtree) != who.i:
                continue
            if relcl.tag_ != "VBD" or any(c.dep_ in ("neg", "aux") for c in relcl.children):
                continue  # a deed on the record ("who led the study"), not "who has not been in action"
            tokens = [t for t in relcl.subtree if t.i != who.i]
            while tokens and tokens[-1].is_punct:
                tokens = tokens[:-1]
            if not tokens:
                continue
            body = _render(tokens, self.ctx, self._resolved, self._skip)
            name_text = self.ctx.canonical(" ".join(t.text for t in name))
            start, last = min(name[0].i, role[0].i), tokens[-1]
            drafts.append(
                ClaimDraft(
                    f"{name_text} {body[:1].lower()}{body[1:]}",
                    name[0].doc[start].idx,
                    last.idx + len(last.text),
                    "role",
                    speaker=self._speaker,
                )
            )
        return drafts

    def _role_claim(self, sent: Span, name: list[Token], role: list[Token]) -> ClaimDraft | None:
        """'Antony Blinken, the US secretary of state' -> 'Antony Blinken is the US secretary of state.'"""
        if not any(t.lower_ in ROLE_NOUNS or t.pos_ == "NOUN" for t in role):
            return None
        if any(t.ent_type_ in ("GPE", "LOC", "FAC", "DATE") for t in name) and not any(
            t.lower_ in ROLE_NOUNS for t in role
        ):
            return None  # "Halden Bridge, the highest level since 1921" is no person in a role
        name_text = self.ctx.canonical(" ".join(t.text for t in name))
        replaced = {**third_person(role), **self._resolved} if self._speaker else self._resolved
        role_text = _render(role, self.ctx, replaced, self._skip).rstrip(".")
        if role[0].i in replaced and replaced[role[0].i][:1].islower():
            role_text = role_text[:1].lower() + role_text[1:]  # "Our captain" -> "their captain"
        if not role_text:
            return None
        if role[0].i in self._resolved:
            role_text = self._resolved[role[0].i][:1] + role_text[1:]  # "the club's owner", as resolved
        elif role[0].pos_ not in ("PROPN", "PRON"):
            role_text = role_text[0].lower() + role_text[1:]
        if role[0].pos_ not in ("DET", "PRON") and role[0].tag_ != "PRP$" and role[0].dep_ != "poss":
            role_text = "the " + role_text
        if name_text in self.ctx.people:
            self.ctx.give_role(self.ctx.people[name_text], role_text, self._role_holder(role))
        role_head = next(t for t in role if t.head.i not in {r.i for r in role} or t.head == t)
        if name[-1].dep_ == "appos" and role_head.dep_ in (*_SUBJECT_DEPS, "dobj", "pobj"):
            # "Her deputy, Tom Haskins, told ..." -> the claim names Tom Haskins; so does "We are
            # suing the developer, Brightwater Holdings, for £2.3m" (the name, not "the developer").
            self._resolved[role[0].i] = name_text
            self._skip.update(t.i for t in role[1:])
        first = min(name[0].i, role[0].i)
        last = max(name[-1].i, role[-1].i)
        end = sent.doc[last].idx + len(sent.doc[last].text)
        return ClaimDraft(f"{name_text} is {role_text}.", sent.doc[first].idx, end, "role")

    def _role_holder(self, role: list[Token]) -> Person | None:
        """Whose role it is in 'his opposite number': lets the office pass from holder to counterpart."""
        possessor = next((t for t in role if t.lower_ in POSSESSIVES), None)
        if possessor is None or self.ctx.last_person is None:
            return None
        return self.ctx.people.get(self._resolved.get(possessor.i, "").removesuffix("'s"))

    # -- clauses -----------------------------------------------------------------------------------

    def _clauses(self, sent: Span) -> list[_Clause]:
        """Coordinated verbs and coordinated 'that' complements become clauses of their own."""
        heads = self._coordinated_heads(sent) + _colon_heads(sent)
        clause_heads = {h.i for h, _ in heads}
        fenced = self._appos_tokens(sent) | self._outside
        stranded = _stranded_objects([h for h, _ in heads])
        clauses: list[_Clause] = []
        for head, donor in heads:
            excluded = {t.i for i, obj in stranded.items() if i != head.i for t in obj} | fenced
            own = {t.i for t in head.subtree}
            for other, _ in heads:
                if other.i != head.i and other.i in own:
                    excluded.update(_other_clause(other, clause_heads))
            tokens = [t for t in head.subtree if t.i not in excluded] + stranded.get(head.i, [])
            tokens.sort(key=lambda t: t.i)
            if head.dep_ == "conj" and self._own_complement(head):
                tokens = _complement_prefix(head, sent, fenced) + tokens
            subject = []
            if donor is not None:
                # fenced name-role appositives are their own claim ("Mark Fenn Mark Fenn apologised")
                subject = [
                    t
                    for c in donor.children
                    if c.dep_ in _SUBJECT_DEPS
                    for t in c.subtree
                    if t.i not in fenced
                ]
                if (
                    subject
                    and head.tag_ == "VBN"
                    and not any(c.dep_ in ("aux", "auxpass") for c in head.children)
                ):
                    # "was considered and rejected": 'rejected' shares the 'was' ("... was rejected")
                    shared = [
                        c for c in donor.children if c.dep_ in ("aux", "auxpass") and c.i > subject[-1].i
                    ]
                    if not any(c.tag_ == "MD" for c in shared):  # "will be X and Y": left as it was
                        subject += shared
            clauses.append(_Clause(head, tokens, subject))
        return clauses

    def _coordinated_heads(self, sent: Span) -> list[tuple[Token, Token | None]]:
        """(clause head, subject donor) for the root and every verb coordinated with a clause head."""
        heads: list[tuple[Token, Token | None]] = [(sent.root, None)]
        for token in sent:
            verbal = token.pos_ in ("VERB", "AUX") or any(c.dep_ == "aux" for c in token.children)
            if token.dep_ != "conj" or not verbal:
                continue
            has_subject = any(c.dep_ in _SUBJECT_DEPS for c in token.children)
            has_mark = self._own_complement(token)
            parent = token.head
            if parent in {h for h, _ in heads} and not has_mark:
                heads.append((token, None if has_subject else parent))
            elif has_mark:
                heads.append((token, None))
            elif (
                not has_subject
                and parent.dep_ == "ccomp"
                and parent.head.lower_ in REPORTING_VERBS
                and token.tag_ == parent.head.tag_
                and token.tag_ != parent.tag_
            ):
                # "X said the talks had been useful and agreed to ...": the parser hangs 'agreed' on
                # 'been'; matching tense shows it coordinates with 'said'.
                heads.append((token, parent.head))
        return heads

    @staticmethod
    def _appos_tokens(sent: Span) -> set[int]:
        """Name-role appositives and the commas that fence them: they become role claims instead.

        Other appositives stay in the clause: "The club ..., unveiled plans for ..." misparsed as
        'plans' in apposition to 'club' still carries the sentence's fact."""
        fenced: set[int] = set()
        for appos in sent:
            if (
                appos.dep_ != "appos"
                or any(c.dep_ == "conj" for c in appos.children)
                or _bracketed_figure(appos)
            ):
                continue
            if not any(_pairs_name_with_role(t) for t in appos.subtree):
                continue
            inner = [t.i for t in appos.subtree]
            fenced.update(inner)
            for edge in (min(inner) - 1, max(inner) + 1):
                if sent.start <= edge < sent.end and appos.doc[edge].text == ",":
                    fenced.add(edge)
        return fenced

    @staticmethod
    def _own_complement(token: Token) -> bool:
        """'and that B', 'and to quadruple B': a coordinated complement, split off with its own prefix."""
        if any(c.dep_ == "mark" for c in token.children):
            return True
        return token.head.dep_ == "xcomp" and any(
            c.dep_ == "aux" and c.lower_ == "to" for c in token.children
        )

    def _reported(self, tokens: list[Token]) -> set[int]:
        """Tokens that are someone else's words: complements of reporting verbs and quotations."""
        inside: set[int] = set()
        for token in tokens:
            if token.lower_ in POSITION_VERBS and token.lower_ not in REPORTING_VERBS:
                # What someone wants may be future ("wants Nato to withdraw"), but an adjective in it
                # ("his corrupt regime") is still the paper's judgement, so only modals are theirs.
                inside.update(t.i for t in token.subtree if t.tag_ == "MD" and t.i != token.i)
                continue
            if token.lower_ in REPORTING_VERBS or token.lower_ in FINDING_VERBS:
                for child in token.children:
                    deps = (
                        ("ccomp", "xcomp", "dobj", "oprd")
                        if token.lower_.startswith("call")
                        else ("ccomp", "xcomp")
                    )
                    if child.dep_ in deps or (child.dep_ == "dobj" and token.lower_ in POSITION_VERBS):
                        inside.update(t.i for t in child.subtree)
                        for grandchild in child.children:
                            if grandchild.dep_ in ("acl", "relcl"):
                                inside.update(t.i for t in grandchild.subtree)
            if token.lower_ == "according":
                inside.update(t.i for t in token.head.subtree)
        quote_open = False
        for token in tokens:
            if token.text in ('"', "“", "”"):
                quote_open = not quote_open if token.text == '"' else token.text == "“"
                inside.add(token.i)
            elif quote_open:
                inside.add(token.i)
        return inside

    def _clause_claim(self, clause: _Clause) -> tuple[ClaimDraft | None, Cue | None]:
        tokens = clause.tokens
        content = [t for t in tokens if not t.is_punct]
        has_subject = any(c.dep_ in _SUBJECT_DEPS for c in clause.head.children) or clause.subject
        # A head with a direct object is a verb whatever the tagger says ("stadium cost about £1 billion").
        verbal = any(t.pos_ in ("VERB", "AUX") for t in content) or any(
            c.dep_ == "dobj" for c in clause.head.children
        )
        if len(content) < 3 or not (has_subject or verbal):
            return None, Cue("fragment", "fragment: no verb") if content else None
        if _verbs_only_in_relative_clauses(clause.head, content):
            # "The clinics, weekends which in Leeds ... fell": a noun phrase whose verb is its relative's
            return None, Cue("fragment", "fragment: no main verb")
        if _negated_with_donor(clause.head) and clause.subject:
            # "I won't stand here and tell you X": the 'not' governs 'tell' too; without it the claim
            # would say the opposite
            return None, Cue(
                "rhetoric", f"rhetoric: negated '{clause.head.head.text} ... {clause.head.text}'"
            )
        if _editors_note(clause.head):
            return None, Cue("not_checkworthy", "not check-worthy: an editor's note")
        if any(audience(c) for c in clause.head.children if c.dep_ in _SUBJECT_DEPS):
            # "Some of you have asked about ...": a speaker talking to the room
            return None, Cue("rhetoric", "rhetoric: addressed to the audience")
        if (
            clause.head.tag_ == "VB"
            and clause.head.dep_ == "ROOT"
            and not has_subject
            and not any(c.dep_ in ("aux", "auxpass") for c in clause.head.children)
            and not _frames_statement(clause.head)
        ):
            # "Ask them whether that's progress.", "Look at ...": an imperative states nothing (but
            # "let me say X", "remember X" frame a statement, kept)
            return None, Cue("rhetoric", f"rhetoric: imperative '{clause.head.text}'")
        misparsed_according = clause.head.lower_ == "according" and any(
            t.dep_ == "nsubj" and t.head.i != clause.head.i for t in tokens
        )  # "Some 1.4 million people live alone, according to ...": the small model roots 'according'
        if (
            clause.head.tag_ == "VBG"
            and not misparsed_according
            and not any(c.dep_ in ("aux", "auxpass") for c in clause.head.children)
        ):
            # "And a hundred billion of it going to people like ...": no finite verb, no claim
            return None, Cue("fragment", "fragment: no finite verb")
        reported = self._reported(tokens)
        # An inherited subject anchors too: "X's stadium cost £1bn and was paid for by the club".
        has_anchor = any(t.ent_type_ or t.like_num for t in [*tokens, *clause.subject]) or (
            # a speaker's "our plan", "we": their own record, checkable against it; a speaker's
            # ranking ("the largest expansion of private insurance") is checkable against the record
            self._spoken and (speaker_record(clause.head) or measured_superlative(tokens))
        )
        bare = self._unresolved_subject(clause)
        if bare is not None:
            return None, Cue(
                "not_checkworthy", f"not check-worthy: the subject '{bare}' names nothing in the text"
            )
        inside = {t.i for t in tokens}
        for child in clause.head.children:
            # "... attracted no bids, because the price was set too low": the explanation is the
            # paper's; the event stays a claim without it.
            if child.dep_ in ("advcl", "dobj", "npadvmod") and child.i in inside and child.i > clause.head.i:
                sub = [t for t in child.subtree if t.i in inside]
                if child.dep_ != "advcl" and not (
                    sub[0].i > 0
                    and child.doc[sub[0].i - 1].text == ","
                    and any(c.dep_ == "relcl" for c in child.children)
                ):
                    continue  # only ", a milestone that deserves ..." asides, not ordinary objects
                if (
                    find_cue(
                        [t for t in sub if t.i not in reported], has_anchor=has_anchor, spoken=self._spoken
                    )
                    is not None
                ):
                    cut = {t.i for t in sub}
                    if child.doc[sub[0].i - 1].text == ",":
                        cut.add(sub[0].i - 1)
                    tokens = [t for t in tokens if t.i not in cut]
        own_words = [t for t in tokens if t.i not in reported]
        cue = find_cue(own_words, has_anchor=has_anchor, spoken=self._spoken) or (
            copula_cue(clause.head, own_words, has_anchor=has_anchor) if clause.head.pos_ == "AUX" else None
        )
        if cue is not None:
            return None, cue
        if not has_anchor and not self._checkable_without_anchor(clause, tokens):
            return None, Cue("not_checkworthy", "not check-worthy: no name, number or date to check")
        return self._draft(clause.subject, tokens), None

    def _unresolved_subject(self, clause: _Clause) -> str | None:
        """A subject 'it'/'this'/'they' that nothing resolved (a claim must not lean on it)."""
        if clause.subject or self._spoken:
            # Speech is full of "they" and "this"; there the speaker's own wording is the claim,
            # kept as it stands (decontextualised: false) rather than dropped.
            return None
        for child in clause.head.children:
            if (
                child.dep_ in ("nsubj", "nsubjpass")
                and child.lower_ in ("it", "this", "that", "they", "these", "those")
                and child.i not in self._resolved
                and not dummy_it(child)
                # "Those who answered 'most days' had ...": the clause after it says who
                and not any(c.dep_ in ("relcl", "acl", "prep") for c in child.children)
            ):
                return child.text
        return None

    def _checkable_without_anchor(self, clause: _Clause, tokens: list[Token]) -> bool:
        """Whether a clause with no number, date or name still says something a checker can look up.

        'The western democracies have stated ...', 'The auction attracted no bids' and 'The new stadium
        would host football, rugby league, concerts and conferences' stay claims; 'The opposition has
        its own problems' and 'It was defeated' do not."""
        if any(t.i in self._named for t in tokens):
            return True  # a pronoun resolved to a person names someone
        if find_enumeration(tokens):
            return True  # each listed item can be checked on its own
        first_person = any(
            c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in FIRST_PERSON for c in clause.head.children
        )
        passive = any(c.dep_ == "auxpass" for c in clause.head.children)
        nobody = any(
            (c.dep_ == "neg" and not passive) or (c.dep_ in _SUBJECT_DEPS and c.lower_ in ("nobody", "none"))
            for c in clause.head.children
        )
        if clause.head.lower_ in REPORTING_VERBS and not (self._spoken and first_person) and not nobody:
            # who said what is on the record (a speaker's own "we agree" is rhetoric; "Nobody has
            # explained ...", "those numbers don't tell ..." report nothing said; "was not asked" does)
            return True
        subjects = [c for c in clause.head.children if c.dep_ in _SUBJECT_DEPS] or clause.subject
        if not subjects or all(s.pos_ == "PRON" or s.dep_ == "expl" for s in subjects):
            # An unresolved 'it' or 'there' names nothing; a speaker's "we did X" is their record.
            # In speech "he lifted martial law" is on the record too (kept with its pronoun).
            return self._spoken and clause.head.tag_ == "VBD" and any(s.dep_ != "expl" for s in subjects)
        if self._spoken and any(
            c.dep_ == "poss" and c.lower_ in FIRST_PERSON for s in subjects for c in s.children
        ):
            return True  # "My students fly a drone over the tongue": the speaker's own work
        # A past event happened or did not; a present-tense generality is usually the paper's view.
        # A speaker's perfect or past passive is their record too: "gasoline prices have doubled".
        return clause.head.tag_ == "VBD" or (
            self._spoken
            and clause.head.tag_ == "VBN"
            and any(
                c.dep_ in ("aux", "auxpass") and c.lower_ in ("has", "have", "had", "was", "were")
                for c in clause.head.children
            )
        )

    def _draft(self, subject: list[Token], tokens: list[Token]) -> ClaimDraft | None:
        while tokens and (
            tokens[0].is_punct or (tokens[0].lower_ in _CLAUSE_OPENERS and tokens[0].dep_ in ("cc", "advmod"))
        ):
            tokens = tokens[1:]
        while tokens and tokens[-1].text in (".", ",", ";", ":", "!", "-", "–", "—"):
            tokens = tokens[:-1]
        if not tokens:
            return None
        replaced = _without_doubles(self._resolved, [*subject, *tokens])
        if self._speaker:
            replaced = {**third_person([*subject, *tokens]), **self._resolved}
        body = _render(tokens, self.ctx, replaced, self._skip)
        if subject:
            subject_text = _render(subject, self.ctx, replaced, self._skip).rstrip(".")
            body = subject_text + " " + body[0].lower() + body[1:] if body else ""
        if not body:
            return None
        first = (subject or tokens)[0]
        if self._speaker:
            body = attributed(self._speaker, body, first, replaced)
        items = find_enumeration(tokens)
        start = tokens[0].idx
        end = tokens[-1].idx + len(tokens[-1].text)
        return ClaimDraft(
            body,
            start,
            end,
            _kind(tokens, items),
            items,
            # a pronoun whose antecedent the claim itself names does not lean on the context
            decontextualised=not leans_on_context([*subject, *tokens], {**self._resolved, **replaced}),
            speaker=self._speaker,
        )

    def _salvage(self, clause: _Clause) -> list[ClaimDraft]:
        """Factual subordinate clauses of an opinion clause: 'when he implied X', 'where Moscow has ...'."""
        drafts: list[ClaimDraft | None] = []
        for token in clause.tokens:
            markers = {c.lower_ for c in token.children if c.dep_ in ("advmod", "mark")}
            if token.dep_ == "ccomp" and self._spoken and speaker_belief(token.head):
                # "I think we pay 73 percent of the cost of NATO": the speaker's belief frames a claim
                drafts.append(self._salvage_complement(token))
            elif token.dep_ == "advcl" and markers & _REASON_MARKERS and self._spoken:
                # "We should stay, because we pay 73 percent of the cost": the reason is stated as fact
                drafts.append(self._salvage_complement(token))
            elif token.dep_ == "advcl" and "when" in markers:
                drafts.append(self._salvage_when(token))
            elif token.dep_ == "relcl" and "where" in markers:
                drafts.append(self._salvage_where(token))
            elif token.dep_ == "relcl" and (
                self._non_restrictive(token)
                or (
                    token.head.dep_ in ("nsubj", "nsubjpass")
                    and token.head.head.i == clause.head.i
                    and _anchored(
                        self._antecedent_phrase(token)
                    )  # "The 40,000 commuters", not "A chancellor"
                )
            ):
                # "The 40,000 commuters who use the line each day will face ..." -> "40,000 commuters
                # use the line each day": the subject's own fact survives the prediction.
                drafts.append(self._salvage_relative(token))
        return [d for d in drafts if d is not None]

    def _salvage_complement(self, verb: Token) -> ClaimDraft | None:
        """The clause under a speaker's "I think (that)" or after "because": a claim of its own."""
        if not _anchored(verb.subtree) or not any(c.dep_ in _SUBJECT_DEPS for c in verb.children):
            return None
        tokens = [t for t in verb.subtree if not (t.head == verb and t.dep_ == "mark")]
        return self._checked_draft([], tokens)

    def _salvage_when(self, verb: Token) -> ClaimDraft | None:
        """'He made a dangerous gaffe last week when he implied X' -> 'He implied last week that X'.

        The main clause's date belongs to the event the 'when' clause describes, so it moves there."""
        if verb.tag_ in ("VBZ", "VBP") and not _anchored(verb.subtree):
            return None  # "... is not a spare room to let out when money is tight": a generic 'when'
        tokens = [t for t in verb.subtree if not (t.head == verb and t.lower_ == "when")]
        draft = self._checked_draft([], tokens)
        date = next((t for t in verb.head.children if t.ent_type_ == "DATE" and t.i < verb.i), None)
        if draft is not None and date is None:
            # "... more than a year earlier, when strikes cancelled 140 flights": the written-out date
            written = [
                self._resolved[t.i]
                for t in verb.head.subtree
                if t.i < verb.i and t.i in self._resolved and t.ent_type_ == "DATE"
            ]
            if written and written[-1][:1].islower():
                draft.text = draft.text.rstrip(".") + f" {written[-1]}."
        if draft is None or date is None:
            return draft
        date_text = " ".join(t.text for t in date.subtree)
        bare_complement = any(
            c.dep_ == "ccomp" and not any(m.dep_ == "mark" for m in c.children) for c in verb.children
        )
        moved = f" {verb.text} {date_text}{' that' if bare_complement else ''} "
        draft.text = draft.text.replace(f" {verb.text} ", moved, 1)
        return draft

    def _salvage_where(self, verb: Token) -> ClaimDraft | None:
        """'..., where Moscow has stationed troops' -> 'Moscow has stationed troops (at <the place>).'"""
        if not _anchored(verb.subtree):
            return None
        own_subject = any(
            c.dep_ in _SUBJECT_DEPS and c.lower_ not in ("which", "who", "that") for c in verb.children
        )
        place = self._antecedent_phrase(verb)
        if not own_subject or not place:
            return None
        tokens = [t for t in verb.subtree if not (t.head == verb and t.lower_ == "where")]
        draft = self._draft([], tokens)
        if draft is None:
            return None
        place_text = _render(place, self.ctx, self._resolved, self._skip).rstrip(".")
        if place[0].pos_ == "DET":
            place_text = place_text[0].lower() + place_text[1:]
        draft.text = draft.text.rstrip(".") + " (at " + place_text + ")."
        return draft

    def _pledge_claim(self, head: Token) -> ClaimDraft | None:
        """'X's much-trumpeted pledge to build 12 hospitals is not new' -> 'X pledged to build 12 ...'."""
        core = pledge_core(head)
        if core is None or not _anchored(core.tokens):
            return None
        owner = _render(core.owner, self.ctx, self._resolved, self._skip).rstrip(".")
        owner = owner.removesuffix("'s").removesuffix("’s")
        parts = [owner, core.verb]
        for part in (core.circumstances, core.infinitive):
            if part:
                text = _render(part, self.ctx, self._resolved, self._skip).rstrip(".")
                parts.append(text[:1].lower() + text[1:] if part[0].pos_ != "PROPN" else text)
        used = core.tokens
        start = min(t.idx for t in used)
        end = max(t.idx + len(t.text) for t in used)
        return ClaimDraft(" ".join(parts) + ".", start, end, "position", speaker=self._speaker)

    def _cut_asides(self, clause: _Clause) -> list[Token]:
        """Take a clause's non-restrictive relative clauses that hold a fact out of it: claims of their own.

        "Paul Darnley, who earns £290,000 a year, insists ..." is two facts, and "The congestion charge,
        which will apply to ..., is expected to raise £12 million" is not a prediction as a whole."""
        own = {t.i for t in clause.tokens}
        asides = [
            t
            for t in clause.head.subtree
            if t.dep_ == "relcl"
            and t.i not in self._asides_done
            and (t.i in own or t.head.dep_ == "appos")  # "Paul Darnley, who earns ...": a fenced name's
            # Only on a subject, a name or the clause's own object: deeper down ("a decision to freeze
            # fares, which cost £18 million") the parser often hangs 'which' on the wrong noun.
            and (t.head.dep_ in ("nsubj", "nsubjpass", "appos") or t.head.head.i == clause.head.i)
            and self._non_restrictive(t)
            and _anchored(t.subtree)
            and not any(c.lower_ in ("where", "when") for c in t.children)
        ]
        self._asides_done.update(t.i for t in asides)
        cut: set[int] = set()
        for aside in asides:
            inside = [t.i for t in aside.subtree]
            cut.update(inside)
            for edge in (min(inside) - 1, max(inside) + 1):
                if 0 <= edge < len(aside.doc) and aside.doc[edge].text == ",":
                    cut.add(edge)
        for relcl in (t for t in clause.subject if t.dep_ == "relcl" and self._non_restrictive(t)):
            cut.update(t.i for t in relcl.subtree)
        if cut:
            clause.tokens = [t for t in clause.tokens if t.i not in cut]
            clause.subject = [t for t in clause.subject if t.i not in cut]
        return asides

    def _salvage_relative(self, verb: Token) -> ClaimDraft | None:
        """'the club, which has played at Mill Lane since 1898, ...' -> 'The club has played at ...'.

        A clause with its own subject after 'when' keeps its time: "from June, when the service drops
        to every ten minutes" -> "The service drops to every ten minutes from June". What a rule or a
        plan 'will' do is stated in the present: "The levy, which will apply to firms ..." -> "The levy
        applies to firms ...": the plan's own documents can confirm it."""
        if not _anchored(verb.subtree):
            return None
        when = next((c for c in verb.children if c.lower_ == "when" and c.dep_ == "advmod"), None)
        if when is not None:
            own_subject = any(c.dep_ in _SUBJECT_DEPS for c in verb.children)
            anchor = verb.head
            draft = (
                self._checked_draft([], [t for t in verb.subtree if t.i != when.i]) if own_subject else None
            )
            if draft is not None and anchor.dep_ == "pobj":
                draft.text = draft.text.rstrip(".") + f" {anchor.head.text} {anchor.text}."
            return draft
        antecedent = self._antecedent_phrase(verb)
        whose = next((t for t in verb.subtree if t.lower_ == "whose" and t.dep_ == "poss"), None)
        if whose is not None:
            # "The participants, whose average age was 81, ..." -> "The participants' average age was 81."
            if not antecedent:
                return None
            owner = _render(antecedent, self.ctx, self._resolved, self._skip).rstrip(".")
            self._resolved[whose.i] = owner + ("'" if owner.endswith("s") else "'s")
            return self._checked_draft([], list(verb.subtree))
        first = min(verb.subtree, key=lambda t: t.i)
        if (
            first.dep_ == "prep"
            and first.head == verb
            and any(c.lower_ in ("which", "whom") for c in first.children)
        ):
            # "schemes, in which volunteers phone ..." -> "Volunteers phone ... in schemes."
            inner = [t for t in verb.subtree if t.i not in {first.i, *(c.i for c in first.children)}]
            draft = self._checked_draft([], inner)
            if draft is not None and antecedent:
                place = _render(antecedent, self.ctx, self._resolved, self._skip).rstrip(".")
                if antecedent[0].pos_ != "PROPN":
                    place = place[:1].lower() + place[1:]
                body = draft.text if inner[0].pos_ == "PROPN" else draft.text[:1].lower() + draft.text[1:]
                draft.text = f"{first.text.capitalize()} {place}, {body}"
            return draft if antecedent else None
        tokens = [
            t for t in verb.subtree if not (t.head == verb and t.lower_ in ("where", "which", "who", "that"))
        ]
        will = next((c for c in verb.children if c.lower_ == "will" and c.dep_ == "aux"), None)
        if will is None or not antecedent:
            return self._checked_draft(antecedent, tokens)
        head = next((t for t in antecedent if t.head.i not in {a.i for a in antecedent}), antecedent[-1])
        draft = self._checked_draft(antecedent, [t for t in tokens if t.i != will.i])
        if draft is not None:
            present = present_tense(verb.text, plural=head.tag_ in ("NNS", "NNPS"))
            draft.text = draft.text.replace(f" {verb.text}", f" {present}", 1)
        return draft

    @staticmethod
    def _antecedent_phrase(relcl: Token) -> list[Token]:
        """The noun phrase a relative clause hangs on, without the clause and trailing commas."""
        inside = {t.i for t in relcl.subtree}
        phrase = [t for t in relcl.head.subtree if t.i < relcl.i and t.i not in inside]
        return [t for t in phrase if not t.is_punct or t.i < phrase[-1].i]

    def _checked_draft(self, subject: list[Token], tokens: list[Token]) -> ClaimDraft | None:
        """A draft from a salvaged clause, unless its own (unreported) words carry an opinion cue."""
        reported = self._reported(tokens)
        own = [t for t in subject + tokens if t.i not in reported]
        if find_cue(own, has_anchor=_anchored(tokens), spoken=self._spoken) is not None:
            return None
        return self._draft(subject, tokens)

    @staticmethod
    def _non_restrictive(relcl: Token) -> bool:
        first = min(t.i for t in relcl.subtree)
        return first > 0 and relcl.doc[first - 1].text == ","


_COMPARATIVES = frozenset({"more", "less", "fewer", "higher", "lower", "up", "down", "than"})


def _figure(sent: Span) -> str | None:
    """'412,600 passengers': the counted object or subject of a sentence's main verb, if any."""
    for child in sent.root.children:
        if child.dep_ not in ("dobj", "nsubj", "nsubjpass", "attr") or child.tag_ != "NNS":
            continue
        number = [c for c in child.children if c.dep_ == "nummod" and c.like_num]
        if number:
            parts = [*number[0].subtree, *(c for c in child.children if c.dep_ == "compound"), child]
            return " ".join(t.text for t in sorted(set(parts), key=lambda t: t.i))
    return None


def _comparing_demonstrative(sent: Span) -> Token | None:
    """The bare 'That'/'This' subject of "That was 6.8 per cent more than ...": it stands for a figure."""
    root = sent.root
    subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
    if subject is None or subject.lower_ not in ("that", "this") or list(subject.children):
        return None
    if root.lower_ not in ("is", "was", "'s") or not any(t.lower_ in _COMPARATIVES for t in root.subtree):
        return None
    return subject if any(t.like_num for t in root.subtree) else None


def _verbs_only_in_relative_clauses(head: Token, content: list[Token]) -> bool:
    """A noun-rooted clause whose every verb sits in a relative clause on it: no main verb."""
    if head.pos_ in ("VERB", "AUX") or head.dep_ != "ROOT" or any(c.dep_ == "dobj" for c in head.children):
        return False
    verbs = [t for t in content if t.pos_ in ("VERB", "AUX")]
    relative = [t for t in head.children if t.dep_ == "relcl"]
    # only with a relative pronoun: "The rest we buy, or ..." is a fronted object, not a fragment
    if not any(t.tag_ in ("WDT", "WP", "WP$") for r in relative for t in r.subtree):
        return False
    return bool(verbs) and all(any(a in relative for a in (v, *v.ancestors)) for v in verbs)


def _negated_with_donor(head: Token) -> bool:
    """A coordinated verb without its own auxiliary whose first verb is negated ("won't X and Y")."""
    if head.dep_ != "conj" or any(c.dep_ in ("aux", "auxpass", "neg", "nsubj") for c in head.children):
        return False
    return any(c.dep_ == "neg" for c in head.head.children)


_PUBLISHED_PIECES = frozenset(
    {"interview", "article", "story", "transcript", "piece", "report", "conversation"}
)
_EDITS = frozenset({"edited", "condensed", "updated", "amended", "corrected", "shortened", "abridged"})


def _editors_note(head: Token) -> bool:
    """'This interview has been edited for length': a note on the text itself, not a claim."""
    subject = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return (
        head.lower_ in _EDITS
        and subject is not None
        and subject.lower_ in _PUBLISHED_PIECES
        and any(c.lower_ in ("this", "the") for c in subject.children)
    )


def _frames_statement(verb: Token) -> bool:
    """A complement clause with its own subject below `verb`, not a question ('whether', 'if')."""
    return any(
        t.dep_ == "ccomp"
        and any(c.dep_ in _SUBJECT_DEPS for c in t.children)
        and not any(c.lower_ in ("whether", "if") for c in t.children)
        for t in verb.subtree
    )


_REASON_MARKERS = frozenset({"because", "since"})


def _without_doubles(resolved: dict[int, str], tokens: list[Token]) -> dict[int, str]:
    """Drop a thing pronoun's resolution when the claim already names it ("The report suggests few
    people read it closely" must not become "... read the report closely")."""
    words = " " + " ".join(t.lower_ for t in tokens) + " "
    kept = {}
    for index, text in resolved.items():
        token = tokens[0].doc[index]
        name = text.lower().removesuffix("'s").removesuffix("'")
        if token.lower_ in THING_PRONOUNS and f" {name} " in words:
            continue
        kept[index] = text
    return kept


def _anchored(tokens: Iterable[Token]) -> bool:
    """A number, date or name: something a checker can look up."""
    return any(t.ent_type_ or t.like_num for t in tokens)


def _kind(tokens: list[Token], items: list[tuple[int, int]]) -> ClaimKind:
    labels = {t.ent_type_ for t in tokens}
    words = {t.lower_ for t in tokens}
    if items:
        return "list"
    if any(t.text in ('"', "“", "”") for t in tokens):
        return "quote"
    if "PERCENT" in labels or words & {"rate", "average", "per", "median"}:
        return "statistic"
    if labels & {"MONEY", "CARDINAL", "QUANTITY"}:
        return "quantity"
    if words & {"than", "more", "less", "fewer", "lowest", "highest", "largest", "smallest"} and labels:
        return "comparison"
    if words & REPORTING_VERBS or "according" in words:
        return "attribution"
    if words & POSITION_VERBS:
        return "position"
    if "DATE" in labels:
        return "event"
    return "other"
