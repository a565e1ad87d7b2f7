"""Bulk import and matching through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from service.claims.models import Claim, ClaimEvent, ClaimTag
from service.db import get_engine
from service.spreadsheet import safe_cell
from tests.conftest import ADMIN_KEY, bearer
from tests.imports.conftest import wait_for_job

NDJSON = {"Content-Type": "application/x-ndjson"}


def _ndjson(*rows: object) -> bytes:
    return "\n".join(json.dumps(row) for row in rows).encode() + b"\n"


def _import(client: TestClient, body: bytes, headers: dict[str, str] | None = None, **params: str) -> dict:
    response = client.post(
        "/v1/imports/claims",
        content=body,
        params=params,
        headers={**bearer(ADMIN_KEY), **NDJSON, **(headers or {})},
    )
    assert response.status_code == 202, response.text
    return wait_for_job(client, response.json()["id"])


def _claims() -> list[Claim]:
    with Session(get_engine()) as session:
        return list(session.exec(select(Claim).order_by(col(Claim.id))))


def test_ndjson_bad_rows_are_reported_by_line_and_good_rows_kept(client: TestClient) -> None:
    body = (
        _ndjson(
            {"text": "The moon is made of cheese", "verdict": "False", "tags": ["space", "food"]},
            {"text": ""},
            {"text": "NATO has 30 members", "claimed_at": "2020-13-01"},
            {"text": "Vaccines contain microchips", "rating": "Spicy"},
        )
        + b'{"text": "broken \xff utf-8"}\n'
        + _ndjson({"text": "Unemployment fell to 3 percent", "external_id": "pf-1", "speaker": "A. Minister"})
    )
    job = _import(client, body)
    assert job["status"] == "done"
    assert (job["total"], job["processed"], job["created"], job["failed"]) == (6, 6, 2, 4)
    assert [error["line"] for error in job["errors"]] == [2, 3, 4, 5]
    assert job["errors"][0]["error"] == "text: required"
    assert "claimed_at" in job["errors"][1]["error"]
    assert "unknown verdict 'Spicy'" in job["errors"][2]["error"]
    assert job["errors"][3]["error"] == "not valid UTF-8"

    moon, unemployment = _claims()
    assert (moon.status, moon.verdict, moon.reviewed_at is not None) == ("reviewed", "false", True)
    assert (unemployment.status, unemployment.verdict, unemployment.external_id) == ("new", None, "pf-1")
    with Session(get_engine()) as session:
        events = list(session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == moon.id)))
        tags = sorted(tag.tag for tag in session.exec(select(ClaimTag).where(ClaimTag.claim_id == moon.id)))
    assert [event.action for event in events] == ["imported"]
    assert events[0].after["verdict"] == "false"
    assert tags == ["food", "space"]

    errors_csv = client.get(f"/v1/imports/{job['id']}/errors.csv", headers=bearer(ADMIN_KEY))
    assert errors_csv.status_code == 200
    assert errors_csv.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(errors_csv.text)))[:2] == [["line", "error"], ["2", "text: required"]]


def test_errors_csv_cells_cannot_run_as_formulas() -> None:
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("+1") == "'+1"
    assert safe_cell("-1") == "'-1"
    assert safe_cell("@x") == "'@x"
    assert safe_cell("\tx") == "'\tx"
    assert safe_cell("text: required") == "text: required"


def test_csv_and_claim_review_uploads(client: TestClient) -> None:
    csv_body = (
        b"text,rating,claimed_at,tags\nMinimum wage doubled,Half True,2021-02-03,economy;wages\n,false,,\n"
    )
    response = client.post(
        "/v1/imports/claims", content=csv_body, headers={**bearer(ADMIN_KEY), "Content-Type": "text/csv"}
    )
    assert response.status_code == 202
    job = wait_for_job(client, response.json()["id"])
    assert (job["format"], job["created"], job["failed"], job["errors"]) == (
        "csv",
        1,
        1,
        [{"line": 3, "error": "text: required"}],
    )

    reviews = [
        {
            "@type": "ClaimReview",
            "claimReviewed": "Wind turbines cause cancer",
            "url": "https://checker.example/wind",
            "author": {"name": "Checker"},
            "reviewRating": {"alternateName": "Pants on Fire"},
        },
        {
            "@type": "ClaimReview",
            "claimReviewed": "Bananas are radioactive",
            "reviewRating": {"alternateName": "?"},
        },
    ]
    response = client.post(
        "/v1/imports/claims",
        content=json.dumps(reviews, indent=1).encode(),
        headers={**bearer(ADMIN_KEY), "Content-Type": "application/ld+json"},
    )
    job = wait_for_job(client, response.json()["id"])
    assert (job["format"], job["created"], job["failed"]) == ("claimreview", 1, 1)
    wind = next(claim for claim in _claims() if claim.text.startswith("Wind"))
    assert (wind.verdict, wind.publisher, wind.review_url) == (
        "false",
        "Checker",
        "https://checker.example/wind",
    )


def test_idempotency_key_retry_answers_the_original_job(client: TestClient) -> None:
    body = _ndjson({"text": "Retried upload claim"})
    headers = {**bearer(ADMIN_KEY), **NDJSON, "Idempotency-Key": "upload-42"}
    first = client.post("/v1/imports/claims", content=body, headers=headers)
    wait_for_job(client, first.json()["id"])
    again = client.post("/v1/imports/claims", content=body, headers=headers)
    assert again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created"] == 1
    assert len(_claims()) == 1
    listing = client.get("/v1/imports", headers=bearer(ADMIN_KEY)).json()
    assert [item["id"] for item in listing["items"]] == [first.json()["id"]]


def test_duplicates_skipped_by_default_and_kept_with_duplicate_of(client: TestClient) -> None:
    original = "The European Union banned bent bananas in 1994"
    _import(client, _ndjson({"text": original, "verdict": "false"}))
    (stored,) = _claims()
    repeats = _ndjson(
        {"text": "the European Union BANNED bent bananas in 1994!"},  # same normalised text
        {"text": "The European Union banned bent bananas back in 1994"},  # fuzzy
        {"text": "Sharks are mammals"},
    )
    skipped = _import(client, repeats)
    assert (skipped["created"], skipped["duplicates"]) == (1, 2)
    assert len(_claims()) == 2
    with Session(get_engine()) as session:
        links = list(
            session.exec(
                select(ClaimEvent).where(
                    ClaimEvent.claim_id == stored.id, ClaimEvent.action == "duplicate_skipped"
                )
            )
        )
    assert sorted(event.after["line"] for event in links) == [1, 2]

    kept = _import(client, repeats, on_duplicate="keep")
    assert (kept["created"], kept["duplicates"]) == (3, 3)
    new_claims = _claims()[2:]
    assert [claim.duplicate_of for claim in new_claims[:2]] == [stored.id, stored.id]
    sharks = [claim for claim in _claims() if claim.text == "Sharks are mammals"]
    assert sharks[1].duplicate_of == sharks[0].id


@pytest.mark.slow
def test_readers_and_checkers_cannot_import(client: TestClient, keys: dict[str, str]) -> None:
    body = _ndjson({"text": "x"})
    for role in ("reader", "checker"):
        response = client.post("/v1/imports/claims", content=body, headers={**bearer(keys[role]), **NDJSON})
        assert response.status_code == 403, role
        assert response.json()["error"]["code"] == "forbidden"
    assert client.post("/v1/imports/claims", content=body, headers=NDJSON).status_code == 401
    newsroom = client.post("/v1/imports/claims", content=body, headers={**bearer(keys["newsroom"]), **NDJSON})
    assert newsroom.status_code == 202
    assert client.get("/v1/imports/999999", headers=bearer(ADMIN_KEY)).status_code == 404


def test_unknown_format_is_422(client: TestClient) -> None:
    response = client.post(
        "/v1/imports/claims", content=b"x", headers={**bearer(ADMIN_KEY), "Content-Type": "text/plain"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "format"}


def test_upload_over_max_import_bytes_is_413_and_leaves_no_job(
    configure: Callable[..., None], database_url: str
) -> None:
    configure(MAX_IMPORT_BYTES="2000", WORKER_POLL_SECONDS="0.05", SEMANTIC="off")
    from service.main import create_app

    body = _ndjson(*({"text": f"claim number {n}"} for n in range(200)))

    def streamed() -> Iterator[bytes]:
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    with TestClient(create_app()) as client:
        declared = client.post("/v1/imports/claims", content=body, headers={**bearer(ADMIN_KEY), **NDJSON})
        assert declared.status_code == 413
        assert declared.json()["error"]["code"] == "payload_too_large"
        chunked = client.post(
            "/v1/imports/claims", content=streamed(), headers={**bearer(ADMIN_KEY), **NDJSON}
        )
        assert chunked.status_code == 413
        assert client.get("/v1/imports", headers=bearer(ADMIN_KEY)).json()["items"] == []


def test_match_returns_prior_checks_best_first(client: TestClient) -> None:
    _import(
        client,
        _ndjson(
            {
                "text": "Drinking bleach cures COVID-19",
                "verdict": "false",
                "external_id": "af-9",
                "review_url": "https://checker.example/bleach",
                "publisher": "Checker",
            },
            {"text": "COVID-19 vaccines were tested on millions of people", "verdict": "true"},
            {"text": "Bleach is sold in supermarkets"},
        ),
    )
    response = client.post(
        "/v1/claims/match",
        json={"text": "BREAKING: drinking bleach cures covid 19!! https://t.co/abc", "limit": 2},
        headers=bearer(ADMIN_KEY),
    )
    assert response.status_code == 200
    assert response.json()["matcher"] == "lexical"
    found = response.json()["results"]
    assert len(found) == 2
    assert found[0]["external_id"] == "af-9"
    assert (found[0]["verdict"], found[0]["status"], found[0]["publisher"]) == (
        "false",
        "reviewed",
        "Checker",
    )
    assert found[0]["review_url"] == "https://checker.example/bleach"
    assert found[0]["score"] > found[1]["score"]
    assert set(found[0]) == {
        "id",
        "external_id",
        "text",
        "score",
        "status",
        "verdict",
        "relation",
        "differs",
        "differences",
        "reusable_verdict",
        "review_url",
        "publisher",
        "reviewed_at",
    }
    bad = client.post("/v1/claims/match", json={"text": "", "limit": 5}, headers=bearer(ADMIN_KEY))
    assert bad.status_code == 422


def test_prior_checks_only_returns_checked_claims_above_threshold(client: TestClient) -> None:
    from service.matching.matcher import prior_checks
    from service.settings import get_settings

    _import(
        client,
        _ndjson(
            {"text": "Drinking bleach cures COVID-19", "verdict": "false"},
            {"text": "Drinking bleach cures the flu"},  # not reviewed: never a prior check
        ),
    )
    with Session(get_engine()) as session:
        found = prior_checks(
            session=session,
            texts=["Drinking bleach cures COVID-19, he said", "Parliament passed the budget"],
            settings=get_settings(),
        )
    assert [[check.verdict for check in checks] for checks in found] == [["false"], []]


def test_sources_import_creates_then_updates_by_url(client: TestClient) -> None:
    rows = _ndjson(
        {
            "url": "https://ref.example/a",
            "title": "A",
            "text": "NATO was founded in 1949. It has 32 members.",
        },
        {"url": "https://ref.example/b", "title": ""},
    )
    response = client.post("/v1/imports/sources", content=rows, headers={**bearer(ADMIN_KEY), **NDJSON})
    assert response.status_code == 202
    job = wait_for_job(client, response.json()["id"])
    assert (job["kind"], job["created"], job["updated"], job["failed"]) == ("sources", 1, 0, 1)
    assert job["errors"][0]["line"] == 2
    again = client.post("/v1/imports/sources", content=rows, headers={**bearer(ADMIN_KEY), **NDJSON})
    job = wait_for_job(client, again.json()["id"])
    assert (job["created"], job["updated"]) == (0, 1)
    with Session(get_engine()) as session:
        assert session.exec(select(func.count()).select_from(Claim)).one() == 0


def test_new_article_claims_carry_prior_checks(client: TestClient) -> None:
    claim_text = "Unemployment fell to 3.1 percent in 2023, the lowest level since 1974"
    _import(
        client,
        _ndjson({"text": claim_text, "verdict": "mostly_true", "review_url": "https://checker.example/jobs"}),
    )
    response = client.post(
        "/v1/articles",
        json={
            "title": "Jobs",
            "body": f"The minister spoke on Monday. {claim_text}, she said in parliament.",
        },
        headers=bearer(ADMIN_KEY),
    )
    assert response.status_code == 201, response.text
    article_claims = response.json()["claims"]
    assert article_claims, "the extractor must find the unemployment claim"
    matched = [claim for claim in article_claims if claim["matches"]]
    assert matched
    assert matched[0]["matches"][0]["verdict"] == "mostly_true"
    assert matched[0]["matches"][0]["review_url"] == "https://checker.example/jobs"


def test_claim_review_array_on_one_line_keeps_every_element(client: TestClient) -> None:
    # json.dumps writes an array on one line: every element starts on line 1, and each must still be a row.
    reviews = [
        {"@type": "ClaimReview", "claimReviewed": f"Rail fares in Scotland rose {rise}% in March 2023"}
        for rise in ("5.1", "25.1", "7.4")
    ]
    reviews.append({"@type": "ClaimReview", "claimReviewed": ""})
    job = _import(client, json.dumps(reviews).encode(), headers={"Content-Type": "application/ld+json"})
    assert (job["status"], job["total"], job["created"], job["failed"]) == ("done", 4, 3, 1)
    assert [error["line"] for error in job["errors"]] == [4]
    stored = sorted(claim.text for claim in _claims())
    assert stored == sorted(review["claimReviewed"] for review in reviews[:3])
