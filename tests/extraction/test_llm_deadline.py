"""One deadline per article (LLM_DEADLINE_SECONDS): a hanging endpoint costs the budget, not minutes.

The fake server accepts every connection and never answers within the test; the client's own
timeout (60 s) and retries (3) would hold the article for four minutes without the deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from service.extraction import extract
from service.extraction.llm import extract_with_llm
from tests.conftest import bearer
from tests.extraction.test_llm import EDITORIAL
from tests.fake_openai import API_KEY, FakeOpenAI, Reply, llm_settings

# Far past anything the test waits for: only the deadline can end the wait.
NEVER = 600.0
# What "promptly" means here: well under one client timeout, generous for a loaded machine.
GENEROUS_SECONDS = 20.0


@pytest.mark.slow
def test_a_hanging_endpoint_returns_the_rules_result_marked_deadline() -> None:
    with FakeOpenAI([Reply.hang(NEVER)]) as server:
        settings = llm_settings(
            server.base_url,
            llm_timeout_seconds=60.0,
            llm_max_retries=3,
            llm_deadline_seconds=2.0,
            llm_circuit_failures=50,
        )
        started = time.monotonic()
        result = extract_with_llm(EDITORIAL, settings=settings)
        waited = time.monotonic() - started
        requests = len(server.requests)

    rules = extract(EDITORIAL)
    assert result.extractor == "rules"
    assert result.meta["fallback_reason"] == "deadline"
    assert [claim.text for claim in result.claims] == [claim.text for claim in rules.claims]
    # The budget (which the rules' own run also spends) went to at most the first attempt: no retry.
    assert requests <= 1
    assert waited < GENEROUS_SECONDS


def test_chunks_and_retries_share_one_budget() -> None:
    # Each chunk is refused with a long Retry-After: a retry would wait past the budget, so none is made.
    with FakeOpenAI([Reply.error(503, retry_after="5")]) as server:
        settings = llm_settings(
            server.base_url,
            llm_timeout_seconds=60.0,
            llm_max_retries=3,
            llm_deadline_seconds=1.0,
            llm_chunk_sentences=4,
            llm_concurrency=4,
            llm_circuit_failures=50,
        )
        result = extract_with_llm(EDITORIAL, settings=settings)
        chunks = result.meta["calls"]

    assert result.meta["fallback_reason"] == "deadline"
    assert isinstance(chunks, int) and chunks > 1


@pytest.fixture
def hanging_llm(configure: Callable[..., None]) -> Iterator[FakeOpenAI]:
    with FakeOpenAI([Reply.hang(NEVER)]) as server:
        configure(
            LLM_BASE_URL=server.base_url,
            LLM_API_KEY=API_KEY,
            LLM_TIMEOUT_SECONDS="60",
            LLM_MAX_RETRIES="3",
            LLM_DEADLINE_SECONDS="0.5",
        )
        yield server


@pytest.mark.slow
def test_post_article_answers_with_the_rules_result_when_the_llm_hangs(
    hanging_llm: FakeOpenAI, client: TestClient, keys: dict[str, str]
) -> None:
    response = client.post(
        "/v1/articles",
        json={"title": "Ukraine", "body": EDITORIAL, "extractor": "llm"},
        headers=bearer(keys["newsroom"]),
    )

    assert response.status_code == 201, response.text
    article = response.json()
    assert article["extractor"] == "rules"
    assert article["extraction"]["fallback_reason"] == "deadline"
    assert article["claims"], "the rule engine's claims are stored"
