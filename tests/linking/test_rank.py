"""Re-ranking: rapidfuzz similarity plus agreement on list items, entities and numbers."""

from __future__ import annotations

from types import SimpleNamespace

from service.linking.index import CandidatePassage, fts5_match_expression
from service.linking.rank import EvidenceQuery, highlights, rank, score_passage

SIX_COUNTRIES = ["Romania", "Bulgaria", "Estonia", "Latvia", "Lithuania", "Poland"]
CLAIM = SimpleNamespace(
    text="Putin wants Nato to withdraw from countries that joined the alliance after the Soviet collapse, "
    "including Romania and Bulgaria, Estonia, Latvia, Lithuania and Poland.",
    items=SIX_COUNTRIES,
    entities=[{"text": "Nato", "label": "ORG", "start": 12, "end": 16}],
    quantities=[],
)


def _candidate(passage_id: int, text: str) -> CandidatePassage:
    return CandidatePassage(passage_id, 1, 0, len(text), text, "https://x.example", "X", None, None)


def test_passage_naming_romania_and_bulgaria_outranks_one_that_only_mentions_nato() -> None:
    query = EvidenceQuery.from_claim(CLAIM)
    nato_only = _candidate(
        1, "Nato leaders said the alliance would remain united after the collapse of talks."
    )
    named = _candidate(2, "Russia said its demand that NATO withdraw forces covered Romania and Bulgaria.")
    ranked = rank(query, [nato_only, named])
    assert [scored.candidate.passage_id for scored in ranked] == [2, 1]
    assert ranked[0].matched_items == ("Romania", "Bulgaria")
    assert ranked[1].matched_items == ()


def test_scores_stay_between_0_and_100_and_long_passages_do_not_tie() -> None:
    query = EvidenceQuery.from_claim(CLAIM)
    full = score_passage(query, CLAIM.text).score
    unrelated = score_passage(query, "Brazil is the world's largest coffee producer. " * 8).score
    assert 0 <= unrelated < 40 < full <= 100


def test_numbers_must_agree() -> None:
    query = EvidenceQuery.from_text("Biden made the minor incursion remark on 19 January 2022")
    right = score_passage(query, "On 19 January 2022 Biden spoke of a minor incursion.").score
    wrong = score_passage(query, "On 28 March 2021 Biden spoke of a minor incursion.").score
    assert right > wrong


def test_highlights_are_matched_words_with_offsets() -> None:
    query = EvidenceQuery.from_claim(CLAIM)
    passage = "Russia named Romania and Bulgaria."
    found = highlights(query, passage)
    assert ("Romania", 13, 20) in found and ("Bulgaria", 25, 33) in found
    assert all(passage[start:end] == word for word, start, end in found)


def test_query_terms_drop_stop_words_and_keep_items_first() -> None:
    query = EvidenceQuery.from_claim(CLAIM)
    assert query.search_terms[:6] == tuple(country.lower() for country in SIX_COUNTRIES)
    assert "the" not in query.search_terms


def test_fts5_expression_quotes_every_term() -> None:
    assert fts5_match_expression(['a"b', "NEAR", "x*", "(y)", ""]) == '"a""b" OR "NEAR" OR "x*" OR "(y)"'
    assert fts5_match_expression([]) == ""
