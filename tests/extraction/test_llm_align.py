"""Grounding a model's quote in the article body."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.extraction.align import align_item, align_quote

EDITORIAL = (Path(__file__).resolve().parents[3] / "shared" / "data" / "editorial_ukraine.txt").read_text()
BODY = (
    "Talks in Geneva  calmed tensions. Russia s foreign minister said the talks had been "
    "constructive and useful. He has expanded his list to include Romania and Bulgaria, "
    "Estonia, Latvia, Lithuania and Poland."
)


def test_exact_quote_gives_its_offsets() -> None:
    quote = "said the talks had been constructive"
    span = align_quote(BODY, quote)
    assert span is not None and BODY[span[0] : span[1]] == quote


def test_quote_with_fixed_typo_and_collapsed_spaces_still_aligns_to_the_original_text() -> None:
    span = align_quote(BODY, "Russia's foreign minister said the talks had been constructive and useful")
    assert span is not None
    assert BODY[span[0] : span[1]] == (
        "Russia s foreign minister said the talks had been constructive and useful"
    )
    span = align_quote(BODY, "talks in Geneva calmed tensions.")
    assert span is not None and BODY[span[0] : span[1]] == "Talks in Geneva  calmed tensions."


def test_fuzzy_alignment_never_cuts_a_word_in_half() -> None:
    span = align_quote(BODY, "expanded his list to include Romania, Bulgaria, Estonia, Latvia")
    assert span is not None
    assert BODY[span[0] - 1] == " " and BODY[span[1]] in " ,."


@pytest.mark.parametrize(
    "invented",
    [
        "Putin invaded France in 2021 with three million troops",
        "The talks in Geneva collapsed after an hour",
        # a real sentence padded with an invented clause must not pass as that sentence
        "He has expanded his list to include Romania and Bulgaria, and also Germany, France, Italy and Spain",
    ],
)
def test_invented_or_padded_quotes_are_not_grounded(invented: str) -> None:
    assert align_quote(BODY, invented) is None


def test_window_limits_where_the_quote_may_be_found() -> None:
    assert align_quote(BODY, "Talks in Geneva", window=(40, len(BODY))) is None
    assert align_quote(BODY, "Talks in Geneva", window=(0, 40)) == (0, 15)


def test_empty_quote_is_not_grounded() -> None:
    assert align_quote(BODY, "   ") is None


def test_items_come_back_spelled_as_in_the_quote_and_absent_items_are_refused() -> None:
    quote = "Romania and Bulgaria, Estonia, Latvia, Lithuania and Poland"
    assert align_item(quote, "bulgaria") == "Bulgaria"
    assert align_item(quote, "Lithuannia") == "Lithuania"
    assert align_item(quote, "Ukraine") is None
    assert align_item(quote, "") is None


def test_every_sentence_of_the_sample_editorial_aligns_to_itself_after_light_edits() -> None:
    sentences = [s.strip() for s in EDITORIAL.replace("\n", " ").split(". ") if len(s.split()) > 6]
    for sentence in sentences:
        edited = sentence.replace(" s ", "'s ").replace("  ", " ")
        span = align_quote(EDITORIAL, edited)
        assert span is not None, sentence
        assert EDITORIAL[span[0] : span[1]].startswith(sentence[:10])
