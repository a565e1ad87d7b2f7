"""What the article has said so far: who the people are, their roles, and who 'he' or 'she' is now.

A deliberately simple salience model: the most recently mentioned person (as a name or a resolved
pronoun) is the antecedent of the next personal pronoun, whatever its gender; a role noun phrase
("Russia's foreign minister") names the person an earlier appositive gave that role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from service.extraction.pronouns import PronounResolver

PERSONAL_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})
POSSESSIVES = frozenset({"his", "her", "hers"})
ROLE_NOUNS = frozenset(
    [
        "secretary",
        "minister",
        "president",
        "chancellor",
        "leader",
        "chief",
        "head",
        "director",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "mayor",
        "governor",
        "senator",
        "ambassador",
        "commissioner",
        "officer",
        "executive",
        "chair",
        "chairman",
        "chairwoman",
        "professor",
        "counterpart",
        "number",
        "envoy",
        "premier",
        "king",
        "queen",
        "councillor",
        "treasurer",
        "manager",
        "economist",
        "scientist",
        "researcher",
        "founder",
        "editor",
        "deputy",
        "regulator",
        "commander",
        "general",
        "adviser",
        "advisor",
        "analyst",
        "author",
        "correspondent",
        "judge",
        "prosecutor",
        "lawyer",
        "chairperson",
        "mp",
    ]
)
# Role words that name the same office in different countries ("US secretary of state", "Russia's
# foreign minister", "foreign secretary"), so an 'opposite number' can inherit the office.
_OFFICE_CLASSES = (
    ("foreign", ("secretary of state", "foreign minister", "foreign secretary", "minister of foreign")),
    ("defence", ("defence secretary", "defense secretary", "defence minister", "defense minister")),
    ("head_of_state", ("president", "prime minister", "chancellor", "premier")),
    ("finance", ("finance minister", "chancellor of the exchequer", "treasury secretary")),
)
_TITLES = frozenset(
    {"dr", "mr", "mrs", "ms", "sir", "dame", "lord", "lady", "councillor", "president", "prof"}
)


@dataclass
class Person:
    """A person the article names, with the role an appositive gave them."""

    name: str
    role: str = ""
    country: str = ""
    office: str = ""


@dataclass
class ArticleContext:
    """People met so far and the current antecedent for personal pronouns."""

    people: dict[str, Person] = field(default_factory=dict)
    last_person: Person | None = None
    things: PronounResolver = field(default_factory=lambda: PronounResolver(ROLE_NOUNS))

    def canonical(self, name: str) -> str:
        """'Putin' -> 'Vladimir Putin' once the full name has appeared; titles and "'s" dropped."""
        words = [w for w in name.replace("’", "'").removesuffix("'s").split() if w.lower() not in _TITLES]
        clean = " ".join(words) or name
        if clean in self.people:
            return clean
        for known in reversed(list(self.people)):
            if known.endswith(" " + clean) or known.startswith(clean + " "):
                return known
        return clean

    def mention(self, name: str) -> Person:
        """Record a mention of a person by name; they become the pronoun antecedent."""
        canonical = self.canonical(name)
        person = self.people.get(canonical)
        if person is None:
            person = self.people[canonical] = Person(canonical)
        self.last_person = person
        return person

    def give_role(self, person: Person, role: str, holder_of: Person | None = None) -> None:
        """Remember 'Antony Blinken, the US secretary of state' so a later role phrase finds him."""
        person.role = role
        person.office, person.country = office_of(role)
        if holder_of is not None and not person.office and role_head(role) in ("number", "counterpart"):
            person.office = holder_of.office

    def resolve_pronoun(self, token: Token) -> str | None:
        """The name a personal pronoun stands for, possessive form for 'his'/'her' as determiner."""
        if token.lower_ not in PERSONAL_PRONOUNS or self.last_person is None:
            return None
        name = self.last_person.name
        if token.lower_ in ("his", "hers") or (token.lower_ == "her" and token.dep_ == "poss"):
            return name + "'s"
        return name

    def resolve_role(self, phrase: Span) -> str | None:
        """'Russia s foreign minister' -> 'Sergei Lavrov' when an earlier appositive gave him that office."""
        text = phrase.text.lower()
        office, country = office_of(text)
        head = role_head(text)
        for person in reversed(list(self.people.values())):
            if not person.role:
                continue
            if office and person.office == office:
                if country and person.country and person.country != country:
                    continue
                return person.name
            if (
                not office
                and head
                and head == role_head(person.role.lower())
                and _same_words(text, person.role)
            ):
                return person.name
        return None


def _same_words(phrase: str, role: str) -> bool:
    stop = {"the", "a", "an", "of", "'s", "s"}
    wanted = {w for w in phrase.replace("'s", " ").split() if w not in stop}
    have = {w for w in role.lower().replace("'s", " ").split() if w not in stop}
    return wanted <= have


def role_head(role: str) -> str:
    """The role noun in a phrase: 'the US secretary of state' -> 'secretary'."""
    words = role.lower().replace("'s", " ").split()
    before_of = words[: words.index("of")] if "of" in words else words
    return next((w for w in reversed(before_of) if w in ROLE_NOUNS), "")


def office_of(role: str) -> tuple[str, str]:
    """('foreign', 'us') for 'the US secretary of state'; ('', '') when no known office matches."""
    lowered = " ".join(role.lower().replace("'s", " ").replace(" s ", " ").split())
    for office, phrases in _OFFICE_CLASSES:
        for phrase in phrases:
            if phrase in lowered:
                country = lowered.split(phrase)[0].replace("the ", "").strip()
                return office, _country_key(country)
    return "", ""


def _country_key(words: str) -> str:
    aliases = {"us": "us", "u.s.": "us", "american": "us", "america": "us", "united states": "us"}
    aliases |= {"uk": "uk", "british": "uk", "britain": "uk", "russian": "russia"}
    last = words.split()[-1] if words.split() else ""
    return aliases.get(words, aliases.get(last, last))
