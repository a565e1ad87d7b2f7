"""When and where an article is set, so a claim can name what its sentence leaves to context.

"Prices rose 4% over the month" under a headline about March, in an article published in 2023, is a
claim about March 2023; "The city recorded 140 mm of rain" in a report that named Leeds is about
Leeds. The headline (the article's title, or a heading line of the body) gives the month; the places
are the GPE names met so far, sorted by kind through the identity gazetteer: countries and
first-level regions ('Wales', 'Texas') are no city. Conservative: only the bare phrases "the month",
"the city" / "the town" and "the country" are rewritten, and only when exactly what they stand for
is known.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from service.extraction.context import ROLE_NOUNS
from service.identity.entities import alias_tokens, gazetteer

_MONTH_NAMES = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTH = re.compile(
    r"\b(" + "|".join(name for name in calendar.month_name if name) + r")\b(?:\s+((?:19|20)\d\d)\b)?"
)
_FACILITY_WORDS = frozenset({"Hall", "Street", "Road", "Square", "Park", "Station", "Bridge", "Airport"})
_COUNCIL_WORDS = frozenset({"City", "County", "Borough", "District", "Town", "Metropolitan", "Parish"})
_PLACE_NOUNS = {"city": "place", "town": "place", "region": "place", "country": "country"}
_PLACE_DETERMINERS = frozenset({"the", "this"})
# Bodies a story often names several of ("the council" may be the town's or the county's).
_GENERIC_BODIES = frozenset(
    {
        "council",
        "government",
        "agency",
        "party",
        "committee",
        "court",
        "department",
        "ministry",
        "office",
        "service",
        "group",
        "trust",
        "association",
        "union",
        "board",
        "authority",
        "company",
    }
    | {"city", "town", "county", "street", "road", "lane", "hall", "school", "house"}
)
_STRUCTURES = frozenset(
    {"bridge", "wood", "forest", "park", "river", "reservoir", "tunnel", "airport", "station", "harbour"}
    | {"pier", "quay", "dam", "stadium", "hospital", "academy", "library", "larder", "market", "estate"}
)
_COMPASS = frozenset({"north", "south", "east", "west", "outside", "centre", "center"})
# Words after a town's name in the name of its institutions: "Fernmouth Harbour Forum", "Tarrow Civic Centre".
_INSTITUTION_WORDS = frozenset(
    {
        "Harbour",
        "Forum",
        "Civic",
        "Centre",
        "Center",
        "Town",
        "City",
        "Hall",
        "Chamber",
        "Commerce",
        "Port",
        "Library",
        "Museum",
        "Council",
        "Assembly",
        "Market",
        "Guildhall",
        "Theatre",
        "Community",
    }
)

# At least one of these: a venue's "Hall" or "Centre" alone is often no town's name.
_CIVIC_WORDS = frozenset(
    {"Harbour", "Forum", "Civic", "Town", "City", "Chamber", "Port", "Council", "Guildhall"}
)


def _institution_town(words: list[str]) -> str | None:
    """'Fernmouth' of "the Fernmouth Harbour Forum": a name followed only by institution words."""
    if words and words[0].lower() == "the":
        words = words[1:]
    if len(words) < 2 or not words[0][:1].isupper() or not all(w in _INSTITUTION_WORDS for w in words[1:]):
        return None
    if not set(words[1:]) & _CIVIC_WORDS:
        return None  # "Quayside Hall", "Kings Theatre": a venue's name, not a town's
    return words[0]


def _year_earlier(token: Token) -> bool:
    doc = token.doc
    return token.i >= 2 and doc[token.i - 1].lower_ == "year" and doc[token.i - 2].lower_ == "a"


# Prepositions that go with a period: "over the month" -> "in March 2023".
_PERIOD_PREPOSITIONS = frozenset({"over", "during", "in", "for", "throughout", "across"})


@dataclass
class ArticleScene:
    """The headline's month and the places named so far (most recent last)."""

    month: tuple[int, int | None] | None = None  # (month, year when the headline gives one)
    places: list[tuple[str, str]] = field(default_factory=list)  # (name, 'country' | 'region' | 'place')
    weak_places: list[str] = field(default_factory=list)  # towns a header's institutions are named after
    # "wood" -> {"Hollin Wood"}: what "the wood" stands for once the text has named it
    named_things: dict[str, set[str]] = field(default_factory=dict)

    def read_headline(self, text: str) -> None:
        """The first month a headline names ("Inflation eases in March"): the period its text reports."""
        match = _MONTH.search(text)
        if match is not None and self.month is None:
            year = int(match.group(2)) if match.group(2) else None
            self.month = (_MONTH_NAMES[match.group(1).lower()], year)

    def read_places(self, sent: Span) -> None:
        """Remember the places `sent` names, in order, each with its kind.

        A GPE entity, the place of a council ("Leeds City Council" -> Leeds), or a proper noun after
        'in' that the tagger gave no other type ("Floods in York": the small model misses many towns)."""
        self._read_things(sent)
        found: list[tuple[int, str, str]] = []
        for ent in sent.ents:
            words = ent.text.removesuffix("'s").removesuffix("’s").split()
            if ent.label_ == "GPE" and words[-1] not in _FACILITY_WORDS:  # not "Corran City Hall"
                found.append((ent.start, " ".join(words), ""))
            elif ent.label_ == "ORG" and len(words) > 1 and words[-1] == "Council":
                place = [w for w in words[:-1] if w not in _COUNCIL_WORDS]
                if place and all(w[:1].isupper() for w in place):
                    # a county council's county is no town: "the town" is not Ossendale
                    kind = "region" if "County" in words else _kind(" ".join(place))
                    found.append((ent.start, " ".join(place), kind))
            elif ent.label_ in ("ORG", "FAC") and (town := _institution_town(words)) is not None:
                # "the Fernmouth Harbour Forum" in a speech's header line: where the speech is given
                self.weak_places.append(town)
        for token in sent:
            if token.pos_ != "PROPN" or token.ent_type_ in ("ORG", "GPE") or not token.text[:1].isupper():
                continue
            in_place = (
                not token.ent_type_
                and token.dep_ == "pobj"
                and token.head.lower_ == "in"
                and not any(c.dep_ == "compound" for c in token.children)
            )
            # "Tilby town centre", "north of Tilby", "Tilby's population": a place whatever NER said
            named_place = token.i + 1 < sent.end and token.nbor(1).lower_ in _PLACE_NOUNS
            compass = (
                token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.lower_ in _COMPASS
            )
            people = token.dep_ == "poss" and token.head.lower_ in ("population", "residents", "streets")
            if in_place or named_place or compass or people:
                found.append((token.i, token.text, ""))
        for _, name, kind in sorted(found):
            self.places.append((name, kind or _kind(name)))

    def reported_month(self, published_at: dt.date | None) -> tuple[int, int | None] | None:
        """(month, year) of the period the headline reports, the year filled in from publication."""
        if self.month is None:
            return None
        month, year = self.month
        if year is None and published_at is not None:
            year = published_at.year if month <= published_at.month else published_at.year - 1
        return month, year

    def _read_things(self, sent: Span) -> None:
        """'Hollin Wood', 'Castlemere Community Larder': a run of capitalised proper nouns whose last
        word is also a common noun, so that "the wood" later in the text can be named (only while
        one such name is known). Not people's names, roles ("Prime Minister") or bodies a story
        often names several of ("the council")."""
        run: list[Token] = []
        for token in [*sent, None]:
            if token is not None and token.pos_ == "PROPN" and token.text[:1].isupper():
                run.append(token)
                continue
            last = run[-1].lower_ if run else ""
            if (
                len(run) >= 2
                # the small model takes many a "Harnley Bridge" for a person; a structure's name is not one
                and (last in _STRUCTURES or not any(t.ent_type_ == "PERSON" for t in run))
                and last not in _GENERIC_BODIES
                and last not in ROLE_NOUNS
                and last.isalpha()
            ):
                self.named_things.setdefault(last, set()).add(" ".join(t.text for t in run))
            run = []

    def named_thing(self, noun: str) -> str | None:
        names = self.named_things.get(noun, set())
        return next(iter(names)) if len(names) == 1 else None

    def month_text(self, published_at: dt.date | None) -> str | None:
        """'March 2023': the headline's month in the year the article's date puts it."""
        if self.month is None:
            return None
        month, year = self.month
        if year is None and published_at is not None:
            # a headline's month is the latest one not after publication
            year = published_at.year if month <= published_at.month else published_at.year - 1
        return f"{calendar.month_name[month]} {year}" if year else calendar.month_name[month]

    def place(self, kind: str) -> str | None:
        """The most recent place of this kind, when the text named one (a town only in a header's
        institution, "the Fernmouth Harbour Forum", when it named no other)."""
        named = next((name for name, found in reversed(self.places) if found == kind), None)
        if named is None and kind == "place" and len(set(self.weak_places)) == 1:
            return self.weak_places[0]
        return named


def _kind(name: str) -> str:
    tokens = alias_tokens(name)
    found = gazetteer().match_at(tokens, 0) if tokens else None
    if found is None or found[1] != len(tokens):
        return "place"
    return found[0].split(":", 1)[0]  # 'country' or 'region' (an organisation is no GPE here)


def _bare(noun: Token, determiners: frozenset[str] = frozenset({"the"})) -> Token | None:
    """The 'the' of a bare "the month" / "the city": no other modifier, no compound."""
    children = [c for c in noun.children if c.dep_ != "case"]
    if len(children) != 1 or children[0].dep_ != "det" or children[0].lower_ not in determiners:
        return None
    if noun.dep_ == "compound":
        return None
    return children[0]


def _definite(noun: Token) -> Token | None:
    """The 'the' of "the wood" with nothing before the noun (a non-restrictive clause after it may stay)."""
    before = [c for c in noun.children if c.i < noun.i]
    if len(before) != 1 or before[0].dep_ != "det" or before[0].lower_ != "the" or noun.dep_ == "compound":
        return None
    for child in noun.children:
        if child.i > noun.i and child.dep_ in ("relcl", "acl", "prep", "appos"):
            first = min(t.i for t in child.subtree)
            if child.dep_ != "appos" and noun.doc[first - 1].text != ",":
                return None  # "the wood behind the church" may be another wood
    return before[0]


def scene_replacements(
    sent: Span, scene: ArticleScene, published_at: dt.date | None
) -> list[tuple[int, str, tuple[int, ...]]]:
    """(first token, its replacement, the other tokens it covers) for each phrase the scene resolves.

    "over the month" -> "in March 2023" (the preposition is replaced with the phrase), "The city" ->
    "Leeds"."""
    found: list[tuple[int, str, tuple[int, ...]]] = []
    for token in sent:
        lower = token.lower_
        if lower == "month":
            the = _bare(token)
            month = scene.month_text(published_at)
            if the is None or month is None or token.head.lower_ not in _PERIOD_PREPOSITIONS:
                continue
            preposition = token.head
            if preposition.i != the.i - 1:
                continue
            found.append((preposition.i, "in " + month, (the.i, token.i)))
        elif lower in _PLACE_NOUNS:
            # "the city", "this city", "the city's reserves" -> "Corran", "Corran's reserves"
            the = _bare(token, _PLACE_DETERMINERS)
            place = scene.place(_PLACE_NOUNS[lower])
            if the is None or place is None:
                continue
            found.append((the.i, place, (token.i,)))
        elif (name := scene.named_thing(lower)) is not None and token.tag_ == "NN":
            # "The wood covers 340 acres" after "Hollin Wood": the claim names it
            the = _definite(token)
            if the is not None:
                found.append((the.i, name, (token.i,)))
        elif lower == "here" and token.dep_ == "advmod" and token.head.tag_ in ("VBN", "VBD"):
            # "the jobs created here" in a speech or a report set in a named town: "created in Fernmouth"
            place = scene.place("place")
            if place is not None:
                found.append((token.i, f"in {place}", ()))
        elif lower == "earlier" and _year_earlier(token):
            # "up from £1,190 a year earlier" under a February 2026 headline -> "in February 2025"
            month = scene.month_text(published_at)
            if month is None or not month[-4:].isdigit():
                continue
            a, year = token.i - 2, token.i - 1
            found.append((a, f"in {month[:-4]}{int(month[-4:]) - 1}", (year, token.i)))
    return found
