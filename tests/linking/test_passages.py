"""Splitting source text into passages with exact offsets."""

from __future__ import annotations

from pathlib import Path

from service.linking.passages import MAX_PASSAGE_CHARS, split_passages

EDITORIAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "editorial_ukraine.txt"


def test_every_passage_is_exactly_its_span_of_the_source() -> None:
    text = EDITORIAL.read_text(encoding="utf-8")
    passages = split_passages(text)
    assert len(passages) > 10
    for position, passage in enumerate(passages):
        assert passage.position == position
        assert text[passage.start : passage.end] == passage.text
        assert passage.text == passage.text.strip()
    assert [p.start for p in passages] == sorted(p.start for p in passages)
    assert any("Romania and Bulgaria" in p.text for p in passages)


def test_short_sentences_are_grouped_and_long_ones_cut() -> None:
    text = "NATO met. It talked. " + "word " * 400 + "end."
    passages = split_passages(text)
    assert passages[0].text.startswith("NATO met. It talked.")
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert all(text[p.start : p.end] == p.text for p in passages)
    assert passages[-1].text.endswith("end.")


def test_blank_text_has_no_passages() -> None:
    assert split_passages("") == []
    assert split_passages("  \n\n ") == []
