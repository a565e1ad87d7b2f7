"""Embedding readiness: how many claims of an import wait for an embedding, and which matcher answered."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from service.claims.models import Claim
from service.db import get_engine
from service.identity import claim_signature
from service.matching import features, semantic
from service.matching.matcher import Found, matcher_of
from service.matching.models import ClaimEmbedding
from service.matching.schemas import Matcher
from tests.conftest import ADMIN_KEY, bearer
from tests.imports.conftest import wait_for_job

ROWS = [
    {"text": "The prime minister resigned after the scandal", "verdict": "true"},
    {"text": "Vaccines cause infertility in women", "verdict": "false"},
    {"text": "The city banned cars from the centre in 2019", "verdict": "true"},
]


def _import(client: TestClient) -> dict[str, Any]:
    response = client.post(
        "/v1/imports/claims",
        content="\n".join(json.dumps(row) for row in ROWS).encode(),
        headers={**bearer(ADMIN_KEY), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.text
    return wait_for_job(client, response.json()["id"])


@pytest.mark.slow
def test_pending_counts_the_jobs_claims_without_an_embedding(client: TestClient) -> None:
    job = _import(client)
    with Session(get_engine()) as session:
        assert semantic.pending_for_job(session=session, job_id=job["id"]) == 3
        first = session.exec(select(Claim.id).order_by(col(Claim.id))).first()
        assert first is not None
        session.add(ClaimEmbedding(claim_id=first, model=semantic.MODEL_NAME, vector=b"\0" * 768))
        session.commit()
        assert semantic.pending_for_job(session=session, job_id=job["id"]) == 2
        assert semantic.pending_for_job(session=session, job_id=job["id"] + 1) == 0


def _found(claim_id: int, cosine: float | None) -> Found:
    signature = claim_signature("x")
    return Found(
        claim=Claim(id=claim_id, text="x"),
        candidate=features.candidate_of(claim_id=claim_id, text="x", title=None, signature=signature),
        placement=features.Placement(
            bm25_rank=0, bm25_relative=1.0, cosine=cosine, cosine_rank=None, cosine_best=cosine
        ),
    )


def test_the_matcher_is_mixed_while_some_candidates_wait_for_embeddings() -> None:
    assert matcher_of([]) == Matcher.lexical
    assert matcher_of([_found(1, None), _found(2, None)]) == Matcher.lexical
    assert matcher_of([_found(1, 0.5), _found(2, None)]) == Matcher.mixed
    assert matcher_of([_found(1, 0.5), _found(2, 0.2)]) == Matcher.semantic


@pytest.fixture
def semantic_on(configure: Callable[..., None], database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the embedding step is database-agnostic; once on SQLite is enough")
    configure(WORKER_POLL_SECONDS="0.05", SEMANTIC="on")


@pytest.mark.slow
@pytest.mark.skipif(not semantic.available(), reason="the semantic extra is not installed")
def test_an_import_reports_pending_embeddings_until_the_worker_has_embedded_them(
    semantic_on: None, client: TestClient
) -> None:
    job = _import(client)
    deadline = time.monotonic() + 120
    while (pending := client.get(f"/v1/imports/{job['id']}", headers=bearer(ADMIN_KEY)).json())[
        "embeddings_pending"
    ] != 0:
        assert pending["embeddings_pending"] in (1, 2, 3) and time.monotonic() < deadline, pending
        time.sleep(0.1)
    answer = client.post(
        "/v1/claims/match",
        json={"text": "Getting the jab makes women unable to have children"},
        headers=bearer(ADMIN_KEY),
    ).json()
    assert answer["matcher"] == "semantic"
    assert answer["results"][0]["text"] == ROWS[1]["text"]
