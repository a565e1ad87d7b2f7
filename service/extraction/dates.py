"""Relative dates written out for a standalone claim: "last year" in a 2025 paper -> "in 2024".

The claim must carry its time: "We fixed 14,000 potholes last year" checked a year later is about
the wrong year. Only phrases whose meaning the publication date fixes are rewritten (last/this/next
year, month or week, yesterday, a weekday of a past-tense clause); bare month names and 'today'
are left alone (a future "from June" or a generic "today's teenagers" would be written out wrongly).
"""

from __future__ import annotations

import calendar
import datetime as dt

from spacy.tokens import Span, Token

from service.extraction.quantities import resolve_date

_RELATIVE = frozenset({"last", "this", "next", "previous", "yesterday", "tomorrow"})
_UNITS = frozenset({"year", "month", "week"})
_WEEKDAYS = frozenset(name.lower() for name in calendar.day_name)
_MONTHS = frozenset(name.lower() for name in calendar.month_name if name)
_NOMINAL_DEPS = frozenset({"nsubj", "nsubjpass", "attr", "dobj", "pobj", "poss", "appos", "conj"})


def _day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def _written(words: list[str], resolved: str) -> str | None:
    """The resolved date as words: '2024', 'February 2025', 'the week of 3 March 2025', '12 March 2025'."""
    if "/" in resolved:
        first = resolved.split("/")[0]
        if "month" in words:
            start = dt.date.fromisoformat(first)
            return f"{calendar.month_name[start.month]} {start.year}"
        if "week" in words:
            return f"the week of {_day(first)}"
        return None
    if len(resolved) == 4:
        return resolved
    if len(resolved) == 10:
        return _day(resolved)
    return None


def _is_relative(tokens: list[Token]) -> bool:
    words = {t.lower_ for t in tokens}
    if words & {"yesterday", "tomorrow"}:
        return True
    if words & _WEEKDAYS and not any(t.like_num for t in tokens):
        # "on Wednesday" is the last Wednesday only when the clause tells of the past
        return any(t.tag_ == "VBD" for t in (tokens[0].head, *tokens[0].head.ancestors)[:3])
    return bool(words & _RELATIVE and words & _UNITS)


_SEASONS = {"spring": 5, "summer": 8, "autumn": 11, "fall": 11}  # the season's last month
_NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve"
_COUNTS = {word: number for number, word in enumerate(_NUMBER_WORDS.split(" "))}
_YEAR_BEFORE = (
    ("the", "year", "before"),
    ("the", "previous", "year"),
    ("a", "year", "earlier"),
    ("the", "year", "earlier"),
    ("a", "year", "before"),
)


def _phrase_dates(
    sent: Span, published_at: dt.date, reference: tuple[int, int | None] | None
) -> list[tuple[list[Token], str]]:
    """Relative dates the entity pass does not write out: "last autumn" -> "autumn 2025", "last
    August" -> "August 2025", "three years ago" -> "2023", and "the year before" / "a year earlier"
    after a year the sentence names ("41,300 in 2025, up from 27,000 the year before" -> "2024").

    `reference` is the month (and year) the article reports on (a headline's "August 2026"), which
    "last August" is counted back from; else the publication date."""
    found: list[tuple[list[Token], str]] = []
    tokens = list(sent)
    ref_month = reference[0] if reference else published_at.month
    ref_year = reference[1] if reference and reference[1] else published_at.year
    for i, token in enumerate(tokens[:-1]):
        nxt = tokens[i + 1]
        if token.lower_ == "last" and nxt.lower_ in _SEASONS:
            end = _SEASONS[nxt.lower_]
            year = published_at.year if published_at.month > end else published_at.year - 1
            found.append(([token, nxt], f"{nxt.lower_} {year}"))
        elif token.lower_ == "last" and nxt.lower_ in _MONTHS and nxt.text[:1].isupper():
            month = list(calendar.month_name).index(nxt.text.capitalize())
            year = ref_year - 1 if month >= ref_month else ref_year
            found.append(([token, nxt], f"{nxt.text} {year}"))
        elif (
            nxt.lower_ in ("years", "year")
            and i + 2 < len(tokens)
            and tokens[i + 2].lower_ == "ago"
            and (token.lower_ in _COUNTS or token.text.isdigit())
        ):
            count = _COUNTS.get(token.lower_) or int(token.text)
            found.append(([token, nxt, tokens[i + 2]], str(published_at.year - count)))
    years = [t for t in tokens if t.like_num and len(t.text) == 4 and t.text[:2] in ("19", "20")]
    for i in range(len(tokens) - 2):
        words = tuple(t.lower_ for t in tokens[i : i + 3])
        earlier = [y for y in years if y.i < tokens[i].i]
        if words in _YEAR_BEFORE and earlier and earlier[-1].text.isdigit():
            found.append((tokens[i : i + 3], str(int(earlier[-1].text) - 1)))
    return found


def relative_dates(
    sent: Span, published_at: dt.date | None, reference: tuple[int, int | None] | None = None
) -> tuple[dict[int, str], set[int]]:
    """Token index -> written date for the first token of each relative date, and the tokens it replaces."""
    replaced: dict[int, str] = {}
    covered: set[int] = set()
    if published_at is None:
        return replaced, covered
    for phrase, date in _phrase_dates(sent, published_at, reference):
        text = date
        before = sent.doc[phrase[0].i - 1] if phrase[0].i > sent.start else None
        if before is None or before.pos_ != "ADP" or before.lower_ in ("than",):
            text = "in " + text
        if phrase[0].i == sent.start:
            text = text[:1].upper() + text[1:]
        replaced[phrase[0].i] = text
        covered.update(t.i for t in phrase[1:])
    for ent in sent.ents:
        if any(t.i in replaced or t.i in covered for t in ent):
            continue
        tokens = [t for t in ent if t.tag_ != "POS"]
        if ent.label_ != "DATE" or not tokens or not _is_relative(tokens):
            continue
        # "on 46 days last year": only "last year" is rewritten, the count stays
        pair = next(
            (
                i
                for i, t in enumerate(tokens[:-1])
                if t.lower_ in _RELATIVE and tokens[i + 1].lower_ in _UNITS
            ),
            None,
        )
        if pair is not None and len(tokens) > 2:
            tokens = tokens[pair : pair + 2]
        words = [t.lower_ for t in tokens]
        resolved = resolve_date(" ".join(words), published_at)
        written = _written(words, resolved) if resolved else None
        if resolved is None or written is None:
            continue
        after = sent.doc[tokens[-1].i + 1 : tokens[-1].i + 3] if tokens[-1].i + 3 <= sent.end else None
        if after is not None and after[0].text == "," and after[1].like_num and after[1].ent_type_ == "DATE":
            continue  # "on Thursday, 16 April": the date is given, the weekday needs no writing out
        weekday = next((t.text for t in tokens if t.lower_ in _WEEKDAYS), None)
        if weekday is not None:
            written = f"{weekday} {written}"
        root = ent.root if len(tokens) == len(ent) else tokens[-1]
        before = sent.doc[tokens[0].i - 1] if tokens[0].i > sent.start else None
        after_preposition = before is not None and before.pos_ == "ADP"
        following = sent.doc[tokens[-1].i + 1] if tokens[-1].i + 1 < sent.end else None
        as_subject = following is not None and following.pos_ in ("AUX", "VERB") and tokens[0].i == sent.start
        # inside a longer date phrase: "in June last year" -> "in June 2024", "on 46 days in 2024"
        after_month = before is not None and before.lower_ in _MONTHS
        if not after_month and not (root.dep_ in _NOMINAL_DEPS or after_preposition or as_subject):
            written = ("on " if len(resolved) == 10 else "in ") + written
        if tokens[0].i == sent.start:
            written = written[:1].upper() + written[1:]
        replaced[tokens[0].i] = written
        covered.update(t.i for t in tokens[1:])
    return replaced, covered
