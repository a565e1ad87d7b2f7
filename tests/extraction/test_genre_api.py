"""`genre` on POST /v1/articles and the `unreadable` sentence label, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer

DEBATE = (
    "Town hall debate\n\n"
    "MODERATOR: Good evening. Ms Lind, you go first.\n\n"
    "LIND: We cut hospital waiting lists by half in 2023. I am proud of that.\n\n"
    "PAGE: Rents rose 12% last year. Council the of approved budget the.\n"
)


@pytest.mark.slow
def test_a_transcript_attributes_first_person_claims_to_its_speakers(
    client: TestClient, keys: dict[str, str]
) -> None:
    headers = bearer(keys["newsroom"])
    body = {"title": "Debate", "body": DEBATE, "genre": "transcript", "published_at": "2025-06-02"}
    response = client.post("/v1/articles", json=body, headers=headers)
    assert response.status_code == 201, response.text
    article = response.json()
    assert article["genre"] == "transcript"
    assert article["extraction"]["genre_detected"] is False
    texts = [claim["text"] for claim in article["claims"]]
    assert "Lind said they cut hospital waiting lists by half in 2023." in texts
    assert "Page said rents rose 12% in 2024." in texts
    for claim in article["claims"]:
        assert DEBATE[claim["span"][0] : claim["span"][1]] == claim["quote"]
        assert "LIND:" not in claim["quote"]
    # The speaker is stored with the claim, so the review queue and ClaimReview can name the claimant.
    lind = next(claim for claim in article["claims"] if claim["text"].startswith("Lind said"))
    assert client.get(f"/v1/claims/{lind['id']}", headers=headers).json()["speaker"] == "Lind"

    sentences = client.get(f"/v1/articles/{article['id']}/sentences", headers=headers).json()
    by_text = {s["text"]: s for s in sentences}
    garbled = by_text["Council the of approved budget the."]
    assert garbled["label"] == "unreadable"
    assert "'the of'" in garbled["reason"] and garbled["claim_count"] == 0
    assert by_text["Good evening."]["reason"] == "the moderator's line"
    assert "said by Lind" in by_text["We cut hospital waiting lists by half in 2023."]["reason"]
    assert client.get(f"/v1/articles/{article['id']}", headers=headers).json()["genre"] == "transcript"


@pytest.mark.slow
def test_the_genre_is_detected_and_stored_when_absent(client: TestClient, keys: dict[str, str]) -> None:
    headers = bearer(keys["newsroom"])
    body = {"title": "Debate", "body": DEBATE}
    article = client.post("/v1/articles", json=body, headers=headers).json()
    assert article["genre"] == "transcript"
    assert article["extraction"]["genre_detected"] is True
    editorial = "We believe the council was wrong. It approved a £4 million budget on Tuesday."
    stored = client.post("/v1/articles", json={"title": "View", "body": editorial}, headers=headers).json()
    assert stored["genre"] == "editorial"


def test_an_unknown_genre_is_a_422_naming_the_field(client: TestClient, keys: dict[str, str]) -> None:
    body = {"title": "Debate", "body": DEBATE, "genre": "poem"}
    response = client.post("/v1/articles", json=body, headers=bearer(keys["newsroom"]))
    assert response.status_code == 422
    assert "genre" in response.text


def test_decontextualised_is_stored_with_the_claim_and_returned(
    client: TestClient, keys: dict[str, str]
) -> None:
    headers = bearer(keys["newsroom"])
    body = (
        "MODERATOR: Your record, Ms Lind.\n\n"
        "LIND: We built 1,900 homes in 2023.\n\n"
        "PAGE: He closed 14 libraries in 2022.\n"
    )
    article = client.post(
        "/v1/articles", json={"title": "Debate", "body": body, "genre": "transcript"}, headers=headers
    ).json()
    flags = {claim["text"]: claim["decontextualised"] for claim in article["claims"]}
    assert flags["Lind said they built 1,900 homes in 2023."] is True
    # Page's 'he' names no one in Page's turn: the claim keeps it and says it leans on its context
    assert flags["Page said he closed 14 libraries in 2022."] is False
    page = next(claim for claim in article["claims"] if claim["text"].startswith("Page said"))
    assert client.get(f"/v1/claims/{page['id']}", headers=headers).json()["decontextualised"] is False
