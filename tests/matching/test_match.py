"""POST /v1/claims/match and an article's prior checks: how each match relates, which matcher answered,
and how many claims of an import still wait for embeddings; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_KEY, bearer
from tests.imports.conftest import wait_for_job

CHECKED = "Rail fares in Scotland rose 5.1% in March 2023."
# Each differs from CHECKED in one way a fact-checker cares about.
NEAR_MISSES = {
    "Rail fares in Scotland rose 25.1% in March 2023.": ("number", "5.1%", "25.1%"),
    "Rail fares in Scotland fell 5.1% in March 2023.": ("direction", None, None),
    "Rail fares in Wales rose 5.1% in March 2023.": ("entity", None, None),
    "Rail fares in Scotland did not rise 5.1% in March 2023.": ("polarity", None, None),
    "Rail fares in Scotland rose 5.1% in March 2021.": ("date", "2023-03", "2021-03"),
}


def _import_checked(client: TestClient, texts: list[str]) -> dict[str, Any]:
    body = "\n".join(
        json.dumps({"text": text, "verdict": "false", "external_id": f"c{n}"}) for n, text in enumerate(texts)
    ).encode()
    response = client.post(
        "/v1/imports/claims?on_duplicate=keep",
        content=body,
        headers={**bearer(ADMIN_KEY), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["id"])
    assert job["created"] == len(texts), job
    return job


def _match(client: TestClient, text: str, limit: int = 10) -> dict[str, Any]:
    response = client.post("/v1/claims/match", json={"text": text, "limit": limit}, headers=bearer(ADMIN_KEY))
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.mark.slow
def test_each_match_says_whether_it_is_the_same_claim_and_what_differs(client: TestClient) -> None:
    _import_checked(client, [CHECKED, *NEAR_MISSES])
    answer = _match(client, CHECKED)
    assert answer["matcher"] == "lexical"  # the tests run without the semantic matcher
    by_text = {found["text"]: found for found in answer["results"]}
    assert set(by_text) == {CHECKED, *NEAR_MISSES}
    same = by_text[CHECKED]
    assert answer["results"][0] == same
    assert (same["relation"], same["differs"], same["reusable_verdict"]) == ("same", [], "false")
    for text, (kind, this, checked) in NEAR_MISSES.items():
        found = by_text[text]
        assert found["relation"] == "related", found
        assert kind in found["differs"], found
        assert found["reusable_verdict"] is None and found["verdict"] == "false"  # shown, not offered
        if this is not None:
            assert {"kind": kind, "this": this, "checked": checked} in found["differences"]


@pytest.mark.slow
def test_a_weak_match_is_related_even_when_nothing_differs(client: TestClient) -> None:
    _import_checked(client, ["Bleach is sold in supermarkets"])
    (found,) = _match(client, "Supermarkets sell fresh bread")["results"]
    assert (found["relation"], found["differs"], found["reusable_verdict"]) == ("related", [], None)


@pytest.mark.slow
def test_an_article_claims_matches_carry_relation_and_differences(client: TestClient) -> None:
    _import_checked(client, [CHECKED])
    response = client.post(
        "/v1/articles",
        json={
            "title": "Fares",
            "body": "Rail fares in Scotland rose 25.1% in March 2023, the statistics show.",
        },
        headers=bearer(ADMIN_KEY),
    )
    assert response.status_code == 201, response.text
    matches = [match for claim in response.json()["claims"] for match in claim["matches"]]
    assert matches, response.json()["claims"]
    assert all(match["relation"] == "related" and match["reusable_verdict"] is None for match in matches)
    assert {"kind": "number", "this": "25.1%", "checked": "5.1%"} in matches[0]["differences"]


@pytest.mark.slow
def test_an_import_reports_no_embedding_backlog_when_matching_is_lexical(client: TestClient) -> None:
    job = _import_checked(client, [CHECKED])
    assert job["embeddings_pending"] is None  # nothing will embed them: SEMANTIC is off
    assert _match(client, "Scotland rail fares")["matcher"] == "lexical"


def test_match_rejects_empty_text_and_needs_a_key(client: TestClient) -> None:
    assert client.post("/v1/claims/match", json={"text": ""}, headers=bearer(ADMIN_KEY)).status_code == 422
    assert client.post("/v1/claims/match", json={"text": "x"}).status_code == 401
