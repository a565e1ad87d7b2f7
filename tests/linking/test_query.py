"""What the first stage searches for: content words, entity aliases and amounts as a passage writes them."""

from __future__ import annotations

from collections.abc import Sequence

from service.identity import claim_signature
from service.linking import ranker
from service.linking.query import EvidenceQuery, highlights
from service.linking.ranker import FEATURES, PoolBest, Retrieved, features


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


def test_highlights_skip_the_stop_words_of_an_alias() -> None:
    # The WHO's alias 'World Health Organization of ...' and 'Bank of England' bring 'of' into the search.
    passage = "The World Health Organization of the UN and the Bank of England agree."
    found = highlights(EvidenceQuery("The WHO and the BoE agree"), passage)
    words = [word for word, _start, _end in found]
    assert words == ["World", "Health", "Organization", "Bank", "England", "agree"]
    assert "of" not in words and "the" not in words


def test_a_country_is_searched_by_its_demonym_and_capital_and_back() -> None:
    terms = set(EvidenceQuery("Vaccination rates in Austria dropped").search_terms)
    assert {"austrian", "vienna"} <= terms
    terms = set(EvidenceQuery("Czech households pay the most; Warsaw's budget grew").search_terms)
    assert {"czechia", "czech republic", "poland", "polish"} <= terms


def test_a_lower_case_demonym_is_an_ordinary_word() -> None:
    assert "poland" not in EvidenceQuery("They polish the floors weekly").search_terms


def test_demonyms_and_capitals_stay_out_of_claim_identity() -> None:
    # 'Polish workers in Britain' and 'British workers in Poland' must keep different entities.
    assert claim_signature("Polish workers in Britain earn less").entities == ("country:GB",)
    assert claim_signature("British workers in Poland earn less").entities == ("country:PL",)


def test_newsroom_synonyms_are_searched_beside_the_claims_word() -> None:
    terms = set(EvidenceQuery("Unemployment rose to 4.3% of GDP").search_terms)
    assert {"unemployment", "jobless", "gdp", "gross domestic product"} <= terms


def test_the_ranker_counts_a_country_named_by_demonym_or_capital() -> None:
    query = EvidenceQuery("Hungary depends on Russia for 85% of its gas")
    pool = [
        Retrieved(1, "Budapest imports 85 percent of its gas from Moscow's Gazprom.", "Budapest's gas"),
        Retrieved(2, "Gas prices rose 85 percent in the region.", "Gas"),
    ]
    best = PoolBest.of(pool, query)
    position = FEATURES.index("entities")
    assert features(query, pool[0], best)[0][position] == 1.0
    assert features(query, pool[1], best)[0][position] == 0.0


def test_word_pairs_and_title_features() -> None:
    query = EvidenceQuery("Polar bears are dying out because sea ice melts")
    together = Retrieved(1, "Polar bears hunt seals from sea ice.", "Polar bear", bm25=3.0, bm25_rank=0)
    apart = Retrieved(2, "Bears in polar zoos eat ice cream by the sea.", "Zoo", bm25=2.0, bm25_rank=1)
    best = PoolBest.of([together, apart], query)
    first, second = features(query, together, best)[0], features(query, apart, best)[0]
    pairs, title = FEATURES.index("pairs"), FEATURES.index("title_in_claim")
    assert first[pairs] > second[pairs] == 0.0
    assert first[title] == 1.0 and second[title] == 0.0


def test_bm25_all_scores_the_words_the_full_text_query_left_out_by_their_idf() -> None:
    # 'emissions' is in most of the library (left out of the OR query), 'permafrost' in few passages:
    # bm25_all still counts the common word, a little, and the rare one most.
    query = EvidenceQuery("Permafrost emissions are rising")
    rare = Retrieved(1, "Permafrost thaw is accelerating in Siberia.", "Permafrost", bm25=1.0, bm25_rank=0)
    common = Retrieved(2, "Emissions from cars are rising again.", "Traffic", bm25=0.5, bm25_rank=1)
    neither = Retrieved(3, "The weather was mild this spring.", "Weather")
    statistics = ranker.TermStatistics(10_000, {"permafrost": 12, "emissions": 6_000, "rising": 400})
    best = PoolBest.of([rare, common, neither], query, statistics)
    position = FEATURES.index("bm25_all")
    scores = [features(query, item, best)[0][position] for item in (rare, common, neither)]
    assert scores[0] == 1.0 and 0.0 < scores[1] < scores[0] and scores[2] == 0.0
    # Without counts (no search yet) every word is taken as rare.
    flat = PoolBest.of([rare, common, neither], query)
    assert features(query, common, flat)[0][position] > 0.0


def test_serving_models_replace_the_exported_model_only_inside_the_block() -> None:
    class Constant:
        def probability(self, vector: Sequence[float]) -> float:
            return 0.25

    exported = ranker.model(False)
    with ranker.serving_models({False: Constant()}):
        assert ranker.model(False).probability([0.0] * len(FEATURES)) == 0.25
        assert ranker.model(True) is not ranker.model(False)
    assert ranker.model(False) is exported
