"""Words addressed to someone ("Madam Speaker, ...", "..., my friends."): no part of the claim.

A vocative is a phrase fenced by a comma at the start or end of a sentence (or by two commas inside
it) made only of forms of address ("Madam Deputy Speaker", "ladies and gentlemen", "my fellow
Americans"), or a name after a title of address ("Senator Whitby"). The clause around it keeps its
fact: "Madam Speaker, we cut waiting lists by half" -> "We cut waiting lists by half". Someone who
addresses a chamber or an audience is speaking, so first person there is a speaker's, not a paper's.
"""

from __future__ import annotations

from itertools import pairwise

from spacy.tokens import Span, Token

# Forms of address, lower-cased; a phrase made only of these (and names after a title) is a vocative.
_ADDRESS = frozenset(
    {
        "madam",
        "madame",
        "mister",
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "sir",
        "speaker",
        "deputy",
        "president",
        "chairman",
        "chairwoman",
        "chair",
        "ladies",
        "gentlemen",
        "friends",
        "fellow",
        "americans",
        "citizens",
        "colleagues",
        "members",
        "honourable",
        "honorable",
        "folks",
        "everyone",
        "everybody",
        "senator",
        "governor",
        "congressman",
        "congresswoman",
        "mayor",
        "minister",
        "lords",
        "my",
        "dear",
        "and",
        "vice",
        "moderator",
    }
)
# Words that make a phrase a form of address on their own ("my friends" yes, "my" or "and" no).
_HEADS = _ADDRESS - {"my", "dear", "and", "fellow", "deputy", "vice", "honourable", "honorable"}
# A name may follow these: "Senator Whitby", "Mr Speaker" is already all address words.
_TITLES = frozenset(
    {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "senator", "governor", "congressman", "congresswoman", "mayor"}
)
_MAX_WORDS = 5
_ADDRESSEE_PRONOUNS = frozenset({"we", "i", "you", "let", "our", "my", "your"})


def _is_address(tokens: list[Token], *, names: bool) -> bool:
    """Only forms of address; with `names`, a name may follow a title ("Senator Whitby")."""
    words = [t for t in tokens if not t.is_punct]
    if not words or len(words) > _MAX_WORDS:
        return False
    after_title = False
    for token in words:
        lower = token.lower_
        if lower in _ADDRESS:
            after_title = lower in _TITLES
            continue
        if names and after_title and token.pos_ == "PROPN":
            continue
        return False
    return any(t.lower_ in _HEADS for t in words)


def vocative_tokens(sent: Span) -> set[int]:
    """Token indexes of the vocatives of `sent` and the commas that fence them."""
    tokens = list(sent)
    commas = [i for i, t in enumerate(tokens) if t.text == ","]
    if not commas:
        return set()
    found: set[int] = set()
    # "Madam Speaker, we ..." and "..., my friends." / "..., Mr Speaker?"
    first, last = commas[0], commas[-1]
    end = len(tokens)
    while end > 0 and tokens[end - 1].is_punct and tokens[end - 1].text != ",":
        end -= 1
    # A name after a title is an address only before a speaker's pronoun ("Senator Whitby, you voted
    # ..."); elsewhere "the governor, Senator Whitby," is an appositive.
    addressed = first + 1 < len(tokens) and tokens[first + 1].lower_ in _ADDRESSEE_PRONOUNS
    spans = [(0, first, first, addressed)]
    if last + 1 < end:
        spans.append((last + 1, end, last, False))
    # ", Mr Speaker, " inside the sentence
    spans.extend((a + 1, b, a, False) for a, b in pairwise(commas) if b - a <= _MAX_WORDS + 1)
    for start, stop, comma, names in spans:
        phrase = tokens[start:stop]
        if phrase and _is_address(phrase, names=names):
            found.update(t.i for t in phrase)
            found.add(tokens[comma].i)
            if start > 0 and stop < len(tokens) and tokens[stop].text == ",":
                found.add(tokens[stop].i)  # the inner vocative's second comma
    # The rest must still be a sentence: never take the whole of it as address.
    if len(found) >= sum(1 for t in tokens if not t.is_punct):
        return set()
    return found
