"""The LLM extractor end to end against a loopback OpenAI-compatible server."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from service.extraction import extract
from service.extraction.llm import NO_CLAIM_REASON, extract_with_llm
from service.extraction.llm_cache import InMemoryExtractionCache
from service.extraction.llm_grounding import chunk_sentences
from service.extraction.llm_prompt import load_prompt
from service.extraction.result import Extraction
from tests.fake_openai import API_KEY, FakeOpenAI, Recorded, Reply, llm_settings

EDITORIAL = (Path(__file__).resolve().parents[3] / "shared" / "data" / "editorial_ukraine.txt").read_text()
LAVROV = "Russia s foreign minister said the talks had been constructive and useful"
NATO_LIST = "He has expanded his list to include Romania and Bulgaria, Estonia, Latvia, Lithuania and Poland."
OPINION = "This may turn out to be a temporary reprieve."


@cache
def rules() -> Extraction:
    return extract(EDITORIAL)


def number_of(sentence_text: str) -> int:
    """The 1-based number the prompt gives the sentence that holds `sentence_text`."""
    offset = EDITORIAL.index(sentence_text)
    return next(s.index + 1 for s in rules().sentences if s.start <= offset < s.end)


def good_answer() -> dict[str, object]:
    return {
        "claims": [
            {
                "sentence": number_of(LAVROV),
                # the model "fixes" the typo; grounding must still find the original words
                "quote": "Russia's foreign minister said the talks had been constructive and useful",
                "text": "Sergei Lavrov said the talks had been constructive and useful.",
                "kind": "attribution",
                "items": [],
                "score": 0.9,
            },
            {
                "sentence": number_of(NATO_LIST),
                "quote": NATO_LIST,
                "text": "Putin wants Nato out of Romania, Bulgaria, Estonia, Latvia, Lithuania and Poland.",
                "kind": "list",
                "items": ["Romania", "Bulgaria", "Estonia", "Latvia", "Lithuania", "Poland", "Germany"],
                "score": 0.95,
            },
            {
                "sentence": 3,
                "quote": "Putin invaded France in 2021 with three million troops",
                "text": "Putin invaded France in 2021.",
                "kind": "event",
                "items": [],
                "score": 0.9,
            },
        ],
        "skipped": [{"sentence": number_of(OPINION), "reason": "speculation about the future"}],
    }


def test_grounded_claims_have_exact_spans_checked_items_and_a_report_for_every_sentence() -> None:
    with FakeOpenAI([Reply.answer(good_answer(), prompt_tokens=900, completion_tokens=150)]) as server:
        result = extract_with_llm(EDITORIAL, settings=llm_settings(server.base_url))

    assert result.extractor == "llm"
    assert [claim.kind for claim in result.claims] == ["attribution", "list"]
    for claim in result.claims:
        assert EDITORIAL[claim.start : claim.end] == claim.quote
    lavrov, nato = result.claims
    assert lavrov.quote == LAVROV
    assert lavrov.text == "Sergei Lavrov said the talks had been constructive and useful."
    assert nato.items == ["Romania", "Bulgaria", "Estonia", "Latvia", "Lithuania", "Poland"]
    assert {entity.text for entity in nato.entities} >= {"Romania", "Poland"}
    assert nato.sentence_index == number_of(NATO_LIST) - 1

    assert result.meta["prompt_version"] == "extract_claims.v1"
    assert result.meta["model"] == "fake-model"
    assert result.meta["usage"] == {"prompt_tokens": 900, "completion_tokens": 150}
    assert result.meta["calls"] == 1
    assert result.meta["dropped_ungrounded"] == 1
    assert result.meta["dropped_items"] == 1
    assert isinstance(result.meta["latency_ms"], float)
    assert "fallback_reason" not in result.meta

    reports = result.sentences
    assert [(r.start, r.end) for r in reports] == [(s.start, s.end) for s in rules().sentences]
    by_number = {r.index + 1: r for r in reports}
    assert by_number[number_of(NATO_LIST)].label == "claim"
    assert by_number[number_of(NATO_LIST)].claim_count == 1
    assert by_number[number_of(OPINION)].label == "not_checkworthy"
    assert by_number[number_of(OPINION)].reason == "speculation about the future"
    assert by_number[1].reason == NO_CLAIM_REASON

    prompt = server.requests[0].prompt
    assert f"[{number_of(NATO_LIST)}] {NATO_LIST}" in prompt
    assert server.requests[0].body["response_format"]["type"] == "json_schema"


@pytest.mark.slow
def test_resubmitting_the_same_text_is_served_from_the_cache_without_a_call() -> None:
    store = InMemoryExtractionCache()
    with FakeOpenAI([Reply.answer(good_answer())]) as server:
        settings = llm_settings(server.base_url)
        first = extract_with_llm(EDITORIAL, settings=settings, cache=store)
        again = extract_with_llm(EDITORIAL, settings=settings, cache=store)
        assert len(server.requests) == 1
        extract_with_llm(EDITORIAL, settings=settings, cache=store, published_at=date(2022, 1, 17))
        assert len(server.requests) == 2  # the date changes relative dates, so it is a new question
    assert again.meta["cached"] is True
    assert again.claims == first.claims and again.sentences == first.sentences


def test_fallbacks_are_not_cached() -> None:
    store = InMemoryExtractionCache()
    with FakeOpenAI([Reply.text("not json"), Reply.answer(good_answer())]) as server:
        settings = llm_settings(server.base_url)
        assert extract_with_llm(EDITORIAL, settings=settings, cache=store).extractor == "rules"
        assert extract_with_llm(EDITORIAL, settings=settings, cache=store).extractor == "llm"


# Each script is built when its test runs: good_answer() extracts the editorial, which collecting the
# tests (in every test process) should not.
FAILURES = [
    pytest.param(
        lambda: [Reply.text("Sure! Here are the claims: claim one, claim two")], "invalid_json", id="garbage"
    ),
    pytest.param(lambda: [Reply.truncated(good_answer())], "truncated_json", id="truncated"),
    pytest.param(lambda: [Reply.refused()], "refusal", id="refusal-field"),
    pytest.param(
        lambda: [Reply.text("I'm sorry, but I can't help with that.")], "refusal", id="refusal-prose"
    ),
    pytest.param(lambda: [Reply.answer({"claims": "none"})], "schema_mismatch", id="schema-mismatch"),
    pytest.param(lambda: [Reply.error(503)], "http_503", id="503"),
    pytest.param(lambda: [Reply.error(429, retry_after="120")], "http_429", id="429-too-long"),
    pytest.param(lambda: [Reply.hang(3)], "timeout", id="hang"),
    pytest.param(
        lambda: [Reply.error(401, body=f'{{"error": "invalid key Bearer {API_KEY}"}}')],
        "http_401",
        id="401-echo",
    ),
    pytest.param(
        lambda: [Reply(raw_body="<html>proxy error</html>")], "invalid_response", id="not-a-completion"
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("script", "reason"), FAILURES)
def test_llm_trouble_falls_back_to_rules_with_the_reason_and_never_leaks_the_key(
    script: Callable[[], list[Reply]], reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeOpenAI(script()) as server:
        settings = llm_settings(server.base_url, llm_timeout_seconds=0.2, llm_circuit_failures=10)
        result = extract_with_llm(EDITORIAL, settings=settings)
    assert result.extractor == "rules"
    assert result.meta["fallback_reason"] == reason
    assert result.claims == rules().claims and result.sentences == rules().sentences
    assert server.requests[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in repr(result)
    assert API_KEY not in caplog.text
    assert all(API_KEY not in str(record.args) for record in caplog.records)


@pytest.mark.slow
def test_unreachable_endpoint_and_then_open_circuit_fall_back_without_calling(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeOpenAI([Reply.error(500)]) as server:
        settings = llm_settings(
            server.base_url, llm_max_retries=1, llm_circuit_failures=3, llm_circuit_reset_seconds=30
        )
        first = extract_with_llm(EDITORIAL, settings=settings)
        second = extract_with_llm(EDITORIAL, settings=settings)
        # the json_schema request, then the plain request and its retry: three failures open the circuit
        assert len(server.requests) == 3
    assert first.meta["fallback_reason"] == "http_500"
    assert second.meta["fallback_reason"] == "circuit_open" and second.meta["calls"] == 0
    gone = llm_settings(server.base_url, llm_max_retries=0)  # the server is shut down now
    third = extract_with_llm(EDITORIAL, settings=gone.model_copy(update={"llm_base_url": gone_url()}))
    assert third.meta["fallback_reason"] == "connection_error"
    assert API_KEY not in caplog.text and API_KEY not in repr((first, second, third))


def gone_url() -> str:
    with FakeOpenAI([Reply.text("")]) as server:
        return server.base_url


def test_no_endpoint_configured_falls_back_without_error() -> None:
    result = extract_with_llm(EDITORIAL, settings=llm_settings(None))  # type: ignore[arg-type]
    assert result.extractor == "rules" and result.meta["fallback_reason"] == "not_configured"


def test_server_without_json_schema_support_still_extracts_with_plain_instructions() -> None:
    with FakeOpenAI([Reply.text("```json\n" + Reply.answer(good_answer()).content + "\n```")]) as server:
        server.reject_json_schema = True
        result = extract_with_llm(EDITORIAL, settings=llm_settings(server.base_url))
    assert result.extractor == "llm" and len(result.claims) == 2
    assert "response_format" not in server.requests[-1].body
    assert load_prompt().json_instructions in server.requests[-1].prompt


def quote_every_sentence(request: Recorded) -> Reply:
    """A model that claims every numbered sentence of its chunk, verbatim."""
    numbered = re.findall(r"^\[(\d+)\] (.+)$", request.prompt, re.M)
    claims = [
        {"sentence": int(n), "quote": text, "text": text, "kind": "other", "items": [], "score": 0.7}
        for n, text in numbered
    ]
    return Reply.answer({"claims": claims, "skipped": []}, delay=0.05)


@pytest.mark.slow
def test_long_articles_are_chunked_with_overlap_asked_concurrently_and_merged_without_duplicates() -> None:
    sentences = rules().sentences
    chunks = chunk_sentences(len(sentences), 8)
    assert len(chunks) > 3 and all(a.stop > b.start for a, b in itertools.pairwise(chunks))
    with FakeOpenAI(responder=quote_every_sentence) as server:
        settings = llm_settings(server.base_url, llm_chunk_sentences=8, llm_concurrency=2)
        result = extract_with_llm(EDITORIAL, settings=settings)
    assert result.extractor == "llm"
    assert result.meta["calls"] == len(chunks) == len(server.requests)
    assert server.max_in_flight == 2
    spans = [(claim.start, claim.end) for claim in result.claims]
    assert len(spans) == len(set(spans))
    # one claim per distinct sentence: the two repeated headlines are the same text, so near-duplicates
    assert {claim.sentence_index for claim in result.claims} >= {s.index for s in sentences[2:]}
    assert all(EDITORIAL[c.start : c.end] == c.quote for c in result.claims)
    assert all(report.label == "claim" for report in result.sentences[2:])


def test_chunks_cover_every_sentence_in_order() -> None:
    assert chunk_sentences(5, 40) == [range(5)]
    for count, size in [(30, 8), (100, 40), (41, 40), (7, 1)]:
        chunks = chunk_sentences(count, size)
        covered = sorted({i for chunk in chunks for i in chunk})
        assert covered == list(range(count))
        assert all(len(chunk) <= size for chunk in chunks)
