"""Sources and evidence through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from service.claims.models import Claim, ClaimEvent
from service.db import get_engine
from service.linking.models import EvidenceLink, Passage
from tests.conftest import ADMIN_KEY, bearer

DEMO = Path(__file__).resolve().parents[2] / "demo" / "reference_sources.ndjson"
SIX_COUNTRIES = ["Romania", "Bulgaria", "Estonia", "Latvia", "Lithuania", "Poland"]
SIX_COUNTRY_CLAIM = (
    "Putin wants Nato to withdraw from countries on Russia's western periphery that joined the alliance "
    "after the Soviet collapse: Romania and Bulgaria, Estonia, Latvia, Lithuania and Poland."
)
ROMANIA_URL = "https://reference.example/russia-mfa-romania-bulgaria-2022-01-21"
NATO_ONLY_URL = "https://reference.example/nato-founding-1949"


def _import_demo(client: TestClient) -> None:
    for line in DEMO.read_text(encoding="utf-8").splitlines():
        response = client.post("/v1/sources", json=json.loads(line), headers=bearer(ADMIN_KEY))
        assert response.status_code == 201, response.text


def _make_claim(text: str, items: list[str]) -> int:
    with Session(get_engine()) as session:
        claim = Claim(text=text, text_normalized=text.lower(), items=items)
        session.add(claim)
        session.commit()
        assert claim.id is not None
        return claim.id


def _passage_id(client: TestClient, url: str, contains: str) -> int:
    listing = client.get("/v1/sources", params={"limit": 200}, headers=bearer(ADMIN_KEY)).json()
    source_id = next(item["id"] for item in listing["items"] if item["url"] == url)
    source = client.get(f"/v1/sources/{source_id}", headers=bearer(ADMIN_KEY)).json()
    return int(next(p["id"] for p in source["passages"] if contains in p["text"]))


def test_source_is_created_then_updated_by_url_with_passages_resplit(client: TestClient) -> None:
    body = {"url": "https://s.example/a", "title": "A", "text": "NATO met in Brussels. It agreed nothing."}
    created = client.post("/v1/sources", json=body, headers=bearer(ADMIN_KEY))
    assert created.status_code == 201
    source = created.json()
    assert source["created"] is True
    for passage in source["passages"]:
        start, end = passage["span"]
        assert body["text"][start:end] == passage["text"]

    body["text"] = "Russia named Romania and Bulgaria. The talks in Geneva ended without agreement."
    body["published_at"] = "2022-01-21"
    updated = client.post("/v1/sources", json=body, headers=bearer(ADMIN_KEY))
    assert updated.status_code == 200
    assert updated.json()["id"] == source["id"] and updated.json()["created"] is False
    assert updated.json()["published_at"].startswith("2022-01-21")
    fetched = client.get(f"/v1/sources/{source['id']}", headers=bearer(ADMIN_KEY)).json()
    assert "".join(p["text"] for p in fetched["passages"]).startswith("Russia named Romania")
    found = client.post("/v1/evidence/search", json={"text": "Brussels"}, headers=bearer(ADMIN_KEY)).json()
    assert found == []
    found = client.post("/v1/evidence/search", json={"text": "Romania"}, headers=bearer(ADMIN_KEY)).json()
    assert [hit["source_id"] for hit in found] == [source["id"]]


def test_sources_list_pages_with_a_cursor(client: TestClient) -> None:
    for n in range(5):
        body = {"url": f"https://s.example/{n}", "title": f"T{n}", "text": f"Passage number {n}."}
        assert client.post("/v1/sources", json=body, headers=bearer(ADMIN_KEY)).status_code == 201
    first = client.get("/v1/sources", params={"limit": 3}, headers=bearer(ADMIN_KEY)).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = client.get(
        "/v1/sources", params={"limit": 3, "cursor": first["next_cursor"]}, headers=bearer(ADMIN_KEY)
    ).json()
    assert [item["url"] for item in first["items"] + second["items"]] == [
        f"https://s.example/{n}" for n in range(5)
    ]
    assert second["next_cursor"] is None
    assert first["items"][0]["passage_count"] == 1
    bad = client.get("/v1/sources", params={"cursor": "!!"}, headers=bearer(ADMIN_KEY))
    assert bad.status_code == 422


@pytest.mark.slow
def test_six_country_claim_evidence_puts_romania_and_bulgaria_above_nato_only(client: TestClient) -> None:
    _import_demo(client)
    claim_id = _make_claim(SIX_COUNTRY_CLAIM, SIX_COUNTRIES)
    response = client.get(f"/v1/claims/{claim_id}/evidence", params={"limit": 20}, headers=bearer(ADMIN_KEY))
    assert response.status_code == 200
    evidence = response.json()
    urls = [hit["url"] for hit in evidence]
    assert ROMANIA_URL in urls[:4]
    if NATO_ONLY_URL in urls:
        assert urls.index(ROMANIA_URL) < urls.index(NATO_ONLY_URL)
    scores = [hit["score"] for hit in evidence]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    romania = evidence[urls.index(ROMANIA_URL)]
    assert {"Romania", "Bulgaria"} <= set(romania["matched_items"])
    assert romania["pinned"] is False and romania["relation"] is None
    source = client.get(f"/v1/sources/{romania['source_id']}", headers=bearer(ADMIN_KEY)).json()
    start, end = romania["span"]
    assert source["text"][start:end] == romania["passage"]
    for highlight in romania["highlights"]:
        assert source["text"][highlight["start"] : highlight["end"]] == highlight["text"]
    assert {"Romania", "Bulgaria"} <= {h["text"] for h in romania["highlights"]}


HOSTILE_TEXTS = [
    'NATO" OR "x',
    "Romania NEAR(Bulgaria, 2)",
    "* AND OR NOT ^ -- ;",
    "'); DROP TABLE passage; --",
    "(((Russia",
    "\u00e9t\u00e9 & | ! <-> :*",
    "a",
]


@pytest.mark.slow
def test_hostile_search_text_never_breaks_the_query(client: TestClient) -> None:
    body = {
        "url": "https://s.example/h",
        "title": "H",
        "text": "Russia named Romania and Bulgaria as NATO members.",
    }
    client.post("/v1/sources", json=body, headers=bearer(ADMIN_KEY))
    for hostile in HOSTILE_TEXTS:
        response = client.post(
            "/v1/evidence/search", json={"text": hostile, "limit": 5}, headers=bearer(ADMIN_KEY)
        )
        assert response.status_code == 200, (hostile, response.text)
        assert isinstance(response.json(), list)
    claim_id = _make_claim(HOSTILE_TEXTS[0] + " " + HOSTILE_TEXTS[3], ['"Romania*', "NEAR("])
    assert client.get(f"/v1/claims/{claim_id}/evidence", headers=bearer(ADMIN_KEY)).status_code == 200
    assert client.get("/v1/sources", headers=bearer(ADMIN_KEY)).json()["items"]


@pytest.mark.slow
def test_pinned_links_stay_on_top_and_rejected_ones_disappear(
    client: TestClient, keys: dict[str, str]
) -> None:
    _import_demo(client)
    claim_id = _make_claim(SIX_COUNTRY_CLAIM, SIX_COUNTRIES)
    nato_only = _passage_id(client, NATO_ONLY_URL, "North Atlantic")
    before = client.get(f"/v1/claims/{claim_id}/evidence", headers=bearer(keys["checker"])).json()
    best = before[0]["passage_id"]

    pinned = client.post(
        f"/v1/claims/{claim_id}/evidence/{nato_only}",
        json={"relation": "context"},
        headers=bearer(keys["checker"]),
    )
    assert pinned.status_code == 200, pinned.text
    assert pinned.json()["relation"] == "context"
    rejected = client.post(
        f"/v1/claims/{claim_id}/evidence/{best}",
        json={"relation": "irrelevant"},
        headers=bearer(keys["checker"]),
    )
    assert rejected.status_code == 200

    after = client.get(f"/v1/claims/{claim_id}/evidence", headers=bearer(keys["reader"])).json()
    assert after[0]["passage_id"] == nato_only
    assert after[0]["pinned"] is True and after[0]["relation"] == "context"
    assert best not in [hit["passage_id"] for hit in after]
    assert all(hit["pinned"] is False for hit in after[1:])

    with Session(get_engine()) as session:
        events = session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim_id)).all()
    assert [(e.action, e.after) for e in events] == [
        ("evidence_pinned", "context"),
        ("evidence_rejected", "irrelevant"),
    ]


def test_deleting_a_source_takes_its_passages_index_entries_and_links(client: TestClient) -> None:
    body = {"url": "https://s.example/d", "title": "D", "text": "Russia named Romania and Bulgaria."}
    source = client.post("/v1/sources", json=body, headers=bearer(ADMIN_KEY)).json()
    claim_id = _make_claim("Russia named Romania", ["Romania"])
    passage_id = source["passages"][0]["id"]
    linked = client.post(
        f"/v1/claims/{claim_id}/evidence/{passage_id}",
        json={"relation": "supports"},
        headers=bearer(ADMIN_KEY),
    )
    assert linked.status_code == 200

    assert client.delete(f"/v1/sources/{source['id']}", headers=bearer(ADMIN_KEY)).status_code == 204
    assert client.get(f"/v1/sources/{source['id']}", headers=bearer(ADMIN_KEY)).status_code == 404
    assert client.delete(f"/v1/sources/{source['id']}", headers=bearer(ADMIN_KEY)).status_code == 404
    assert (
        client.post("/v1/evidence/search", json={"text": "Romania"}, headers=bearer(ADMIN_KEY)).json() == []
    )
    assert client.get(f"/v1/claims/{claim_id}/evidence", headers=bearer(ADMIN_KEY)).json() == []
    with Session(get_engine()) as session:
        assert session.exec(select(func.count()).select_from(Passage)).one() == 0
        assert session.exec(select(func.count()).select_from(EvidenceLink)).one() == 0


def test_roles_reader_cannot_write_and_checker_cannot_create_sources(
    client: TestClient, keys: dict[str, str]
) -> None:
    body = {"url": "https://s.example/r", "title": "R", "text": "Russia named Romania."}
    assert client.post("/v1/sources", json=body).status_code == 401
    assert client.post("/v1/sources", json=body, headers=bearer(keys["reader"])).status_code == 403
    assert client.post("/v1/sources", json=body, headers=bearer(keys["checker"])).status_code == 403
    source = client.post("/v1/sources", json=body, headers=bearer(keys["newsroom"])).json()
    claim_id = _make_claim("Russia named Romania", ["Romania"])
    passage_id = source["passages"][0]["id"]
    pin = f"/v1/claims/{claim_id}/evidence/{passage_id}"
    assert client.post(pin, json={"relation": "supports"}, headers=bearer(keys["reader"])).status_code == 403
    assert (
        client.post(pin, json={"relation": "supports"}, headers=bearer(keys["newsroom"])).status_code == 403
    )
    assert client.delete(f"/v1/sources/{source['id']}", headers=bearer(keys["reader"])).status_code == 403
    assert client.delete(f"/v1/sources/{source['id']}", headers=bearer(keys["checker"])).status_code == 403
    assert client.get(f"/v1/claims/{claim_id}/evidence", headers=bearer(keys["reader"])).status_code == 200
    assert client.delete(f"/v1/sources/{source['id']}", headers=bearer(keys["newsroom"])).status_code == 204


def test_bad_input_gets_404_or_422_in_the_one_shape(client: TestClient) -> None:
    headers = bearer(ADMIN_KEY)
    assert client.get("/v1/claims/999/evidence", headers=headers).json()["error"]["code"] == "not_found"
    assert client.get("/v1/sources/999", headers=headers).status_code == 404
    claim_id = _make_claim("Russia named Romania", ["Romania"])
    unknown = client.post(
        f"/v1/claims/{claim_id}/evidence/999", json={"relation": "supports"}, headers=headers
    )
    assert unknown.status_code == 404
    source = client.post(
        "/v1/sources", json={"url": "https://s.example/b", "title": "B", "text": "Romania."}, headers=headers
    ).json()
    bad_relation = client.post(
        f"/v1/claims/{claim_id}/evidence/{source['passages'][0]['id']}",
        json={"relation": "maybe"},
        headers=headers,
    )
    assert bad_relation.status_code == 422 and bad_relation.json()["error"]["code"] == "invalid_input"
    assert (
        client.get(f"/v1/claims/{claim_id}/evidence", params={"limit": 0}, headers=headers).status_code == 422
    )
    assert client.post("/v1/evidence/search", json={"text": "  "}, headers=headers).status_code == 422
    missing_text = client.post(
        "/v1/sources", json={"url": "https://s.example/c", "title": "C"}, headers=headers
    )
    assert missing_text.status_code == 422
    assert "text" in json.dumps(missing_text.json()["error"]["details"])


def _evidence_urls(client: TestClient, claim_id: int) -> list[str]:
    response = client.get(f"/v1/claims/{claim_id}/evidence", headers=bearer(ADMIN_KEY))
    assert response.status_code == 200
    return [item["url"] for item in response.json()]


def _cache_hits(client: TestClient) -> float:
    metrics = client.get("/metrics").text
    line = next(
        (
            line
            for line in metrics.splitlines()
            if line.startswith('claimcheck_evidence_cache_total{outcome="hit"}')
        ),
        None,
    )
    return float(line.split()[-1]) if line else 0.0


def test_repeated_evidence_is_served_again_until_a_source_the_claim_or_a_judgement_changes(
    client: TestClient,
) -> None:
    first = {
        "url": "https://s.example/a",
        "title": "A",
        "text": "Russia named Romania and Bulgaria in its list.",
    }
    client.post("/v1/sources", json=first, headers=bearer(ADMIN_KEY)).raise_for_status()
    claim_id = _make_claim("Russia named Romania and Bulgaria", ["Romania", "Bulgaria"])
    assert _evidence_urls(client, claim_id) == [first["url"]]
    hits = _cache_hits(client)
    assert _evidence_urls(client, claim_id) == [first["url"]]
    assert _cache_hits(client) == hits + 1

    # A new source, an edited one, a deleted one: each is seen at once.
    second = {
        "url": "https://s.example/b",
        "title": "B",
        "text": "Russia named Romania and Bulgaria on Friday.",
    }
    client.post("/v1/sources", json=second, headers=bearer(ADMIN_KEY)).raise_for_status()
    assert sorted(_evidence_urls(client, claim_id)) == sorted([first["url"], second["url"]])
    edited = {**second, "text": "Nothing about the Balkans here at all."}
    client.post("/v1/sources", json=edited, headers=bearer(ADMIN_KEY)).raise_for_status()
    assert _evidence_urls(client, claim_id) == [first["url"]]
    listing = client.get("/v1/sources", headers=bearer(ADMIN_KEY)).json()["items"]
    first_id = next(item["id"] for item in listing if item["url"] == first["url"])
    assert client.delete(f"/v1/sources/{first_id}", headers=bearer(ADMIN_KEY)).status_code == 204
    assert _evidence_urls(client, claim_id) == []

    # An edit of the claim, and a judgement on a passage, too.
    client.post("/v1/sources", json=second, headers=bearer(ADMIN_KEY)).raise_for_status()
    assert _evidence_urls(client, claim_id) == [second["url"]]
    with Session(get_engine()) as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        claim.text, claim.items, claim.version = "Wolves returned to the Alps", [], claim.version + 1
        session.add(claim)
        session.commit()
    assert _evidence_urls(client, claim_id) == []
    passage_id = _passage_id(client, second["url"], "Romania")
    client.post(
        f"/v1/claims/{claim_id}/evidence/{passage_id}",
        json={"relation": "context"},
        headers=bearer(ADMIN_KEY),
    ).raise_for_status()
    assert _evidence_urls(client, claim_id) == [second["url"]]
