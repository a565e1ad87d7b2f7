"""Agreement hints over the API (OpenAPI documented) and in the desk evidence panel, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from service.db import get_engine
from tests.conftest import ADMIN_KEY, bearer
from tests.ui.helpers import csrf_of, store_claim

CLAIM = "Vaccination coverage in Austria fell to 80 per cent in 2023."
CONFLICTING = "Austrian data show coverage with the first dose slipped to 84% in 2023."
CONSISTENT = "In 2023 Austria's vaccination coverage was 80 percent, the ministry said."


@pytest.fixture(autouse=True)
def lexical_retrieval(configure: Callable[..., None]) -> None:
    configure(SEMANTIC="off")


def _import(client: TestClient) -> None:
    for n, body in enumerate((CONFLICTING, CONSISTENT, "Measles outbreaks were reported in Romania.")):
        source = {"url": f"https://s.example/{n}", "title": "Vaccination in Austria", "text": body}
        assert client.post("/v1/sources", json=source, headers=bearer(ADMIN_KEY)).status_code == 201


@pytest.mark.slow
def test_every_passage_says_how_its_numbers_and_dates_agree_with_the_claim(client: TestClient) -> None:
    _import(client)
    found = client.post("/v1/evidence/search", json={"text": CLAIM}, headers=bearer(ADMIN_KEY)).json()
    by_text = {hit["passage"]: hit for hit in found}
    conflicting = by_text[CONFLICTING]
    assert conflicting["hint"] == "conflicting"
    assert conflicting["agreement"]["numbers"] == [
        {"claim": "80%", "passage": "84%", "agreement": "different"}
    ]
    assert conflicting["agreement"]["dates"] == [{"claim": "2023", "passage": "2023", "agreement": "same"}]
    assert by_text[CONSISTENT]["hint"] == "consistent"
    assert all(hit["hint"] in {"consistent", "conflicting", "unclear"} for hit in found)
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "hint" in schema["EvidenceOut"]["required"]
    assert set(schema["Hint"]["enum"]) == {"consistent", "conflicting", "unclear"}
    assert "differs" in schema["EvidenceOut"]["properties"]["hint"]["description"]
    status = client.get("/v1/evidence/status", headers=bearer(ADMIN_KEY)).json()
    assert status == {"retrieval": "lexical", "passages": 3, "passages_embedded": 0, "embeddings_pending": 3}


@pytest.mark.slow
def test_the_desk_evidence_panel_shows_the_hint_and_the_differing_value(client: TestClient) -> None:
    _import(client)
    claim_id = store_claim(get_engine(), CLAIM)
    form = client.get("/ui")
    signed_in = client.post(
        "/ui/sign-in",
        data={"api_key": ADMIN_KEY, "csrf_token": csrf_of(form.text), "next": "/ui/queue"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    page = client.get(f"/ui/claims/{claim_id}")
    assert page.status_code == 200
    assert 'class="badge hint-conflicting"' in page.text and 'class="badge hint-consistent"' in page.text
    assert "80% ≠ 84%" in page.text
