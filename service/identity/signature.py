"""The identity of a claim: what must agree for two claims to be the same claim.

    >>> claim_signature("Rail fares in Scotland rose 5.1% in March 2023.").quantities
    ('5.1%',)

Two claims are the same claim only when their quantities, dates, entities, polarity, direction and
argument order agree (`service.identity.compare`); their wording may differ in case, punctuation,
number formatting, word order, 'per cent' and an added attribution ('..., police say'). Computed by
regular expressions and lexicons over one tokenisation (no parse), cheap enough for the import loop.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

from service.identity.numbers import MONTHS, MULTIPLIERS, NUMBER_WORDS, find_numbers
from service.identity.tokens import SENTENCE_BREAKS, STOPWORDS, Tokens, tokenize

# Raise when a change to the rules gives a stored claim another signature: readers recompute stored
# signatures of an older version (and a migration may re-sign the table).
SIGNATURE_VERSION = 1

# '..., police say.' / '..., according to the ONS.' at the end; 'Police say (that) ...' at the start.
_SPEECH = (
    r"(?:say|says|said|claim|claims|claimed|report|reports|reported|warn|warns|warned"
    r"|estimate|estimates|estimated|insist|insists|insisted)"
)
_TRAILING_ATTRIBUTION = re.compile(
    rf"(?:,\s*(?:[^,]{{1,60}}?\s)?{_SPEECH}|,?\s+according to [^,]{{1,60}}?)\s*[.!]?\s*$", re.IGNORECASE
)
# At the start only verbs ('said', 'claims that'): 'Four claims document...' starts with a noun.
_LEADING_SPEECH = (
    r"(?:say|says|said|told\s+\w+|claimed|reported|warned|insisted|estimated)(?:\s+that)?"
    r"|(?:claims|reports|warns|insists|estimates)\s+that"
)
_LEADING_ATTRIBUTION = re.compile(
    rf"^(?:according to [^,]{{1,60}},\s*|(?:[\w'’.-]+\s+){{1,5}}?(?:{_LEADING_SPEECH}),?\s+)", re.IGNORECASE
)
# A newsroom's label before the claim ('BREAKING: ...'), not part of it.
_LABEL = re.compile(
    r"^(?:breaking|breaking news|update|updated|exclusive|just in|fact check|watch|video|live|analysis)"
    r"\s*[:\-–—]\s*",
    re.IGNORECASE,
)
# Most claims have no attribution: its two searches run only when one of these words is there.
_SPEECH_WORDS = frozenset(re.findall(r"[a-z]+", _SPEECH)) | {"according"}
_NEGATIONS = frozenset(
    [
        "not",
        "never",
        "no",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "cannot",
        "nowhere",
        "didnt",
        "doesnt",
        "dont",
        "isnt",
        "wasnt",
        "werent",
        "arent",
        "hasnt",
        "havent",
        "hadnt",
        "wont",
        "wouldnt",
        "couldnt",
        "shouldnt",
        "cant",
        "aint",
        "mustnt",
        "neednt",
    ]
)
_DIRECTION_WORDS = {
    "up": """rise rises rose risen rising increase increases increased increasing grow grows grew grown
        growing growth climb climbs climbed climbing jump jumps jumped soar soars soared surge surges surged
        gain gains gained raise raises raised raising boost boosts boosted up doubled tripled quadrupled
        rocketed spiked""",
    "down": """fall falls fell fallen falling decrease decreases decreased decreasing decline declines
        declined declining drop drops dropped dropping cut cuts cutting shrink shrinks shrank shrunk plunge
        plunged plunges slump slumped slumps reduce reduces reduced reducing slash slashed down halved
        tumbled dipped""",
    "more": "more higher greater larger bigger over above exceeds exceeded",
    "less": "less fewer lower smaller below under",
    "for": "support supports supported backs backed favour favor",
    "against": "against oppose opposes opposed",
    "signed": "signed approved enacted ratified",
    "vetoed": "veto vetoed vetoes rejected blocked",
}
DIRECTIONS = {word: label for label, words in _DIRECTION_WORDS.items() for word in words.split()}
# Prepositions that give a direction only before an amount: 'over 5,000 people', not 'over the year'.
_BEFORE_AMOUNT = frozenset({"up", "down", "over", "under", "above", "below"})
_VOTE = frozenset({"vote", "votes", "voted", "voting"})
_COMPARATIVES = frozenset(
    [
        "more",
        "less",
        "fewer",
        "higher",
        "lower",
        "greater",
        "larger",
        "bigger",
        "smaller",
        "better",
        "worse",
        "richer",
        "poorer",
        "older",
        "younger",
        "faster",
        "slower",
        "cheaper",
        "dearer",
        "longer",
        "shorter",
        "taller",
        "heavier",
        "lighter",
        "safer",
        "deadlier",
    ]
)
_COPULAS = frozenset({"is", "are", "was", "were", "be", "been", "being", "has", "have", "had"})
_WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})


@dataclass(frozen=True)
class ClaimSignature:
    """What must agree between two claims for them to be the same claim (JSON-serialisable).

    `quantities` is a sorted multiset of normalised amounts; `anchors` pairs a bare number with the word
    it labels ('region=5'); `dates` are ISO-like ('2023', '2023-03', '2023-03-14', '2023-Q1', '1990s');
    `entities` are ids ('country:GB', 'region:GB-SCT', 'org:WHO'); `names` are other capitalised words
    (compared only when both claims have some); `order` is the two sides of a comparison ('A is higher
    than B'); `core` is the claim's wording with amounts, dates and attribution taken out and aliases
    folded, for the similarity of two claims whose signatures agree.
    """

    quantities: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    lead: str = ""
    negated: bool = False
    directions: tuple[str, ...] = ()
    order: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    surfaces: tuple[tuple[str, str], ...] = ()
    core: str = ""
    version: int = SIGNATURE_VERSION

    @cached_property
    def key(self) -> str:
        """What a duplicate must match exactly (quantities and dates), hashed; '' when there are none."""
        return signature_key(self.quantities, self.dates)

    @property
    def is_empty(self) -> bool:
        """No quantity, date or entity: such claims dedupe by their text alone."""
        return not (self.quantities or self.dates or self.entities)

    def surface(self, value: str) -> str:
        """How the claim wrote a normalised value ('£9.1bn' for 'GBP 9.1 billion'), or the value."""
        return dict(self.surfaces).get(value, value)

    def to_json(self) -> str:
        """Compact JSON of every field (tuples as lists), as stored in `claim.signature`."""
        return json.dumps(
            {name: getattr(self, name) for name in _FIELD_NAMES}, separators=(",", ":"), ensure_ascii=False
        )

    @classmethod
    def from_json(cls, stored: str) -> ClaimSignature:
        """The signature `to_json` wrote (lists back to tuples)."""
        # Named `values`: `fields` is dataclasses.fields, used below for _FIELD_NAMES.
        values: dict[str, Any] = json.loads(stored)
        order = values.get("order")
        return cls(
            quantities=tuple(values.get("quantities", ())),
            anchors=tuple(values.get("anchors", ())),
            dates=tuple(values.get("dates", ())),
            entities=tuple(values.get("entities", ())),
            names=tuple(values.get("names", ())),
            lead=str(values.get("lead", "")),
            negated=bool(values.get("negated", False)),
            directions=tuple(values.get("directions", ())),
            order=(tuple(order[0]), tuple(order[1])) if order else None,
            surfaces=tuple((str(pair[0]), str(pair[1])) for pair in values.get("surfaces", ())),
            core=str(values.get("core", "")),
            version=int(values.get("version", SIGNATURE_VERSION)),
        )


_FIELD_NAMES = tuple(field.name for field in fields(ClaimSignature))


def signature_key(quantities: tuple[str, ...], dates: tuple[str, ...]) -> str:
    """16 hex digits naming the quantities and dates; '' when there are none."""
    if not quantities and not dates:
        return ""
    joined = "|".join(quantities) + "#" + "|".join(dates)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def strip_attribution(text: str) -> str:
    """The claim without who said it: 'Crime rose 5%, police say.' -> 'Crime rose 5%'."""
    stripped = _LABEL.sub("", text.strip())
    # Searched only where an attribution can be (after the last comma, in the first words): a search
    # of the whole claim would cost more than the rest of its signature.
    tail_at = max(stripped.rfind(","), len(stripped) - 80, 0)
    tail = _TRAILING_ATTRIBUTION.sub("", stripped[tail_at:])
    stripped = stripped[:tail_at] + tail
    head = _LEADING_ATTRIBUTION.sub("", stripped[:80])
    stripped = head + stripped[80:]
    return stripped if len(stripped) >= 8 else text


def claim_signature(text: str, *, reference_date: dt.date | None = None) -> ClaimSignature:
    """The signature of a claim; relative dates ('last year') resolved against `reference_date`."""
    tokens = tokenize(text)
    if not _SPEECH_WORDS.isdisjoint(tokens.folded) or _LABEL.match(text):
        text = strip_attribution(text)
        tokens = tokenize(text)
    found = find_numbers(tokens, reference_date)
    in_entity: dict[int, str] = {}
    for span in tokens.entities:
        for position in range(span.start, span.end):
            in_entity[position] = span.entity
    quantities = tuple(sorted(quantity.value for quantity in found.quantities))
    return ClaimSignature(
        quantities=quantities,
        anchors=tuple(sorted(f"{q.anchor}={q.value}" for q in found.quantities if q.anchor)),
        dates=tuple(sorted(set(found.dates))),
        entities=tuple(sorted({span.entity for span in tokens.entities})),
        names=_names(text, tokens, in_entity),
        lead=_lead(tokens),
        negated=sum(1 for word in tokens.folded if word in _NEGATIONS) % 2 == 1,
        directions=_directions(tokens),
        order=_order(tokens, in_entity),
        surfaces=tuple(
            sorted({(q.value, q.surface) for q in found.quantities if q.surface and q.surface != q.value})
        ),
        core=_core(tokens, in_entity, found.consumed),
    )


def _possessive(word: str) -> str:
    return word[:-2] if word.endswith(("'s", "’s")) else word


def _names(text: str, tokens: Tokens, in_entity: dict[int, str]) -> tuple[str, ...]:
    """Capitalised words that are not sentence starts, entities, months or common words (mixed-case text
    only: an all-capitals or all-lower-case claim tells nothing by its case)."""
    if text.upper() == text or text.lower() == text:
        return ()
    found: set[str] = set()
    previous_kind, previous = "punct", "."
    for position, (kind, raw) in enumerate(zip(tokens.kinds, tokens.raw, strict=True)):
        starts_sentence = position == 0 or (previous_kind == "punct" and previous in SENTENCE_BREAKS)
        previous_kind, previous = kind, raw
        if kind != "word" or starts_sentence or position in in_entity or not raw[:1].isupper():
            continue
        word = tokens.folded[position]
        if word in STOPWORDS or word in MONTHS or word in _WEEKDAYS or word in NUMBER_WORDS:
            continue
        found.add(_possessive(raw).lower())
    return tuple(sorted(found))


def _lead(tokens: Tokens) -> str:
    for kind, raw in zip(tokens.kinds, tokens.raw, strict=True):
        if kind == "word":
            return _possessive(raw).lower()
    return ""


def _directions(tokens: Tokens) -> tuple[str, ...]:
    found: set[str] = set()
    folded = tokens.folded
    for position, word in enumerate(folded):
        label = DIRECTIONS.get(word)
        if word in _BEFORE_AMOUNT and not _amount_follows(tokens, position):
            continue
        if label is None and word == "for" and position and folded[position - 1] in _VOTE:
            label = "for"
        if label is not None:
            found.add(label)
    return tuple(sorted(found))


def _amount_follows(tokens: Tokens, position: int) -> bool:
    after = position + 1
    if after < len(tokens.kinds) and tokens.kinds[after] == "symbol":
        after += 1
    return after < len(tokens.kinds) and (
        tokens.kinds[after] == "num" or tokens.folded[after] in NUMBER_WORDS
    )


def _side(tokens: Tokens, in_entity: dict[int, str], positions: range) -> tuple[str, ...]:
    words: set[str] = set()
    for position in positions:
        word = in_entity.get(position) or tokens.folded[position]
        if tokens.kinds[position] == "word" and word not in STOPWORDS and word not in _COPULAS:
            words.add(word)
    return tuple(sorted(words))


def _order(tokens: Tokens, in_entity: dict[int, str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The two sides of the first 'X is <comparative> than Y', each as its content words."""
    folded, count = tokens.folded, len(tokens.folded)
    for position, word in enumerate(folded):
        if word not in _COMPARATIVES:
            continue
        than = next(
            (at for at in range(position + 1, min(position + 4, count)) if folded[at] == "than"), None
        )
        if than is None:
            continue
        start = position
        while start > 0 and not (tokens.kinds[start - 1] == "punct" and tokens.raw[start - 1] != "'"):
            start -= 1
        end = than + 1
        while end < count and tokens.kinds[end] != "punct":
            end += 1
        left = _side(tokens, in_entity, range(start, position))
        right = _side(tokens, in_entity, range(than + 1, end))
        if left and right:
            return left, right
        return None
    return None


def _core(tokens: Tokens, in_entity: dict[int, str], consumed: set[int]) -> str:
    """The wording that must be similar: folded words, entity ids for aliases, no amounts or dates."""
    words: list[str] = []
    last_entity = ""
    for position, kind in enumerate(tokens.kinds):
        entity = in_entity.get(position)
        if entity is not None:
            if entity != last_entity:
                words.append(entity)
            last_entity = entity
            continue
        last_entity = ""
        word = tokens.folded[position]
        if kind != "word" or position in consumed or word in NUMBER_WORDS or word in MULTIPLIERS:
            continue
        if word == "s" or word == "the":
            continue
        words.append(word)
    return " ".join(words)
