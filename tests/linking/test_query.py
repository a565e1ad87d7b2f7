"""What the first stage searches for: content words, entity aliases and amounts as a passage writes them."""

from __future__ import annotations

from service.linking.query import EvidenceQuery, highlights


def test_content_words_are_all_searched_not_only_entities_and_numbers() -> None:
    query = EvidenceQuery("Measles vaccine coverage in Europe fell to 91%")
    assert {"measles", "vaccine", "coverage", "europe", "fell", "91"} <= set(query.search_terms)
    assert "in" not in query.search_terms and "to" not in query.search_terms


def test_aliases_and_amounts_are_searched_in_the_words_a_reference_uses() -> None:
    terms = set(EvidenceQuery("Britain and the Czech Republic back the WHO plan").search_terms)
    assert {"united kingdom", "czechia", "world health organization"} <= terms
    assert {"9.1 billion", "pounds"} <= set(EvidenceQuery("£9.1bn for hospitals").search_terms)


def test_highlights_mark_claim_words_and_their_inflections_with_offsets() -> None:
    passage = "Russia wants NATO out of Romania; vaccines were delayed."
    found = highlights(EvidenceQuery("NATO leaves Romania as vaccine delays grow"), passage)
    assert [(word, passage[start:end]) for word, start, end in found] == [
        ("NATO", "NATO"),
        ("Romania", "Romania"),
        ("vaccines", "vaccines"),
        ("delayed", "delayed"),
    ]
