"""Spelling normalised for parsing only: "the goverment had recieved" parses as "government ... received".

A typo makes the tagger guess ("recieved" as a noun) and the parse fall apart. Each chunk is checked
against pyspellchecker's bundled English word list (offline, loaded once per process); a lower-case
word of four letters or more that the list lacks is replaced by its one-edit correction, when there
is one. Words with a capital letter are never touched (names, entities, acronyms), nor words joined
to an apostrophe or a hyphen. Two apostrophe slips are mended too: "the agency s report" and "Its a".
The parse sees the corrected text; `origin` maps each of its offsets back to the original, so spans
and quotes stay exact on what the newsroom submitted (the claim text may read corrected).
"""

from __future__ import annotations

import re
from functools import lru_cache

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


def _known_variant(word: str, checker: SpellChecker) -> bool:
    """A British spelling or a plural of a word the list has: not a slip."""
    forms = [word[:-1], word[:-2]] if word.endswith("s") else []
    forms += [word.replace(uk, us) for uk, us in _BRITISH if uk in word]
    return bool(forms) and bool(checker.known(forms))


def _fixes(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for each slip in `text`, in order, not overlapping."""
    fixes = [(m.start(), m.end(), "'s") for m in _LOST_APOSTROPHE.finditer(text)]
    fixes += [(m.start(), m.end(), m.group(1) + "t's") for m in _ITS_IS.finditer(text)]
    words = list(_WORD.finditer(text))
    if words:
        checker = _checker()
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
