"""Passage embeddings (the semantic extra) on SQLite and PostgreSQL: computed in the background step,
readiness visible, and a passage sharing no content word with the claim found by its meaning.

The in-process worker embeds passages only with the hunk in service/imports/worker.py._embed_some."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.db import get_engine
from service.linking import embeddings
from service.matching import semantic
from tests.conftest import ADMIN_KEY, bearer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not semantic.available(), reason="the semantic extra is not installed"),
]

PARAPHRASE = "Wind, solar, biomass and hydro plants met 52 percent of German gross power demand."
CLAIM = "Renewables covered more than half of Germany's electricity consumption."


@pytest.fixture(autouse=True)
def semantic_retrieval(configure: Callable[..., None]) -> None:
    configure(SEMANTIC="on")


def test_embedded_passages_are_retrieved_by_meaning_and_readiness_is_reported(client: TestClient) -> None:
    bodies = [PARAPHRASE, *(f"Football club number {n} won the cup final on penalties." for n in range(5))]
    for n, body in enumerate(bodies):
        source = {"url": f"https://s.example/{n}", "title": f"Report {n}", "text": body}
        assert client.post("/v1/sources", json=source, headers=bearer(ADMIN_KEY)).status_code == 201
    status = client.get("/v1/evidence/status", headers=bearer(ADMIN_KEY)).json()
    assert status["retrieval"] == "semantic" and status["passages"] == 6
    assert status["passages_embedded"] + status["embeddings_pending"] == 6
    # The app's worker embeds them in the background; a second embedder meanwhile does no harm.
    with Session(get_engine()) as session:
        embeddings.embed_pending(session=session, limit=2)
    deadline = time.monotonic() + 120
    while client.get("/v1/evidence/status", headers=bearer(ADMIN_KEY)).json()["embeddings_pending"]:
        assert time.monotonic() < deadline, "the worker did not embed the passages"
        time.sleep(0.2)
    with Session(get_engine()) as session:
        assert embeddings.embed_pending(session=session) == 0
    after = client.post("/v1/evidence/search", json={"text": CLAIM}, headers=bearer(ADMIN_KEY)).json()
    assert after[0]["passage"] == PARAPHRASE
