"""Quantities and dates of a claim, normalised so that the same amount written differently is equal:
'40,000' = '40 000' = 'forty thousand'; '£9.1bn' = '9.1 billion pounds'; '5%' = '5 per cent';
'half' = '50%'; 'doubled' = 'x2'; 'March 2023' = '2023-03'; 'last year' resolved against a date.

A number that does not parse ('1.2.3') is kept as its text, never an error. One module on purpose:
dates are found first and mark the words they use, so the amount pass that follows (same tokens, same
number words) never reads the '2023' of 'March 2023' as a count; split, that hand-over would cross modules.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from service.identity.tokens import SENTENCE_BREAKS, STOPWORDS, Tokens

SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "bln": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
# Scale letters count only written against the number ('5m', '20k'): '5 m' may be metres.
_SCALE_SUFFIXES = {"k": 1e3, "m": 1e6, "b": 1e9}
_UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_FRACTIONS = {
    "half": 0.5, "halves": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25, "quarters": 0.25,
    "fifth": 0.2, "fifths": 0.2, "tenth": 0.1, "tenths": 0.1,
}  # fmt: skip
MULTIPLIERS = {
    "doubled": 2, "double": 2, "doubling": 2, "doubles": 2, "twice": 2, "tripled": 3, "triple": 3,
    "trebled": 3, "triples": 3, "tripling": 3, "quadrupled": 4, "quadruple": 4, "halved": 0.5,
    "halving": 0.5, "halves": 0.5,
}  # fmt: skip
_CURRENCY_SYMBOLS = {"£": "GBP", "$": "USD", "€": "EUR", "¥": "JPY"}
_CURRENCY_WORDS = {
    "pounds": "GBP", "pound": "GBP", "sterling": "GBP", "gbp": "GBP", "dollars": "USD", "dollar": "USD",
    "usd": "USD", "euros": "EUR", "euro": "EUR", "eur": "EUR", "yen": "JPY", "jpy": "JPY",
    "yuan": "CNY", "renminbi": "CNY", "cny": "CNY", "rupees": "INR", "inr": "INR", "roubles": "RUB",
    "rubles": "RUB", "rub": "RUB", "francs": "CHF", "chf": "CHF",
}  # fmt: skip
_CURRENCY_PREFIXES = {"gbp": "GBP", "usd": "USD", "eur": "EUR", "us": "USD", "a": "AUD", "c": "CAD"}
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
# Words before a month name that make it a date ('in May'), not a name ('Theresa May') or a verb.
_DATE_LEAD_INS = frozenset(
    [
        "in",
        "since",
        "by",
        "until",
        "till",
        "from",
        "of",
        "last",
        "next",
        "this",
        "early",
        "late",
        "mid",
        "between",
        "and",
        "to",
        "during",
        "before",
        "after",
        "end",
        "start",
        "beginning",
    ]
)
_RELATIVE_UNITS = frozenset({"year", "month", "week"})
_RELATIVE_OFFSETS = {"last": -1, "this": 0, "next": 1, "previous": -1, "past": -1}
_DAY_WORDS = {"yesterday": -1, "today": 0, "tomorrow": 1}
NUMBER_WORDS = frozenset(
    {*_UNITS_WORDS, *_FRACTIONS, *SCALES, "hundred", "dozen", "percent", "cent", "per", "points", "pp"}
)
_DATE_STARTS = frozenset({*MONTHS, "q", *_ORDINAL_WORDS, *_RELATIVE_OFFSETS, *_DAY_WORDS})
_AMOUNT_STARTS = frozenset({*MULTIPLIERS, *_UNITS_WORDS, *_FRACTIONS, "a", "an", "hundred", "dozen", *SCALES})
_THOUSANDS = re.compile(r"\d{1,3}(?:[,\u00a0\u2009\u202f ]\d{3})+(?:\.\d+)?")


class Quantity(NamedTuple):
    """A normalised amount ('5.1%', '40,000', 'GBP 9.1 billion', 'x2'), its words in the claim and, for
    a bare number, the word it counts or labels ('region' of 'Region 5')."""

    value: str
    surface: str
    anchor: str = ""


@dataclass
class Found:
    quantities: list[Quantity] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)


def format_amount(value: float) -> str:
    """40000.0 -> '40,000'; 4200000.0 -> '4.2 million'; 5.1 -> '5.1'."""
    magnitude = abs(value)
    for name, scale in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
        if magnitude >= scale:
            return f"{value / scale:.6g} {name}"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:.6g}"


def parse_digits(raw: str) -> float | None:
    """'40,000' / '40 000' -> 40000.0; '5.1' -> 5.1; '5,5' -> 5.5; '1.2.3' -> None."""
    if _THOUSANDS.fullmatch(raw):
        return float(re.sub(r"[,\u00a0\u2009\u202f ]", "", raw))
    if raw.count(",") + raw.count(".") > 1:
        return None
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return None


def find_numbers(tokens: Tokens, reference_date: dt.date | None) -> Found:
    """Dates first (their numbers are not amounts), then amounts, left to right."""
    found = Found()
    _find_dates(tokens, reference_date, found)
    index, count = 0, len(tokens.kinds)
    kinds, folded, consumed = tokens.kinds, tokens.folded, found.consumed
    while index < count:
        if index in consumed or (kinds[index] != "num" and folded[index] not in _AMOUNT_STARTS):
            index += 1
            continue
        index = _amount_at(tokens, index, found)
    return found


def _find_dates(tokens: Tokens, reference: dt.date | None, found: Found) -> None:
    folded, kinds, count = tokens.folded, tokens.kinds, len(tokens.kinds)

    def number(at: int) -> int | None:
        if 0 <= at < count and kinds[at] == "num" and at not in found.consumed and folded[at].isdigit():
            return int(folded[at])
        return None

    def year_after(at: int) -> tuple[int | None, int]:
        skip = at + 1 if at < count and folded[at] == "," else at
        if skip < count and folded[skip] == "of":
            skip += 1
        year = number(skip)
        if year is not None and 1000 <= year <= 2200 and len(folded[skip]) == 4:
            return year, skip
        return None, at - 1

    for index in range(count):
        word = folded[index]
        if word not in _DATE_STARTS or kinds[index] != "word" or index in found.consumed:
            continue
        if word in MONTHS:
            day_before = number(index - 1)
            if day_before is None and index >= 2 and folded[index - 1] == "of":
                day_before = number(index - 2)
            day_after = number(index + 1)
            previous = folded[index - 1] if index else ""
            is_date = (
                day_before is not None
                or day_after is not None
                or previous in _DATE_LEAD_INS
                or (len(word) > 3 and word not in ("may", "march") and tokens.raw[index][:1].isupper())
            )
            if not is_date:
                continue
            month = MONTHS[word]
            used = {index}
            day = None
            if day_before is not None and 1 <= day_before <= 31:
                day = day_before
                used.update({index - 1} if folded[index - 1] != "of" else {index - 1, index - 2})
            after = index + 1
            if day is None and day_after is not None and 1 <= day_after <= 31 and len(folded[after]) <= 2:
                day, after = day_after, after + 1
                used.add(index + 1)
                if after < count and folded[after] in _ORDINAL_SUFFIXES:
                    used.add(after)
                    after += 1
            year, last = year_after(after)
            if year is not None:
                used.update(range(after, last + 1))
            elif previous in _RELATIVE_OFFSETS and reference is not None:
                year = reference.year + (
                    -1 if previous in ("last", "previous") and month >= reference.month else 0
                )
            stem = f"{year:04d}" if year is not None else "-"
            found.dates.append(f"{stem}-{month:02d}" + (f"-{day:02d}" if day else ""))
            found.consumed.update(used)
        elif (word == "q" and number(index + 1) in (1, 2, 3, 4) and tokens.adjacent(index, index + 1)) or (
            word in _ORDINAL_WORDS and index + 1 < count and folded[index + 1] == "quarter"
        ):
            quarter = number(index + 1) if word == "q" else _ORDINAL_WORDS[word]
            year, last = year_after(index + 2)
            found.dates.append(f"{year:04d}-Q{quarter}" if year is not None else f"Q{quarter}")
            found.consumed.update(range(index, (last if year is not None else index + 1) + 1))
        elif word in _RELATIVE_OFFSETS and index + 1 < count and folded[index + 1] in _RELATIVE_UNITS:
            unit = folded[index + 1]
            found.dates.append(_relative(unit, _RELATIVE_OFFSETS[word], reference))
            found.consumed.update({index, index + 1})
        elif word in _DAY_WORDS:
            offset = _DAY_WORDS[word]
            found.dates.append(
                (reference + dt.timedelta(days=offset)).isoformat() if reference else f"day{offset:+d}"
            )
            found.consumed.add(index)


def _relative(unit: str, offset: int, reference: dt.date | None) -> str:
    """'last year' against 2024-03-01 -> '2023'; without a date, 'year-1' (equal to itself only)."""
    if reference is None:
        return f"{unit}{offset:+d}"
    if unit == "year":
        return f"{reference.year + offset:04d}"
    if unit == "month":
        months = reference.year * 12 + reference.month - 1 + offset
        return f"{months // 12:04d}-{months % 12 + 1:02d}"
    iso = (reference + dt.timedelta(weeks=offset)).isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"


def _word_number(tokens: Tokens, index: int) -> tuple[float, int] | None:
    """'forty thousand' -> (40000.0, end); 'a million' -> (1e6, end); None if no number word here."""
    folded, count = tokens.folded, len(tokens.folded)
    total = current = 0.0
    seen = False
    position = index
    while position < count and tokens.kinds[position] == "word":
        word = folded[position]
        if word in _UNITS_WORDS:
            current += _UNITS_WORDS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "dozen":
            current = (current or 1) * 12
        elif word in SCALES and word not in ("mn", "mln", "bn", "bln", "tn"):
            total += (current or 1) * SCALES[word]
            current = 0.0
        elif (
            word in ("a", "an")
            and not seen
            and position + 1 < count
            and folded[position + 1] in ("hundred", "thousand", "million", "billion", "trillion", "dozen")
        ):
            current = 1
        elif word == "and" and seen and position + 1 < count and folded[position + 1] in _UNITS_WORDS:
            pass
        else:
            break
        seen = seen or word not in ("a", "an", "and")
        position += 1
    if not seen:
        return None
    return total + current, position


def _amount_at(tokens: Tokens, index: int, found: Found) -> int:
    """Read the amount starting at `index`, if any; the index to continue from."""
    folded, kinds, count = tokens.folded, tokens.kinds, len(tokens.kinds)
    word = folded[index]
    if kinds[index] == "word":
        if word not in _AMOUNT_STARTS:
            return index + 1
        if word in MULTIPLIERS:
            found.quantities.append(Quantity(f"x{MULTIPLIERS[word]:g}", tokens.raw[index]))
            return index + 1
        fraction = _fraction_at(tokens, index)
        if fraction is not None:
            value, end = fraction
            found.quantities.append(Quantity(f"{value * 100:.3g}%", _surface(tokens, index, end)))
            return end
        spelled = _word_number(tokens, index)
        if spelled is None:
            return index + 1
        value, end = spelled
        return _finish_amount(tokens, index, end, value, found)
    if kinds[index] != "num":
        return index + 1
    parsed = parse_digits(tokens.raw[index])
    if parsed is None:
        found.quantities.append(Quantity(tokens.raw[index], tokens.raw[index]))
        return index + 1
    value, end = parsed, index + 1
    if end < count and tokens.adjacent(index, end):
        suffix = folded[end]
        if suffix in _ORDINAL_SUFFIXES:
            found.quantities.append(Quantity(f"{value:g}th", _surface(tokens, index, end + 1)))
            return end + 1
        if suffix == "s" and value == int(value) and int(value) % 10 == 0 and 1000 <= value <= 2200:
            found.dates.append(f"{int(value)}s")
            return end + 1
        if suffix in _SCALE_SUFFIXES:
            value *= _SCALE_SUFFIXES[suffix]
            end += 1
    return _finish_amount(tokens, index, end, value, found)


def _fraction_at(tokens: Tokens, index: int) -> tuple[float, int] | None:
    """'half' / 'a third' / 'two thirds' / 'three quarters' as a share; None otherwise."""
    folded, count = tokens.folded, len(tokens.folded)
    if folded[index] == "half" and not (
        index + 2 < count and folded[index + 1] == "a" and folded[index + 2] in SCALES
    ):
        return 0.5, index + 1
    if index + 1 >= count or folded[index + 1] not in _FRACTIONS:
        return None
    count_word = folded[index]
    share = {"a": 1, "an": 1, "one": 1}.get(count_word, _UNITS_WORDS.get(count_word))
    if (
        share is None
        or share == 0
        or (folded[index + 1] == "quarter" and count_word == "a" and _is_date_quarter(tokens, index + 2))
    ):
        return None
    return share * _FRACTIONS[folded[index + 1]], index + 2


def _is_date_quarter(tokens: Tokens, after: int) -> bool:
    return after < len(tokens.folded) and tokens.folded[after] in ("of", "century")


def _finish_amount(tokens: Tokens, start: int, end: int, value: float, found: Found) -> int:
    """Scale words, units and currency around the number that ends at `end`."""
    folded, count = tokens.folded, len(tokens.folded)
    if end < count and folded[end] in SCALES:
        value *= SCALES[folded[end]]
        end += 1
    unit = ""
    currency = _currency_before(tokens, start)
    if currency:
        unit = currency
    elif end < count and (folded[end] == "%" or folded[end] == "percent" or folded[end] == "pc"):
        unit, end = "%", end + 1
    elif end + 1 < count and folded[end] == "per" and folded[end + 1] == "cent":
        unit, end = "%", end + 2
    elif end + 1 < count and folded[end] == "percentage" and folded[end + 1] in ("point", "points"):
        unit, end = "pp", end + 2
    elif end < count and folded[end] == "pp":
        unit, end = "pp", end + 1
    elif end < count and folded[end] in _CURRENCY_WORDS:
        unit, end = _CURRENCY_WORDS[folded[end]], end + 1
    if end < count and folded[end] == "times" and not unit:
        found.quantities.append(Quantity(f"x{value:g}", _surface(tokens, start, end + 1)))
        return end + 1
    surface = _surface(tokens, start, end)
    raw = tokens.raw[start]
    if not unit and raw.isdigit() and len(raw) == 4 and 1000 <= value <= 2200:
        found.dates.append(raw)
        found.consumed.add(start)
        return end
    if unit == "%":
        found.quantities.append(Quantity(f"{value:.6g}%", surface))
    elif unit == "pp":
        found.quantities.append(Quantity(f"{value:.6g} pp", surface))
    elif unit:
        found.quantities.append(Quantity(f"{unit} {format_amount(value)}", surface))
    else:
        found.quantities.append(Quantity(format_amount(value), surface, _anchor(tokens, start, end)))
    return end


def _currency_before(tokens: Tokens, start: int) -> str:
    folded = tokens.folded
    before = start - 1
    if before >= 0 and folded[before] in _CURRENCY_SYMBOLS:
        # 'US$5', 'A$5': a prefix written against the symbol names the dollar.
        prefix = before - 1
        if prefix >= 0 and tokens.adjacent(prefix, before) and folded[prefix] in _CURRENCY_PREFIXES:
            return _CURRENCY_PREFIXES[folded[prefix]]
        return _CURRENCY_SYMBOLS[folded[before]]
    if before >= 0 and folded[before] in ("gbp", "usd", "eur", "jpy", "cny", "inr", "chf"):
        return folded[before].upper()
    return ""


def _surface(tokens: Tokens, start: int, end: int) -> str:
    if start >= 1 and tokens.folded[start - 1] in _CURRENCY_SYMBOLS:
        start -= 1
    return tokens.surface(start, end)


def _anchor(tokens: Tokens, start: int, end: int) -> str:
    """The word a bare number labels ('Region 5' -> 'region') or counts ('5 cars' -> 'cars')."""
    before = start - 1
    if before >= 0 and tokens.kinds[before] == "word" and _content(tokens.folded[before]):
        return tokens.folded[before]
    if end < len(tokens.kinds) and tokens.kinds[end] == "word" and _content(tokens.folded[end]):
        return tokens.folded[end]
    return ""


def _content(word: str) -> bool:
    return word not in STOPWORDS and word not in NUMBER_WORDS and word not in SENTENCE_BREAKS
