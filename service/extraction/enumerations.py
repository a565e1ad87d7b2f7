"""Coordinated noun phrases as lists of members, each member a verbatim span of the body."""

from __future__ import annotations

from collections.abc import Collection

from spacy.tokens import Token

_ITEM_DEPS_DROPPED = frozenset({"conj", "cc", "punct", "appos", "relcl", "acl", "prep", "preconj"})
_LEADING_DROPPED = frozenset({"the", "a", "an", "both", "either", "neither"})


def member_span(token: Token) -> tuple[int, int]:
    """Character span (in the doc) of one member: its modifiers, without the rest of the list.

    "the United States" -> "United States" (the leading article is not part of the name).
    """
    kept = [token]
    for child in token.children:
        if child.dep_ not in _ITEM_DEPS_DROPPED:
            kept.extend(child.subtree)
    first = min(kept, key=lambda t: t.i).i
    last = max(kept, key=lambda t: t.i).i
    doc = token.doc
    while first < token.i and (doc[first].lower_ in _LEADING_DROPPED or doc[first].is_punct):
        first += 1
    # Members must not run into each other, so stop at the first coordinator or comma.
    for index in range(first, last + 1):
        if index != token.i and doc[index].dep_ in ("cc",) and index > token.i:
            last = index - 1
            break
    return doc[first].idx, doc[last].idx + len(doc[last].text)


def _members(head: Token) -> list[Token]:
    members = [head]
    for child in head.children:
        if child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN"):
            members.extend(_members(child))
        elif child.dep_ in ("nummod", "compound") and child.i > head.i:
            # "East Anglia Two and Sofia": the parser hangs the next member on the trailing numeral
            members.extend(
                m for c in child.children if c.dep_ == "conj" and c.pos_ == "PROPN" for m in _members(c)
            )
    return members


def split_enumeration(head: Token) -> list[tuple[int, int]]:
    """'Romania and Bulgaria, Estonia, Latvia, Lithuania and Poland' -> six spans, in order.

    Two members side by side with nothing between them are one ("fishing and marine engineering":
    the parser makes 'marine' a member of its own)."""
    spans: list[tuple[int, int]] = []
    previous: Token | None = None
    for token in sorted(_members(head), key=lambda t: t.i):
        span = member_span(token)
        if previous is not None and spans and token.i == previous.i + 1 and previous.whitespace_ != "":
            spans[-1] = (spans[-1][0], span[1])
        else:
            spans.append(span)
        previous = token
    return spans


def find_enumeration(tokens: Collection[Token]) -> list[tuple[int, int]]:
    """The longest list among `tokens`: three or more nouns, or two or more proper names."""
    best: list[tuple[int, int]] = []
    inside = {t.i for t in tokens}
    for token in tokens:
        if token.pos_ not in ("NOUN", "PROPN") or token.dep_ == "conj":
            continue
        members = _members(token)
        if len(members) < 2 or any(m.i not in inside for m in members):
            continue
        proper = all(m.pos_ == "PROPN" or m.ent_type_ for m in members)
        if (len(members) >= 3 or proper) and len(members) > len(best):
            best = split_enumeration(token)
    return best
