"""English stop words: words of ordinary sentences too common to identify a claim, search for it or rank
it by. One list, `ENGLISH`; a use that needs a few more words adds a named set beside it.

    content_words("The rate rose to 5% in 2023".lower().split())  # -> ['rate', 'rose', '5%', '2023']
"""

from __future__ import annotations

from collections.abc import Iterable

# A common English list (close to NLTK's, without contraction fragments), plus 'also', 'said', 'says'.
_ENGLISH_LINES = (
    "a about above after again against all also am an and any are as at be because been before being",
    "below between both but by can could did do does doing down during each few for from further had",
    "has have having he her here hers herself him himself his how i if in into is it its itself just",
    "me more most my myself no nor not now of off on once only or other our ours ourselves out over",
    "own said same says she should so some such than that the their theirs them themselves then there",
    "these they this those through to too under until up very was we were what when where which while",
    "who whom why will with would you your yours yourself yourselves",
)
ENGLISH = frozenset(word for line in _ENGLISH_LINES for word in line.split())
# How figures are reported ('according to', '5 per cent', 'they say'): nothing of what the figure is.
REPORTING = frozenset({"according", "cent", "per", "percent", "say"})
# What social-media text leaves after normalisation: 'RT', '&amp;', 'via', and "don't" / "it's" split at
# the apostrophe.
SOCIAL = frozenset({"amp", "don", "rt", "s", "t", "via"})


def content_words(words: Iterable[str], stopwords: frozenset[str] = ENGLISH) -> list[str]:
    """The words that are neither stop words nor single letters (a single digit stays), in order of first
    appearance, each once."""
    found: dict[str, None] = {}
    for word in words:
        if word not in stopwords and (len(word) > 1 or word.isdigit()):
            found.setdefault(word, None)
    return list(found)
