"""What evidence is sought for: a claim's content words for the full-text search, with entity aliases,
demonyms and capitals, a few newsroom synonyms and amounts in the passage's words, and its facts (amounts,
dates, entities, list items) for the ranker."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

from rapidfuzz.utils import default_process

from service.identity.entities import entities_named_by_search_names, entity_aliases, search_names
from service.linking.agreement import TextFacts
from service.stopwords import ENGLISH, REPORTING

WORD = re.compile(r"[^\W_]+")

# The one English list and how figures are reported, plus "told" ("X told reporters ...").
STOP_WORDS = ENGLISH | REPORTING | {"told"}
# Enough words to describe a claim; more only slows the OR query without finding more.
MAX_QUERY_TERMS = 32
# Currency codes of normalised amounts ('GBP 9.1 billion') in the words a passage would use.
_CURRENCY_WORDS = {"GBP": "pounds", "USD": "dollars", "EUR": "euros", "JPY": "yen"}
# Words a reference may use for a claim's word, searched beside it (plurals are the stemmer's business).
# Kept to nouns whose paraphrase changes no meaning: the full-text OR grows by a term for each.
_SYNONYM_GROUPS = (
    ("unemployment", "jobless", "joblessness"),
    ("doctors", "physicians"),
    ("gdp", "gross domestic product"),
    ("co2", "carbon dioxide"),
    ("wages", "earnings"),
    ("petrol", "gasoline"),
    ("lorries", "trucks"),
    ("mps", "lawmakers"),
    ("fatalities", "deaths"),
)
SYNONYMS: dict[str, tuple[str, ...]] = {
    word: tuple(other for other in group if other != word) for group in _SYNONYM_GROUPS for word in group
}
_SUFFIXES = ("ations", "ation", "ments", "ment", "ness", "ings", "ing", "ies", "ied", "ed", "es", "s", "ly")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A crude suffix stripper for overlap features ('vaccines' ~ 'vaccine', 'recorded' ~ 'record')."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    # 'vaccine' / 'vaccin(es)', 'decline' / 'declin(ing)'
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def content_words(text: str, *, once: bool = True) -> list[str]:
    """Lower-cased words of the text without stop words or one-letter words, in order, once each
    unless `once` is False."""
    words = [
        word
        for word in WORD.findall(text.lower())
        if word not in STOP_WORDS and (len(word) > 1 or word.isdigit())
    ]
    return list(dict.fromkeys(words)) if once else words


def stem_pairs(words: Sequence[str]) -> frozenset[tuple[str, str]]:
    """Stems of consecutive words: ['polar', 'bears', 'dying'] -> {('polar', 'bear'), ('bear', 'dying')}."""
    return frozenset(pairwise(stem(word) for word in words))


def _synonyms(words: Iterable[str]) -> list[str]:
    """'unemployment rose' -> ['jobless', 'joblessness']."""
    return [other for word in words for other in SYNONYMS.get(word, ())]


def _amount_phrases(amounts: Iterable[str]) -> list[str]:
    """'GBP 9.1 billion' -> ['9.1 billion', 'pounds']: how a passage may write the same amount."""
    phrases: list[str] = []
    for amount in amounts:
        code, _, rest = amount.partition(" ")
        if code in _CURRENCY_WORDS:
            phrases.extend([rest, _CURRENCY_WORDS[code]])
        elif " " in amount:
            phrases.append(amount)
    return phrases


@dataclass(frozen=True)
class EvidenceQuery:
    """A claim's text and list items, with what the search and the ranker derive from them."""

    text: str
    items: tuple[str, ...] = ()
    facts: TextFacts = field(init=False)
    # The claim's countries and organisations, named by an alias, a demonym or a capital, each with the
    # folded names a passage may use for it (' austria ', ' austrian ', ' vienna '), space-padded.
    entity_names: tuple[tuple[str, tuple[str, ...]], ...] = field(init=False)
    item_facts: tuple[tuple[str, TextFacts], ...] = field(init=False)
    processed: str = field(init=False)
    stems: frozenset[str] = field(init=False)
    # Stems of the claim's consecutive content words ('polar bear', 'bear extinct'): a passage that keeps
    # them together is about the same thing more often than one that has the words apart.
    stem_pairs: frozenset[tuple[str, str]] = field(init=False)
    search_terms: tuple[str, ...] = field(init=False)
    highlight_words: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        facts = TextFacts.of(self.text)
        words = content_words(" ".join((self.text, *self.items)))
        entities = sorted(facts.entities | entities_named_by_search_names(self.text))
        names = {entity: (*entity_aliases(entity), *search_names(entity)) for entity in entities}
        aliases = [name for entity in entities for name in names[entity]]
        terms = dict.fromkeys([*words, *_amount_phrases(facts.amounts), *aliases, *_synonyms(words)])
        object.__setattr__(self, "facts", facts)
        object.__setattr__(
            self,
            "entity_names",
            # "Warsaw's" folds to 'warsaws'.
            tuple(
                (entity, tuple(padded for name in names[entity] for padded in (f" {name} ", f" {name}s ")))
                for entity in entities
            ),
        )
        object.__setattr__(self, "item_facts", tuple((item, TextFacts.of(item)) for item in self.items))
        object.__setattr__(self, "processed", default_process(self.text))
        object.__setattr__(self, "stems", frozenset(stem(word) for word in words))
        object.__setattr__(self, "stem_pairs", stem_pairs(content_words(self.text, once=False)))
        object.__setattr__(self, "search_terms", tuple(terms)[:MAX_QUERY_TERMS])
        # An alias's words without its stop words: 'Bank of England' marks 'Bank' and 'England', not 'of'.
        object.__setattr__(
            self,
            "highlight_words",
            frozenset(word for term in terms for word in WORD.findall(term) if word not in STOP_WORDS),
        )

    @classmethod
    def from_claim(cls, claim: Any) -> EvidenceQuery:
        """A query for a stored claim: its text and the list items its extractor found."""
        return cls(text=claim.text, items=tuple(str(item) for item in claim.items or []))


def highlights(query: EvidenceQuery, passage_text: str) -> list[tuple[str, int, int]]:
    """The passage's words that match the claim's search words, with offsets into the passage.

    >>> highlights(EvidenceQuery("NATO leaves Romania"), "Russia wants NATO out of Romania.")
    [('NATO', 13, 17), ('Romania', 25, 32)]
    """
    wanted = query.highlight_words
    wanted_stems = query.stems
    found = []
    for match in WORD.finditer(passage_text):
        lowered = match.group(0).lower()
        if lowered in wanted or (len(lowered) > 3 and stem(lowered) in wanted_stems):
            found.append((match.group(0), match.start(), match.end()))
    return found
