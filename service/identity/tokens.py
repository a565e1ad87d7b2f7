"""One pass of a regular expression over a claim: word, number, symbol and punctuation tokens with
their folded forms, and the entity aliases among them. Everything else in `service.identity` reads
these tokens; nothing here needs a parse, so a signature costs tens of microseconds a claim."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.identity.entities import fold, gazetteer, needs_capitals
from service.stopwords import ENGLISH, REPORTING

# Each token with the white space before it (to tell '9.1bn' from '9.1 bn'); findall is several times
# cheaper than a match object per token.
_TOKEN = re.compile(
    r"(\s*)(\d{1,3}(?:[,\u00a0\u2009\u202f ]\d{3})+(?:\.\d+)?(?!\d|[.,]\d)|\d+(?:[.,]\d+)*"
    r"|(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:['’][^\W\d_]+)*|[%£$€¥]|[.!?;:,\"“”()\[\]—–])"
)
_SYMBOLS = frozenset("%£$€¥")
# Words of ordinary sentences that say nothing about identity; also skipped when naming the thing a
# bare number counts, and never taken for a proper name.
STOPWORDS = ENGLISH | REPORTING
# Punctuation after which the next word starts a sentence or clause.
SENTENCE_BREAKS = frozenset('.!?;:"“”(')


@dataclass(frozen=True)
class EntitySpan:
    entity: str
    start: int
    end: int


@dataclass
class Tokens:
    """The tokens of one text, as parallel lists (cheaper than one object per token): `kinds` are
    'word', 'num', 'symbol' or 'punct'; `spaced` says whether white space (or the start) precedes."""

    kinds: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    folded: list[str] = field(default_factory=list)
    spaced: list[bool] = field(default_factory=list)
    entities: list[EntitySpan] = field(default_factory=list)

    def adjacent(self, left: int, right: int) -> bool:
        """Whether token `right` follows token `left` with no space between ('9.1bn', '5%')."""
        return left >= 0 and right == left + 1 < len(self.kinds) and not self.spaced[right]

    def surface(self, start: int, end: int) -> str:
        """The claim's words for tokens start..end-1, spaced as written."""
        if end == start + 1:
            return self.raw[start]
        return "".join(
            (" " if self.spaced[at] and at > start else "") + self.raw[at] for at in range(start, end)
        )

    @property
    def text(self) -> str:
        return self.surface(0, len(self.raw))


def tokenize(text: str) -> Tokens:
    """Tokens of the text with entity spans found (the longest alias at each position)."""
    pairs = _TOKEN.findall(text)
    raws = [raw for _space, raw in pairs]
    kinds = [
        "num"
        if raw[0].isdigit()
        else "word"
        if raw[0].isalpha()
        else "symbol"
        if raw in _SYMBOLS
        else "punct"
        for raw in raws
    ]
    lowered = [raw.lower() for raw in raws]
    folded = [
        word if kind != "word" or (word.isascii() and word.isalpha()) else fold(word)
        for word, kind in zip(lowered, kinds, strict=True)
    ]
    spaced = [bool(space) or position == 0 for position, (space, _raw) in enumerate(pairs)]
    tokens = Tokens(kinds=kinds, raw=raws, folded=folded, spaced=spaced)
    known = gazetteer()
    firsts = known.by_first
    index = 0
    count = len(folded)
    while index < count:
        word = folded[index]
        if word in firsts or (word[-1:] == "s" and word[:-1] in firsts):
            found = known.match_at(folded, index) if kinds[index] == "word" else None
            if found is not None:
                entity, length = found
                if length > 1 or not needs_capitals(word) or _capitalised_alias(raws[index]):
                    tokens.entities.append(EntitySpan(entity, index, index + length))
                    index += length
                    continue
        index += 1
    return tokens


def _capitalised_alias(raw: str) -> bool:
    # 'US' and 'U.S.' but not 'us'; 'Fed' but not 'fed'; 'WHO' but not 'Who' at a sentence's start.
    if "." in raw or raw.isupper():
        return True
    return raw[:1].isupper() and raw.lower() in ("fed", "boe")
