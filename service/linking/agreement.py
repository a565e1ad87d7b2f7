"""Whether a passage states a claim's numbers, dates and list items: the same value, another, or none.

Pure functions over `service.identity` (one normalisation shared with claim signatures): '£9.1bn' and
'9.1 billion pounds' are one amount, 'eight per cent' is '8%', 'March 2023' is '2023-03'. A claim's
figure agrees with a passage's when they are equal to the claim's precision ('about 98%' and '98.3 per
cent'; '58,000' and '58 114'; '7.5 million' and '7.54 million'). What this cannot see: a passage that
contradicts the claim in words ('fell' for 'rose', 'not'), a figure about a different thing that happens
to be equal, and ranges or comparisons ('below 80%' is compared as 80%).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from service.identity.numbers import find_numbers
from service.identity.tokens import tokenize

_AMOUNT = re.compile(
    r"^(?P<prefix>[A-Z]{3} |x)?(?P<digits>\d[\d,]*(?:\.\d+)?)"
    r"(?: (?P<scale>thousand|million|billion|trillion))?(?P<suffix>%)?$"
)
_SCALES = {None: 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


class Agreement(StrEnum):
    same = "same"
    different = "different"
    absent = "absent"


class Hint(StrEnum):
    consistent = "consistent"
    conflicting = "conflicting"
    unclear = "unclear"


@dataclass(frozen=True)
class ValueAgreement:
    """One value of the claim, the passage's matching or contradicting value (None when absent), and which."""

    claim: str
    passage: str | None
    agreement: Agreement


@dataclass(frozen=True)
class TextFacts:
    """The normalised amounts, dates and entity ids a text states."""

    amounts: tuple[str, ...]
    dates: tuple[str, ...]
    entities: frozenset[str]
    folded: str

    @classmethod
    def of(cls, text: str) -> TextFacts:
        tokens = tokenize(text)
        found = find_numbers(tokens, None)
        return cls(
            amounts=tuple(dict.fromkeys(quantity.value for quantity in found.quantities)),
            dates=tuple(dict.fromkeys(found.dates)),
            entities=frozenset(span.entity for span in tokens.entities),
            folded=" " + " ".join(tokens.folded) + " ",
        )


@dataclass(frozen=True)
class PassageAgreement:
    numbers: tuple[ValueAgreement, ...]
    dates: tuple[ValueAgreement, ...]
    items: tuple[ValueAgreement, ...]

    @property
    def hint(self) -> Hint:
        """Conflicting when a number or date differs; consistent when something agrees and nothing differs."""
        values = (*self.numbers, *self.dates)
        if any(value.agreement is Agreement.different for value in values):
            return Hint.conflicting
        if any(value.agreement is Agreement.same for value in (*values, *self.items)):
            return Hint.consistent
        return Hint.unclear

    def share(self, kind: str, agreement: Agreement) -> float:
        """Share of the claim's values of this kind ('numbers', 'dates', 'items') with this agreement."""
        values: tuple[ValueAgreement, ...] = getattr(self, kind)
        if not values:
            return 0.0
        return sum(1 for value in values if value.agreement is agreement) / len(values)


def _parsed(value: str) -> tuple[str, float, int, float] | None:
    """'GBP 9.1 billion' -> (kind 'GBP |', amount 9.1e9, decimals 1, scale 1e9); None when not an amount."""
    match = _AMOUNT.match(value)
    if match is None:
        return None
    digits = match["digits"].replace(",", "")
    decimals = len(digits.partition(".")[2])
    scale = _SCALES[match["scale"]]
    kind = f"{match['prefix'] or ''}|{match['suffix'] or ''}"
    return kind, float(digits) * scale, decimals, scale


def _equal_to_precision(claim: tuple[str, float, int, float], passage: tuple[str, float, int, float]) -> bool:
    _kind, claim_value, decimals, scale = claim
    passage_value = passage[1]
    if decimals == 0 and claim_value >= 1000 and claim_value == round(claim_value, -2):
        # '58,000' is a round figure: it agrees with 58,114 at its own rounding (thousands, hundreds).
        digits = str(int(claim_value / scale)) if scale > 1 else str(int(claim_value))
        zeros = len(digits) - len(digits.rstrip("0"))
        unit = scale * 10**zeros
        return bool(round(passage_value / unit) == round(claim_value / unit))
    return round(passage_value / scale, decimals) == round(claim_value / scale, decimals)


def _number_agreement(claim_value: str, passage_values: Sequence[str]) -> ValueAgreement:
    claim = _parsed(claim_value)
    if claim is None:
        found = claim_value in passage_values
        return ValueAgreement(
            claim_value, claim_value if found else None, Agreement.same if found else Agreement.absent
        )
    same_kind = []
    for passage_value in passage_values:
        passage = _parsed(passage_value)
        if passage is None or passage[0] != claim[0]:
            continue
        if _equal_to_precision(claim, passage):
            return ValueAgreement(claim_value, passage_value, Agreement.same)
        same_kind.append(passage_value)
    # A bare count ('11') differs from another bare count only by chance; percentages and money do not.
    if same_kind and claim[0] != "|":
        return ValueAgreement(claim_value, same_kind[0], Agreement.different)
    return ValueAgreement(claim_value, None, Agreement.absent)


def _dates_compatible(claim: str, passage: str) -> bool:
    if claim.startswith("--") or passage.startswith("--"):
        # A month without a year ('--02'): compare the month only.
        return claim[-2:] == passage[-2:] if len(claim) >= 4 and len(passage) >= 4 else False
    return claim.startswith(passage) or passage.startswith(claim)


def _date_agreement(claim_date: str, passage_dates: Sequence[str]) -> ValueAgreement:
    for passage_date in passage_dates:
        if _dates_compatible(claim_date, passage_date):
            return ValueAgreement(claim_date, passage_date, Agreement.same)
    dated = [date for date in passage_dates if not date.startswith("--")]
    if dated and not claim_date.startswith("--"):
        return ValueAgreement(claim_date, dated[0], Agreement.different)
    return ValueAgreement(claim_date, None, Agreement.absent)


def _item_agreement(item: str, item_facts: TextFacts, passage: TextFacts) -> ValueAgreement:
    named = bool(item_facts.entities) and item_facts.entities <= passage.entities
    if named or (item_facts.folded.strip() and item_facts.folded in passage.folded):
        return ValueAgreement(item, item, Agreement.same)
    return ValueAgreement(item, None, Agreement.absent)


def compare(claim: TextFacts, items: Sequence[tuple[str, TextFacts]], passage: TextFacts) -> PassageAgreement:
    """How the passage's values bear on each of the claim's numbers, dates and list items."""
    return PassageAgreement(
        numbers=tuple(_number_agreement(value, passage.amounts) for value in claim.amounts),
        dates=tuple(_date_agreement(value, passage.dates) for value in claim.dates),
        items=tuple(_item_agreement(item, item_facts, passage) for item, item_facts in items),
    )
