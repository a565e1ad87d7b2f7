"""Every stored claim carries its signature: extracted claims and odd imported rows, on both databases."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from service.claims.models import Claim
from service.db import get_engine
from service.identity import ClaimSignature, claim_signature
from tests.conftest import ADMIN_KEY, bearer
from tests.imports.conftest import wait_for_job

PUBLISHED = dt.date(2025, 6, 2)


def _stored() -> list[Claim]:
    with Session(get_engine()) as session:
        return list(session.exec(select(Claim).order_by(col(Claim.id))))


def test_extracted_claims_are_signed_when_stored(client: TestClient, keys: dict[str, str]) -> None:
    body = {
        "title": "Budget",
        "body": "The council approved a £4 million budget on Tuesday. Rents in Leeds rose 12% in 2024.",
        "published_at": "2025-06-02",
    }
    response = client.post("/v1/articles", json=body, headers=bearer(keys["newsroom"]))
    assert response.status_code == 201, response.text
    claims = _stored()
    assert claims
    for claim in claims:
        assert claim.signature is not None
        signature = ClaimSignature.from_json(claim.signature)
        assert signature == claim_signature(claim.text, reference_date=PUBLISHED)
        assert claim.signature_key == signature.key
    assert any("GBP 4 million" in ClaimSignature.from_json(c.signature or "").quantities for c in claims)


@pytest.mark.slow
def test_rows_with_unparsable_numbers_import_with_their_text_kept(client: TestClient) -> None:
    texts = [
        "Version 1.2.3 of the law passed",
        "Turnout was 5,5,5 percent",
        "🙂 9,99 € per ticket",
        "1.2.3.4.5",
    ]
    body = "\n".join(json.dumps({"text": text}) for text in texts).encode() + b"\n"
    response = client.post(
        "/v1/imports/claims",
        content=body,
        headers={**bearer(ADMIN_KEY), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["id"])
    assert (job["status"], job["created"], job["failed"]) == ("done", len(texts), 0)
    stored = {claim.text: ClaimSignature.from_json(claim.signature or "") for claim in _stored()}
    assert stored["Version 1.2.3 of the law passed"].quantities == ("1.2.3",)
    assert stored["1.2.3.4.5"].quantities == ("1.2.3.4.5",)
