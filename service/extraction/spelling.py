"""Spelling normalised for parsing only: "the goverment had recieved" parses as "government ... received".

A typo makes the tagger guess ("recieved" as a noun) and the parse fall apart. Each chunk is checked
against pyspellchecker's bundled English word list (offline, loaded once per process); a lower-case
word of four letters or more that the list lacks is replaced by its one-edit correction, when there
is one. Words with a capital letter are never touched (names, entities, acronyms), nor words joined
to an apostrophe or a hyphen. Two apostrophe slips are mended too: "the agency s report" and "Its a",
and a word split in two by bad copy or OCR ("sec urity") is joined; a British spelling
("draught") is never "corrected" into another word.
The parse sees the corrected text; `origin` maps each of its offsets back to the original, so spans
and quotes stay exact on what the newsroom submitted (the claim text may read corrected).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from spellchecker import SpellChecker

_WORD = re.compile(r"(?<![A-Za-z'’\-])[a-z]{4,}(?![A-Za-z'’\-])")
_LOST_APOSTROPHE = re.compile(r"(?<=[a-z]) s(?= [a-z])")  # "the agency s report"
_ITS_IS = re.compile(r"\b([Ii])ts(?= (?:a|an|the|not|been|time|clear|true)\b)")  # "Its a worrying picture"


# British spellings the (American-leaning) word list lacks: "metres", "programme", "realise", "candour".
_BRITISH = (
    ("isation", "ization"),
    ("ise", "ize"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("yse", "yze"),
    ("our", "or"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("ence", "ense"),
    ("ogue", "og"),
    ("mme", "m"),
    ("lled", "led"),
    ("lling", "ling"),
)


@lru_cache(maxsize=1)
def _checker() -> SpellChecker:
    return SpellChecker(distance=1)


# British spellings no suffix rule explains: never "corrected" into another word ("draught" is not
# "drought").
_BRITISH_WORDS = frozenset(
    {"draught", "kerb", "gaol", "jewellery", "pyjamas", "aluminium", "storey", "cheque", "whisky"}
    | {"tyre", "mould", "plough", "sceptical", "manoeuvre", "aeroplane", "grey", "moustache", "cosy"}
)


def _known_variant(word: str, checker: SpellChecker) -> bool:
    """A British spelling or a plural of a word the list has: not a slip."""
    stem = word[:-1] if word.endswith("s") else word
    if word in _BRITISH_WORDS or stem in _BRITISH_WORDS:
        return True
    forms = [word[:-1], word[:-2]] if word.endswith("s") else []
    forms += [word.replace(uk, us) for uk, us in _BRITISH if uk in word]
    return bool(forms) and bool(checker.known(forms))


_ANY_WORD = re.compile(r"(?<![A-Za-z0-9'’\-.£$€])[A-Za-z]+(?![A-Za-z0-9'’\-])")  # not "50p", "£1.2m"


def _is_word(piece: str, unknown: set[str]) -> bool:
    if len(piece) == 1:
        return piece in ("a", "A", "I")  # "e" and "n" are in the list, but never words of prose
    return piece.lower() not in unknown


def _split_words(text: str, checker: SpellChecker) -> list[tuple[int, int, str]]:
    """'sec urity', 'queu ing', 'Th e': a word broken in two by bad copy or OCR, joined again when the
    two halves make a known word and one of them is no word on its own ("in to" stays)."""
    joins: list[tuple[int, int, str]] = []
    words = list(_ANY_WORD.finditer(text))
    unknown = set(checker.unknown({m.group().lower() for m in words}))  # one look-up for the chunk
    taken = -1
    for first, second in pairwise(words):
        a, b = first.group(), second.group()
        if first.start() < taken or text[first.end() : second.start()] != " " or not b.islower():
            continue
        if not (a.islower() or (a[0].isupper() and a[1:].islower())):
            continue
        if len(a) < 2 or (_is_word(a, unknown) and _is_word(b, unknown)):  # "agency s own", "in to": no
            continue
        joined = a + b
        if not checker.known([joined.lower()]):
            continue
        joins.append((first.start(), second.end(), joined))
        taken = second.end()
    return joins


def _fixes(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for each slip in `text`, in order, not overlapping."""
    fixes = [(m.start(), m.end(), "'s") for m in _LOST_APOSTROPHE.finditer(text)]
    fixes += [(m.start(), m.end(), m.group(1) + "t's") for m in _ITS_IS.finditer(text)]
    checker = _checker()
    mended = [(a, b) for a, b, _ in fixes]
    joins = [j for j in _split_words(text, checker) if not any(a < j[1] and j[0] < b for a, b in mended)]
    fixes += joins
    words = [m for m in _WORD.finditer(text) if not any(a <= m.start() < b for a, b, _ in joins)]
    if words:
        unknown = checker.unknown({m.group() for m in words})
        corrected = {word: checker.correction(word) for word in unknown if not _known_variant(word, checker)}
        fixes += [
            (m.start(), m.end(), fix) for m in words if (fix := corrected.get(m.group())) and fix != m.group()
        ]
    return sorted(fixes)


def normalise(text: str) -> tuple[str, list[int] | None]:
    """`text` with its slips mended, and each offset of the result mapped to one of `text` (None: same text).

    The map has one entry more than the result has characters, so an end offset maps too; inside a
    replaced word offsets map to the word's own start and end."""
    fixes = _fixes(text)
    if not fixes:
        return text, None
    pieces: list[str] = []
    origin: list[int] = []
    at = 0
    for start, end, replacement in fixes:
        pieces.append(text[at:start])
        origin.extend(range(at, start))
        pieces.append(replacement)
        origin.extend(
            min(start + k, end - 1) if k < len(replacement) else end for k in range(len(replacement))
        )
        at = end
    pieces.append(text[at:])
    origin.extend(range(at, len(text) + 1))
    return "".join(pieces), origin
