"""Named entities with their aliases folded: countries (pycountry), a few first-level regions, and a
small curated table of organisations. 'US' = 'U.S.' = 'United States'; 'UK' = 'Britain'.

Matching works on the claim's word tokens (lower-cased, accents folded, dots of acronyms dropped), the
longest alias first. Short acronyms that are also English words ('US', 'WHO', 'IT') count only when
written in capitals.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pycountry

# Common short names that pycountry does not list (its names are ISO's: 'Russian Federation').
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("US", "USA", "U.S.", "U.S.A.", "America", "United States of America", "the States"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "United Kingdom"),
    "RU": ("Russia",),
    "NL": ("Holland", "the Netherlands"),
    "TR": ("Turkey", "Turkiye"),
    "CD": ("DRC", "DR Congo", "Democratic Republic of the Congo"),
    "AE": ("UAE", "U.A.E.", "Emirates"),
    "CI": ("Ivory Coast",),
    "MK": ("Macedonia",),
    "SZ": ("Swaziland",),
    "MM": ("Burma",),
    "CV": ("Cape Verde",),
    "VA": ("Vatican", "Vatican City", "Holy See"),
    "SY": ("Syria",),
    "LA": ("Laos",),
    "BN": ("Brunei",),
}
# First-level regions often named in claims on their own (other countries' regions are left out: their
# pycountry names are in local languages, and many collide with ordinary words).
_REGION_COUNTRIES = ("GB", "US", "CA", "AU", "IN")
_REGION_ALIASES: dict[str, tuple[str, ...]] = {"GB-WLS": ("Wales", "Cymru"), "US-DC": ("Washington DC",)}
_ORGANISATIONS: dict[str, tuple[str, ...]] = {
    "WHO": ("World Health Organization", "World Health Organisation"),
    "UN": ("United Nations", "U.N."),
    "EU": ("European Union", "E.U."),
    "NATO": ("North Atlantic Treaty Organization", "North Atlantic Treaty Organisation", "Nato"),
    "IMF": ("International Monetary Fund",),
    "OECD": ("Organisation for Economic Co-operation and Development",),
    "WTO": ("World Trade Organization", "World Trade Organisation"),
    "ONS": ("Office for National Statistics",),
    "NHS": ("National Health Service",),
    "OBR": ("Office for Budget Responsibility",),
    "IFS": ("Institute for Fiscal Studies",),
    "BoE": ("Bank of England",),
    "ECB": ("European Central Bank",),
    "Fed": ("Federal Reserve", "US Federal Reserve"),
    "CDC": ("Centers for Disease Control and Prevention", "Centers for Disease Control"),
    "FDA": ("Food and Drug Administration",),
    "EPA": ("Environmental Protection Agency",),
    "FBI": ("Federal Bureau of Investigation",),
    "CIA": ("Central Intelligence Agency",),
    "NASA": ("National Aeronautics and Space Administration", "Nasa"),
    "IPCC": ("Intergovernmental Panel on Climate Change",),
    "IEA": ("International Energy Agency",),
    "ILO": ("International Labour Organization", "International Labour Organisation"),
    "UNHCR": ("UN Refugee Agency", "United Nations High Commissioner for Refugees"),
    "UNICEF": ("United Nations Children's Fund", "Unicef"),
    "OPEC": ("Organization of the Petroleum Exporting Countries", "Opec"),
    "World Bank": (),
    "ICC": ("International Criminal Court",),
    "BBC": ("British Broadcasting Corporation",),
}
# What a newsroom writes for a country besides its name: its people's adjective and its capital as
# metonymy ('Austrian coverage', 'Warsaw's military budget'). For SEARCH only (`search_names`), never in
# the gazetteer that claim signatures read: 'Polish workers in Britain' and 'British workers in Poland'
# would fold to the same entities, and a capital's news ('Paris rents') is not always the country's.
# Capitals that are also common names elsewhere (Washington, Victoria, Kingston) are left out.
_DEMONYMS_AND_CAPITALS: dict[str, tuple[str, ...]] = {
    "AF": ("Afghan", "Kabul"),
    "AL": ("Albanian", "Tirana"),
    "DZ": ("Algerian", "Algiers"),
    "AR": ("Argentine", "Argentinian", "Buenos Aires"),
    "AM": ("Armenian", "Yerevan"),
    "AU": ("Australian", "Canberra"),
    "AT": ("Austrian", "Vienna"),
    "AZ": ("Azerbaijani", "Baku"),
    "BD": ("Bangladeshi", "Dhaka"),
    "BY": ("Belarusian", "Minsk"),
    "BE": ("Belgian", "Brussels"),
    "BA": ("Bosnian", "Sarajevo"),
    "BR": ("Brazilian", "Brasilia"),
    "BG": ("Bulgarian", "Sofia"),
    "CA": ("Canadian", "Ottawa"),
    "CL": ("Chilean", "Santiago"),
    "CN": ("Chinese", "Beijing"),
    "CO": ("Colombian", "Bogota"),
    "HR": ("Croatian", "Zagreb"),
    "CU": ("Cuban", "Havana"),
    "CY": ("Cypriot", "Nicosia"),
    "CZ": ("Czech", "Prague"),
    "DK": ("Danish", "Copenhagen"),
    "EG": ("Egyptian", "Cairo"),
    "EE": ("Estonian", "Tallinn"),
    "ET": ("Ethiopian", "Addis Ababa"),
    "FI": ("Finnish", "Helsinki"),
    "FR": ("French", "Paris"),
    "GE": ("Georgian", "Tbilisi"),
    "DE": ("German", "Berlin"),
    "GH": ("Ghanaian", "Accra"),
    "GB": ("British", "London"),
    "GR": ("Greek", "Athens"),
    "HU": ("Hungarian", "Budapest"),
    "IS": ("Icelandic", "Reykjavik"),
    "IN": ("Indian", "New Delhi"),
    "ID": ("Indonesian", "Jakarta"),
    "IR": ("Iranian", "Tehran"),
    "IQ": ("Iraqi", "Baghdad"),
    "IE": ("Irish", "Dublin"),
    "IL": ("Israeli", "Jerusalem"),
    "IT": ("Italian", "Rome"),
    "JP": ("Japanese", "Tokyo"),
    "JO": ("Jordanian", "Amman"),
    "KZ": ("Kazakh", "Astana"),
    "KE": ("Kenyan", "Nairobi"),
    "KR": ("South Korean", "Seoul"),
    "KP": ("North Korean", "Pyongyang"),
    "KG": ("Kyrgyz", "Bishkek"),
    "LV": ("Latvian", "Riga"),
    "LB": ("Lebanese", "Beirut"),
    "LY": ("Libyan", "Tripoli"),
    "LT": ("Lithuanian", "Vilnius"),
    "LU": ("Luxembourgish",),
    "MY": ("Malaysian", "Kuala Lumpur"),
    "MT": ("Maltese", "Valletta"),
    "MX": ("Mexican",),
    "MD": ("Moldovan", "Chisinau"),
    "MA": ("Moroccan", "Rabat"),
    "NL": ("Dutch", "Amsterdam", "The Hague"),
    "NZ": ("New Zealander",),
    "NG": ("Nigerian", "Abuja"),
    "MK": ("Macedonian", "Skopje"),
    "NO": ("Norwegian", "Oslo"),
    "PK": ("Pakistani", "Islamabad"),
    "PS": ("Palestinian",),
    "PE": ("Peruvian", "Lima"),
    "PH": ("Filipino", "Manila"),
    "PL": ("Polish", "Warsaw"),
    "PT": ("Portuguese", "Lisbon"),
    "QA": ("Qatari", "Doha"),
    "RO": ("Romanian", "Bucharest"),
    "RU": ("Russian", "Moscow", "the Kremlin", "Kremlin"),
    "SA": ("Saudi", "Riyadh"),
    "RS": ("Serbian", "Belgrade"),
    "SG": ("Singaporean",),
    "SK": ("Slovak", "Slovakian", "Bratislava"),
    "SI": ("Slovenian", "Ljubljana"),
    "ZA": ("South African", "Pretoria"),
    "ES": ("Spanish", "Madrid"),
    "LK": ("Sri Lankan", "Colombo"),
    "SD": ("Sudanese", "Khartoum"),
    "SE": ("Swedish", "Stockholm"),
    "CH": ("Swiss", "Bern"),
    "SY": ("Syrian", "Damascus"),
    "TW": ("Taiwanese", "Taipei"),
    "TH": ("Thai", "Bangkok"),
    "TN": ("Tunisian", "Tunis"),
    "TR": ("Turkish", "Ankara"),
    "UA": ("Ukrainian", "Kyiv", "Kiev"),
    "AE": ("Emirati", "Abu Dhabi"),
    "US": ("American",),
    "VE": ("Venezuelan", "Caracas"),
    "VN": ("Vietnamese", "Hanoi"),
    "YE": ("Yemeni", "Sanaa"),
    "ZW": ("Zimbabwean", "Harare"),
}
# Aliases this short that are also ordinary words count only when written in capitals.
_CASED_ALIASES = frozenset({"us", "who", "it", "fed", "un", "ifs", "boe", "ons", "obr", "ilo", "ice"})

_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:['’][^\W\d_]+)*|\d+")


def fold(word: str) -> str:
    """Lower-cased, accents and acronym dots dropped: 'U.S.' -> 'us', 'Türkiye' -> 'turkiye'."""
    if word.isascii():
        lowered = word.lower()
        return lowered.replace(".", "").replace("'", "") if "." in lowered or "'" in lowered else lowered
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if char.isalnum() and not unicodedata.combining(char))


def alias_tokens(name: str) -> tuple[str, ...]:
    """The folded word tokens of an alias ('the' at its start dropped: claims say 'the UK' and 'UK')."""
    tokens = tuple(token for token in (fold(word) for word in _TOKEN.findall(name)) if token)
    return tokens[1:] if len(tokens) > 1 and tokens[0] == "the" else tokens


@dataclass(frozen=True)
class Gazetteer:
    """Aliases by first token, longest first; the display name of every entity id."""

    by_first: dict[str, tuple[tuple[tuple[str, ...], str], ...]]
    display: dict[str, str]
    aliases: dict[str, tuple[str, ...]]

    def match_at(self, tokens: Sequence[str], start: int) -> tuple[str, int] | None:
        """(entity id, tokens consumed) of the longest alias starting at `start`."""
        first = tokens[start]
        candidates = self.by_first.get(first, ())
        if not candidates and first.endswith("s"):
            candidates = self.by_first.get(first[:-1], ())
        for alias, entity in candidates:
            end = start + len(alias)
            if tuple(tokens[start:end]) == alias:
                return entity, len(alias)
            # 'Germanys', 'Germany's': a possessive or a slip on the alias's last word.
            last = tokens[end - 1] if end <= len(tokens) else ""
            if (
                end <= len(tokens)
                and tuple(tokens[start : end - 1]) == alias[:-1]
                and last.endswith("s")
                and last[:-1] == alias[-1]
            ):
                return entity, len(alias)
        return None


def _clean(name: str) -> str:
    return re.sub(r"\s*[\[(].*?[\])]", "", name).strip()


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Built once per process from pycountry and the tables above (about 10 ms)."""
    names: dict[str, set[str]] = {}
    display: dict[str, str] = {}

    def add(entity: str, aliases: Iterable[str]) -> None:
        names.setdefault(entity, set()).update(alias for alias in aliases if alias)

    comma_parts: dict[str, list[str]] = {}
    for country in pycountry.countries:
        entity = f"country:{country.alpha_2}"
        common = getattr(country, "common_name", None)
        official = getattr(country, "official_name", None)
        full = [_clean(name) for name in (country.name, common, official) if name]
        display[entity] = _clean(common or country.name)
        add(entity, [name for name in full if "," not in name])
        if "," in country.name:
            comma_parts.setdefault(country.name.split(",")[0].strip(), []).append(entity)
    for part, entities in comma_parts.items():
        if len(entities) == 1:
            add(entities[0], [part])
    for code, aliases in _COUNTRY_ALIASES.items():
        add(f"country:{code}", aliases)
    display["country:US"], display["country:GB"], display["country:RU"] = (
        "United States",
        "United Kingdom",
        "Russia",
    )
    for country_code in _REGION_COUNTRIES:
        for region in pycountry.subdivisions.get(country_code=country_code) or ():  # type: ignore[no-untyped-call]
            if region.parent_code is None and region.type != "Outlying area":
                entity = f"region:{region.code}"
                display[entity] = _clean(region.name)
                add(entity, [_clean(region.name)])
    for code, aliases in _REGION_ALIASES.items():
        add(f"region:{code}", aliases)
    for acronym, full_names in _ORGANISATIONS.items():
        entity = f"org:{acronym}"
        display[entity] = full_names[0] if full_names else acronym
        add(entity, (acronym, *full_names))

    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    owner: dict[tuple[str, ...], str] = {}
    for entity in sorted(names):
        for alias in sorted(names[entity]):
            tokens = alias_tokens(alias)
            # A country's own name wins over a region or organisation spelled the same ('Georgia').
            if tokens and tokens not in owner:
                owner[tokens] = entity
    for tokens, entity in owner.items():
        by_first.setdefault(tokens[0], []).append((tokens, entity))
    aliases_by_entity: dict[str, list[str]] = {}
    for tokens, entity in owner.items():
        aliases_by_entity.setdefault(entity, []).append(" ".join(tokens))
    return Gazetteer(
        by_first={
            first: tuple(sorted(found, key=lambda item: -len(item[0]))) for first, found in by_first.items()
        },
        display=display,
        aliases={entity: tuple(sorted(found)) for entity, found in aliases_by_entity.items()},
    )


def needs_capitals(folded: str) -> bool:
    """Whether this one-word alias is also an ordinary word, so only its capitalised form counts."""
    return folded in _CASED_ALIASES


def entity_name(entity: str) -> str:
    """'country:GB' -> 'United Kingdom' (the id itself when unknown)."""
    return gazetteer().display.get(entity, entity.partition(":")[2] or entity)


def entity_aliases(entity: str) -> tuple[str, ...]:
    """Every folded alias of an entity id: 'country:GB' -> ('britain', 'great britain', 'uk', ...)."""
    return gazetteer().aliases.get(entity, ())


@lru_cache(maxsize=1)
def _search_names() -> tuple[dict[str, tuple[str, ...]], dict[tuple[str, ...], str]]:
    by_entity: dict[str, tuple[str, ...]] = {}
    by_tokens: dict[tuple[str, ...], str] = {}
    for code, names in _DEMONYMS_AND_CAPITALS.items():
        entity = f"country:{code}"
        folded = [alias_tokens(name) for name in names]
        by_entity[entity] = tuple(" ".join(tokens) for tokens in folded)
        for tokens in folded:
            by_tokens.setdefault(tokens, entity)
    return by_entity, by_tokens


def search_names(entity: str) -> tuple[str, ...]:
    """A country's demonyms and capital, folded, for search only: 'country:AT' -> ('austrian', 'vienna')."""
    return _search_names()[0].get(entity, ())


def entities_named_by_search_names(text: str) -> frozenset[str]:
    """Countries the text names only by a demonym or capital, written capitalised as proper names are:
    'Czech households' -> {'country:CZ'}; 'Warsaw's budget' -> {'country:PL'}; 'polish the floor' -> {}."""
    by_tokens = _search_names()[1]
    words = _TOKEN.findall(text)
    found: set[str] = set()
    for start, word in enumerate(words):
        if not word[:1].isupper():
            continue
        for length in (3, 2, 1):
            tokens = tuple(fold(part) for part in words[start : start + length])
            # "Warsaw's" folds to 'warsaws': the possessive of a capital.
            entity = by_tokens.get(tokens) or (
                by_tokens.get((*tokens[:-1], tokens[-1][:-1])) if tokens[-1].endswith("s") else None
            )
            if len(tokens) == length and entity is not None:
                found.add(entity)
                break
    return frozenset(found)
