"""Aliases for search: a claim's entities under their display names, or every name they go by."""

from __future__ import annotations

from service.identity.entities import alias_tokens, entity_aliases, entity_name
from service.identity.tokens import tokenize


def find_entities(text: str) -> list[tuple[str, int, int]]:
    """(entity id, first token, end token) of every alias in the text, left to right, longest first."""
    return [(span.entity, span.start, span.end) for span in tokenize(text).entities]


def normalise_alias(text: str) -> str:
    """Folded text with every alias replaced by its entity's display name, for search:
    'UK inflation' -> 'united kingdom inflation'; 'Czechia' -> 'czechia' (its pycountry name)."""
    words = tokenize(text)
    out: list[str] = []
    index = 0
    spans = {span.start: span for span in words.entities}
    while index < len(words.folded):
        span = spans.get(index)
        if span is not None:
            out.extend(alias_tokens(entity_name(span.entity)))
            index = span.end
        else:
            out.append(words.folded[index])
            index += 1
    return " ".join(out)


def expand_aliases(text: str) -> list[str]:
    """The other names of the entities the text mentions, for a search that should find any of them:
    'UK wages' -> ['britain', 'great britain', 'u k', 'united kingdom', ...]."""
    found: dict[str, None] = {}
    for span in tokenize(text).entities:
        for alias in entity_aliases(span.entity):
            found.setdefault(alias, None)
    return list(found)
