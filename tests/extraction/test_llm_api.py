"""`POST /v1/articles` with the LLM extractor: stored claims, recorded usage, database cache, no key leaks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer
from tests.extraction.test_genre_api import DEBATE
from tests.extraction.test_llm import EDITORIAL, NATO_LIST, good_answer
from tests.fake_openai import API_KEY, FakeOpenAI, Reply


@pytest.fixture
def fake_llm(configure: Callable[..., None]) -> Iterator[FakeOpenAI]:
    with FakeOpenAI([Reply.answer(good_answer(), prompt_tokens=700, completion_tokens=90)]) as server:
        configure(
            LLM_BASE_URL=server.base_url,
            LLM_API_KEY=API_KEY,
            LLM_MODEL="fake-model",
            LLM_TIMEOUT_SECONDS="0.5",
            LLM_BACKOFF_SECONDS="0.01",
        )
        yield server


@pytest.mark.slow
def test_llm_article_is_stored_with_usage_and_resubmission_is_answered_from_the_database_cache(
    fake_llm: FakeOpenAI, client: TestClient, keys: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = bearer(keys["newsroom"])
    body = {"title": "Ukraine", "body": EDITORIAL, "extractor": "llm"}
    first = client.post("/v1/articles", json=body, headers=headers)
    assert first.status_code == 201, first.text
    article = first.json()
    assert article["extractor"] == "llm"
    assert article["extraction"]["usage"] == {"prompt_tokens": 700, "completion_tokens": 90}
    assert article["extraction"]["prompt_version"] == "extract_claims.v1"
    nato = next(claim for claim in article["claims"] if claim["kind"] == "list")
    assert nato["items"] == ["Romania", "Bulgaria", "Estonia", "Latvia", "Lithuania", "Poland"]
    assert nato["quote"] == NATO_LIST
    assert EDITORIAL[nato["span"][0] : nato["span"][1]] == nato["quote"]

    shown = client.get(f"/v1/articles/{article['id']}", headers=headers).json()
    assert shown["extraction"]["usage"]["prompt_tokens"] == 700
    assert shown["extraction"]["latency_ms"] >= 0

    again = client.post("/v1/articles", json=body, headers=headers)
    assert again.status_code == 201
    assert len(fake_llm.requests) == 1
    assert again.json()["extraction"]["cached"] is True
    assert len(again.json()["claims"]) == len(article["claims"])

    for response in (first, again):
        assert API_KEY not in response.text
    assert API_KEY not in caplog.text


@pytest.fixture
def refusing_llm(configure: Callable[..., None]) -> Iterator[FakeOpenAI]:
    with FakeOpenAI([Reply.error(400)]) as server:
        configure(LLM_BASE_URL=server.base_url, LLM_API_KEY=API_KEY, LLM_BACKOFF_SECONDS="0.01")
        yield server


def test_falling_back_from_the_llm_the_rules_read_the_genre_and_headline(
    refusing_llm: FakeOpenAI, client: TestClient, keys: dict[str, str]
) -> None:
    headers = bearer(keys["newsroom"])
    news = {
        "title": "Prices climb in March",
        "body": "Consumer prices rose 0.4% over the month, the statistics office said.",
        "published_at": "2025-04-10",
    }
    response = client.post("/v1/articles", json=news, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["extractor"] == "rules"
    assert refusing_llm.requests, "the LLM was asked first"
    # The headline's month travels with the claim, as without an LLM.
    texts = [claim["text"] for claim in response.json()["claims"]]
    assert texts == ["Consumer prices rose 0.4% in March 2025, the statistics office said."]

    debate = {"title": "Debate", "body": DEBATE, "genre": "transcript", "published_at": "2025-06-02"}
    article = client.post("/v1/articles", json=debate, headers=headers).json()
    assert article["genre"] == "transcript"
    assert "Lind said they cut hospital waiting lists by half in 2023." in [
        c["text"] for c in article["claims"]
    ]
