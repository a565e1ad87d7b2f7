"""What differs between two claims' signatures, named for the desk: 'checked: 5.1%, this claim: 25.1%'."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from service.identity.entities import entity_name
from service.identity.signature import ClaimSignature


class DifferenceKind(StrEnum):
    NUMBER = "number"
    DATE = "date"
    ENTITY = "entity"
    POLARITY = "polarity"
    DIRECTION = "direction"
    ORDER = "order"


@dataclass(frozen=True)
class Difference:
    """One way two claims differ; `this` and `other` as the claims say it ('5.1%' / '25.1%')."""

    kind: DifferenceKind
    this: str
    other: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": str(self.kind), "this": self.this, "other": self.other}


def _only(mine: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Multiset differences, each side's extra items in order."""
    left, right = Counter(mine), Counter(theirs)
    return sorted((left - right).elements()), sorted((right - left).elements())


def _shown(values: list[str], signature: ClaimSignature | None = None) -> str:
    if not values:
        return "—"
    return ", ".join(signature.surface(value) if signature else value for value in values)


def compare(a: ClaimSignature, b: ClaimSignature) -> list[Difference]:
    """The differences between claim `a` and claim `b`; empty when they are the same claim."""
    found: list[Difference] = []
    mine, theirs = _only(a.quantities, b.quantities)
    if mine or theirs:
        found.append(Difference(DifferenceKind.NUMBER, _shown(mine, a), _shown(theirs, b)))
    else:
        conflict = _anchor_conflict(a.anchors, b.anchors)
        if conflict is not None:
            found.append(Difference(DifferenceKind.NUMBER, *conflict))
    mine, theirs = _only(a.dates, b.dates)
    if mine or theirs:
        found.append(Difference(DifferenceKind.DATE, _shown(mine), _shown(theirs)))
    entity = _entity_difference(a, b)
    if entity is not None:
        found.append(entity)
    if a.negated != b.negated:
        found.append(
            Difference(
                DifferenceKind.POLARITY,
                "negated" if a.negated else "affirmed",
                "negated" if b.negated else "affirmed",
            )
        )
    if a.directions != b.directions:
        mine, theirs = _only(a.directions, b.directions)
        found.append(Difference(DifferenceKind.DIRECTION, _shown(mine), _shown(theirs)))
    if _reversed(a.order, b.order):
        assert a.order is not None and b.order is not None
        found.append(
            Difference(
                DifferenceKind.ORDER,
                f"{_side(a.order[0])} > {_side(a.order[1])}",
                f"{_side(b.order[0])} > {_side(b.order[1])}",
            )
        )
    return found


def same_claim(a: ClaimSignature, b: ClaimSignature) -> bool:
    """Whether nothing that matters differs (`compare` is empty), without naming the differences."""
    if a.quantities != b.quantities or a.dates != b.dates or a.negated != b.negated:
        return False
    if a.directions != b.directions or a.entities != b.entities:
        return False
    return not compare(a, b)


def _anchor_conflict(mine: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[str, str] | None:
    """The same word labelling different numbers ('region=3' against 'region=7'): the values agree as a
    set, but they were given to different things."""
    if mine == theirs:
        return None
    left: dict[str, set[str]] = {}
    right: dict[str, set[str]] = {}
    for pair in mine:
        anchor, _, value = pair.partition("=")
        left.setdefault(anchor, set()).add(value)
    for pair in theirs:
        anchor, _, value = pair.partition("=")
        right.setdefault(anchor, set()).add(value)
    for anchor in sorted(left.keys() & right.keys()):
        if left[anchor] != right[anchor]:
            return (
                f"{anchor} {', '.join(sorted(left[anchor]))}",
                f"{anchor} {', '.join(sorted(right[anchor]))}",
            )
    return None


def _entity_difference(a: ClaimSignature, b: ClaimSignature) -> Difference | None:
    mine, theirs = _only(a.entities, b.entities)
    if mine or theirs:
        return Difference(
            DifferenceKind.ENTITY,
            _shown([entity_name(entity) for entity in mine]),
            _shown([entity_name(entity) for entity in theirs]),
        )
    # Other capitalised words count only when both claims have some and each has one the other lacks
    # ('Acme' against 'Zenith'); one claim naming more, or a name that opens the other claim (where its
    # capital says nothing), is no difference.
    if not a.names or not b.names:
        return None
    left = set(a.names) - set(b.names) - {b.lead}
    right = set(b.names) - set(a.names) - {a.lead}
    if left and right:
        return Difference(DifferenceKind.ENTITY, ", ".join(sorted(left)), ", ".join(sorted(right)))
    return None


def _side(words: tuple[str, ...]) -> str:
    return " ".join(entity_name(word) if ":" in word else word for word in words)


def _reversed(
    mine: tuple[tuple[str, ...], tuple[str, ...]] | None,
    theirs: tuple[tuple[str, ...], tuple[str, ...]] | None,
) -> bool:
    """'A is higher than B' against 'B is higher than A': each claim's left side shares a word with the
    other's right side (and the words both sides share, like 'fares', do not count)."""
    if mine is None or theirs is None:
        return False
    my_left, my_right = set(mine[0]) - set(mine[1]), set(mine[1]) - set(mine[0])
    their_left, their_right = set(theirs[0]) - set(theirs[1]), set(theirs[1]) - set(theirs[0])
    return bool(my_left & their_right) and bool(my_right & their_left)
