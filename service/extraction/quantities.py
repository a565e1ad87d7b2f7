"""Numbers, money, percentages and dates in a claim, normalised; relative dates resolved against a date."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Literal

from spacy.tokens import Span

from service.extraction.result import Quantity

_QUANTITY_LABELS = frozenset({"MONEY", "PERCENT", "CARDINAL", "QUANTITY", "DATE"})
_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
}
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "dozen": 12,
    "half": 0.5,
    "third": 1 / 3,
    "thirds": 1 / 3,
    "quarter": 0.25,
    "quarters": 0.25,
}
_CURRENCIES = {"£": "GBP", "$": "USD", "€": "EUR", "¥": "JPY"}
_CURRENCY_WORDS = {"pounds": "GBP", "dollars": "USD", "euros": "EUR", "rubles": "RUB", "roubles": "RUB"}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[A-Za-z]+")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}


def parse_number(text: str) -> float | None:
    """'about £5.8 million' -> 5800000.0; 'two thirds' -> 0.666...; '18,000' -> 18000.0."""
    lowered = text.lower().replace("\u2009", "")
    match = _NUMBER.search(lowered)
    words = _WORD.findall(lowered)
    value: float | None = None
    if match:
        digits = match.group(0)
        # A comma followed by exactly three digits groups thousands; otherwise it is a decimal comma.
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", digits):
            digits = digits.replace(",", "")
        else:
            digits = digits.replace(",", ".")
            if digits.count(".") > 1:
                digits = digits.replace(".", "")
        try:
            value = float(digits)
        except ValueError:
            return None
    else:
        numbers = [_WORD_NUMBERS[w] for w in words if w in _WORD_NUMBERS]
        if not numbers:
            return None
        value = 1.0
        # "two thirds" multiplies; "twenty five" would add, but editorials rarely spell those out.
        for number in numbers:
            value *= number
    tail = lowered[match.end() :] if match else lowered
    for word in _WORD.findall(tail)[:2]:
        if word in _SCALES:
            value *= _SCALES[word]
            break
    return value


def _week_range(day: dt.date, weeks_back: int) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday()) - dt.timedelta(weeks=weeks_back)
    return monday, monday + dt.timedelta(days=6)


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _iso(first: dt.date, last: dt.date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"


def resolve_date(text: str, published_at: dt.date | None) -> str | None:
    """'last week' published 2022-01-17 -> '2022-01-10/2022-01-16'; 'in 2019' -> '2019'."""
    lowered = text.lower()
    words = _WORD.findall(lowered)
    year = _YEAR.search(lowered)
    month = next((_MONTHS[w] for w in words if w in _MONTHS), None)
    if year and month is None:
        return year.group(1)
    if published_at is None:
        if year and month is not None:
            return f"{year.group(1)}-{month:02d}"
        return None
    day = published_at
    if month is not None:
        # A bare month name is the most recent such month, the current one included.
        chosen = int(year.group(1)) if year else (day.year if month <= day.month else day.year - 1)
        if "next" in words:
            chosen = day.year if month > day.month else day.year + 1
        return _iso(*_month_range(chosen, month))
    weekday = next((_WEEKDAYS[w] for w in words if w in _WEEKDAYS), None)
    if weekday is not None:
        # AP style: the day named is this week's, the publication day included ("on Wednesday" in
        # Wednesday's paper is that day); "last Wednesday" then is the week before
        delta = (day.weekday() - weekday) % 7 or (7 if "last" in words else 0)
        if "next" in words:
            return (day + dt.timedelta(days=(weekday - day.weekday()) % 7 or 7)).isoformat()
        return (day - dt.timedelta(days=delta)).isoformat()
    if "today" in words or "tonight" in words:
        return day.isoformat()
    if "yesterday" in words:
        return (day - dt.timedelta(days=1)).isoformat()
    if "tomorrow" in words:
        return (day + dt.timedelta(days=1)).isoformat()
    offset = -1 if "last" in words or "previous" in words else 1 if "next" in words else 0
    if "this" not in words and offset == 0 and "weekend" not in words:
        return None
    if "week" in words or "weekend" in words:
        weeks_back = -offset
        if "weekend" in words and "this" not in words and offset == 0 and day.weekday() < 5:
            weeks_back = 1  # a bare "weekend" in a weekday's paper is the one just gone
        first, last = _week_range(day, weeks_back)
        if "weekend" in words:
            first = last - dt.timedelta(days=1)
        elif "end" in words:
            first = last - dt.timedelta(days=3)
        return _iso(first, last)
    if "month" in words:
        month_index = day.year * 12 + day.month - 1 + offset
        return _iso(*_month_range(month_index // 12, month_index % 12 + 1))
    if "year" in words:
        return str(day.year + offset)
    if "decade" in words and offset == 0:
        start = day.year - day.year % 10
        return f"{start}/{start + 9}"
    return None


def _unit(text: str, kind: str) -> str | None:
    if kind == "percent":
        return "%"
    for symbol, code in _CURRENCIES.items():
        if symbol in text:
            return code
    lowered = text.lower()
    return next((code for word, code in _CURRENCY_WORDS.items() if word in lowered), None)


def find_quantities(span: Span, offset: int, published_at: dt.date | None) -> list[Quantity]:
    """The normalised quantities among `span`'s entities; offsets into the body (doc offset `offset`)."""
    found: list[Quantity] = []
    for ent in span.ents:
        if ent.label_ not in _QUANTITY_LABELS:
            continue
        start, end = offset + ent.start_char, offset + ent.end_char
        if ent.label_ == "DATE":
            value = resolve_date(ent.text, published_at)
            if value is not None:
                found.append(Quantity(ent.text, "date", value, start, end))
                continue
            number = parse_number(ent.text)
            if number is not None:
                unit = next((w for w in _WORD.findall(ent.text.lower()) if w.rstrip("s") in _DURATIONS), None)
                found.append(Quantity(ent.text, "number", number, start, end, unit))
            continue
        number = parse_number(ent.text)
        if number is None:
            continue
        kind = "percent" if ent.label_ == "PERCENT" or "%" in ent.text else "number"
        if ent.label_ == "MONEY" or any(symbol in ent.text for symbol in _CURRENCIES):
            kind = "money"
        quantity_kind: Literal["percent", "money", "number"] = (
            "percent" if kind == "percent" else "money" if kind == "money" else "number"
        )
        found.append(Quantity(ent.text, quantity_kind, number, start, end, _unit(ent.text, quantity_kind)))
    return found


_DURATIONS = frozenset({"year", "month", "week", "day", "hour", "decade"})
