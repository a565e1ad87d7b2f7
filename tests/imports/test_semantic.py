"""The semantic extra: embeddings computed after import, cosine used in matching, lexical fallback."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from service.db import get_engine
from service.matching import semantic
from service.matching.models import ClaimEmbedding
from tests.conftest import ADMIN_KEY, bearer
from tests.imports.conftest import wait_for_job

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not semantic.available(), reason="the semantic extra is not installed"),
]


@pytest.fixture
def semantic_on(configure: Callable[..., None], database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the embedding step is database-agnostic; once on SQLite is enough")
    configure(WORKER_POLL_SECONDS="0.05", SEMANTIC="on")


def test_embeddings_arrive_after_import_and_paraphrases_match(semantic_on: None, client: TestClient) -> None:
    rows = [
        {"text": "The prime minister resigned after the scandal", "verdict": "true", "external_id": "pm"},
        {"text": "A new vaccine causes infertility in women", "verdict": "false", "external_id": "vax"},
        {"text": "The city council approved a budget for new bicycle lanes", "external_id": "bike"},
    ]
    body = "\n".join(json.dumps(row) for row in rows).encode()
    response = client.post(
        "/v1/imports/claims",
        content=body,
        headers={**bearer(ADMIN_KEY), "Content-Type": "application/x-ndjson"},
    )
    assert wait_for_job(client, response.json()["id"])["created"] == 3

    # The worker embeds imported claims in its idle time, after the import job is done.
    with Session(get_engine()) as session:
        for _ in range(600):
            if session.exec(select(func.count()).select_from(ClaimEmbedding)).one() == 3:
                break
            session.rollback()
            time.sleep(0.1)
        assert session.exec(select(func.count()).select_from(ClaimEmbedding)).one() == 3

    found = client.post(
        "/v1/claims/match",
        json={"text": "Getting the jab makes women unable to have children", "limit": 3},
        headers=bearer(ADMIN_KEY),
    ).json()["results"]
    assert found[0]["external_id"] == "vax"
