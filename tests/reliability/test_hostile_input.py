"""Hostile input through the real app: nothing a client sends may produce a 500, a hang or a leak."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.db import get_engine
from service.imports.models import ImportJob
from tests.conftest import ADMIN_KEY, bearer

ADMIN = bearer(ADMIN_KEY)
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
SQL_METACHARACTERS = [
    "%",
    "_",
    "'",
    '"',
    "\\",
    "' OR '1'='1",
    "1; DROP TABLE claim; --",
    "') OR 1=1 --",
    "*",
    "NEAR(",
    "a:b",
    "$1",
    "%%' UNION SELECT key_hash FROM api_key --",
]


def wait_for_import(client: TestClient, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/v1/imports/{job_id}", headers=ADMIN).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    pytest.fail(f"import {job_id} did not finish")


def import_claims(client: TestClient, ndjson: bytes) -> dict[str, Any]:
    response = client.post(
        "/v1/imports/claims?format=ndjson&on_duplicate=keep",
        content=ndjson,
        headers={**ADMIN, "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.text
    return wait_for_import(client, response.json()["id"])


def assert_error_shape(response: Any, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    error = response.json()["error"]
    assert error["code"] and error["message"]


def test_100000_nested_arrays_get_4xx_on_every_json_endpoint(app: FastAPI, client: TestClient) -> None:
    endpoints = [
        ("POST", "/v1/articles"),
        ("POST", "/v1/keys"),
        ("POST", "/v1/sources"),
        ("POST", "/v1/evidence/search"),
        ("POST", "/v1/claims/match"),
        ("POST", "/v1/webhooks"),
        ("PATCH", "/v1/claims/1"),
        ("POST", "/v1/claims/1/reviews"),
    ]
    for method, path in endpoints:
        headers = {**ADMIN, "Content-Type": "application/json", "If-Match": '"1-1"'}
        response = client.request(method, path, content=DEEP_JSON, headers=headers)
        assert_error_shape(response, 400, 404, 422)
    # A nested value inside an otherwise valid body is refused, not a crash.
    deep_value = b"[" * 5_000 + b"]" * 5_000
    body = b'{"title": "Nested", "body": "Unemployment fell.", "url": ' + deep_value + b"}"
    response = client.post(
        "/v1/articles", content=body, headers={**ADMIN, "Content-Type": "application/json"}
    )
    assert_error_shape(response, 400, 422)


def test_invalid_utf8_in_a_json_body_gets_4xx(client: TestClient) -> None:
    for path, raw in (
        ("/v1/articles", b'{"title": "Bad \xff\xfe bytes", "body": "Prices rose."}'),
        ("/v1/sources", b'{"url": "https://e.org/\xc3\x28", "title": "t", "text": "x"}'),
        ("/v1/keys", b'{"role": "reader", "name": "\xed\xa0\x80"}'),  # a UTF-8-encoded surrogate
    ):
        response = client.post(path, content=raw, headers={**ADMIN, "Content-Type": "application/json"})
        assert_error_shape(response, 400, 422)


@pytest.mark.slow
def test_nul_characters_are_refused_or_stored_but_never_a_500(client: TestClient) -> None:
    nul = "a\x00b"
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/v1/articles", {"json": {"title": nul, "body": "Unemployment fell to 4 percent."}}),
        ("POST", "/v1/articles", {"json": {"title": "t", "body": "Unemployment fell.\x00"}}),
        ("POST", "/v1/keys", {"json": {"role": "reader", "name": nul}}),
        ("POST", "/v1/sources", {"json": {"url": "https://e.org/" + nul, "title": nul, "text": "Text."}}),
        ("POST", "/v1/evidence/search", {"json": {"text": nul}}),
        ("POST", "/v1/claims/match", {"json": {"text": "Unemployment " + nul}}),
        ("GET", "/v1/claims", {"params": {"q": nul}}),
        ("GET", "/v1/claims", {"params": {"tag": nul}}),
        ("GET", "/v1/claims", {"params": {"assignee": nul}}),
        ("GET", "/v1/claims", {"params": {"verdict": nul}}),
        ("GET", "/v1/claims/stats", {"params": {"q": nul, "tag": nul, "assignee": nul}}),
        ("GET", "/v1/claims", {"params": {"cursor": nul}}),
        ("GET", "/v1/articles/%00", {}),
    ]
    for method, path, kwargs in requests:
        response = client.request(method, path, headers=ADMIN, **kwargs)
        assert response.status_code < 500, (method, path, kwargs, response.status_code, response.text[:300])
        if response.status_code >= 400:
            assert_error_shape(response, response.status_code)


@pytest.mark.slow
def test_nul_and_invalid_utf8_rows_in_an_upload_fail_alone(client: TestClient) -> None:
    ndjson = (
        b'{"text": "Wages rose by 4 percent in 2023, the ministry said.", "external_id": "good-1"}\n'
        b'{"text": "A NUL \\u0000 inside the claim text, 7 percent", "external_id": "nul-text"}\n'
        b'{"text": "Pensions fell by 2 percent.", "speaker": "x\\u0000y", "external_id": "nul-speaker"}\n'
        b'\xff\xfe{"text": "not UTF-8"}\n'
        b'{"text": "Exports doubled since 2019, officials said.", "tags": ["a\\u0000"], '
        b'"external_id": "nul-tag"}\n'
        b'{"text": "Rents rose by 12 percent in the capital last year.", "external_id": "good-2"}\n'
    )
    job = import_claims(client, ndjson)
    assert job["status"] == "done", job
    assert (job["processed"], job["created"], job["failed"]) == (6, 2, 4)
    assert sorted(error["line"] for error in job["errors"]) == [2, 3, 4, 5]
    stored = client.get("/v1/claims", params={"limit": 50}, headers=ADMIN).json()["items"]
    assert sorted(claim["external_id"] for claim in stored) == ["good-1", "good-2"]


def test_oversized_bodies_get_413_and_a_100000_sentence_article_is_refused(
    configure: Any, app: FastAPI
) -> None:
    with TestClient(app, raise_server_exceptions=False) as client:
        body = "Prices rose by 5 percent. " * 100_000  # 100,000 sentences, 2.6 MB of text
        response = client.post("/v1/articles", json={"title": "Huge", "body": body}, headers=ADMIN)
        assert_error_shape(response, 413)
        response = client.post(
            "/v1/sources",
            content=b'{"url": "https://e.org/x", "title": "t", "text": "' + b"x" * (6 * 1024 * 1024) + b'"}',
            headers={**ADMIN, "Content-Type": "application/json"},
        )
        assert_error_shape(response, 413)

        def chunks() -> Any:
            for _ in range(7):
                yield b"y" * (1024 * 1024)

        response = client.post(
            "/v1/evidence/search", content=chunks(), headers={**ADMIN, "Content-Type": "application/json"}
        )
        assert_error_shape(response, 413)


def seed_hostile_claims(client: TestClient) -> None:
    rows = [
        {
            "text": "Support rose to 45% among voters in May, a poll said.",
            "tags": ["poll"],
            "external_id": "pct",
        },
        {"text": "The snake_case name of the fund is tax_relief, the report said.", "external_id": "under"},
        {"text": "O'Brien said unemployment fell by 3 percent in 2022.", "external_id": "quote"},
        {
            "text": "Exports grew by 10 percent in 2021, the ministry said.",
            "tags": ["trade"],
            "external_id": "plain",
        },
    ]
    job = import_claims(client, "".join(json.dumps(row) + "\n" for row in rows).encode())
    assert job["created"] == 4, job


@pytest.mark.slow
def test_sql_metacharacters_in_every_filter_are_matched_literally(client: TestClient) -> None:
    seed_hostile_claims(client)
    for value in SQL_METACHARACTERS:
        assert_filters_match_literally(client, value)


def assert_filters_match_literally(client: TestClient, value: str) -> None:
    filters: list[dict[str, Any]] = [
        {"q": value},
        {"tag": value},
        {"assignee": value},
        {"verdict": value},
        {"q": value, "tag": value, "assignee": value},
    ]
    for params in filters:
        for path in ("/v1/claims", "/v1/claims/stats"):
            response = client.get(path, params=params, headers=ADMIN)
            assert response.status_code in (200, 422), (
                path,
                params,
                response.status_code,
                response.text[:300],
            )
            if response.status_code != 200:
                continue
            body = response.json()
            texts = [item["text"] for item in body["items"]] if "items" in body else None
            count = len(texts) if texts is not None else body["total"]
            if "q" in params and len(params) == 1:
                # Only claims that contain the text itself, never a wildcard's worth of claims.
                expected = [t for t in ALL_TEXTS if value.lower() in t.lower()]
                if texts is not None:
                    assert sorted(texts) == sorted(expected), (value, texts)
                else:
                    assert count == len(expected), (value, body)
            else:
                assert count == 0, (path, params, body)
    for path, payload in (("/v1/evidence/search", {"text": value}), ("/v1/claims/match", {"text": value})):
        response = client.post(path, json=payload, headers=ADMIN)
        assert response.status_code in (200, 422), (path, value, response.status_code, response.text[:300])
    # The tables are all still there and whole.
    assert len(client.get("/v1/claims", params={"limit": 50}, headers=ADMIN).json()["items"]) == 4


ALL_TEXTS = [
    "Support rose to 45% among voters in May, a poll said.",
    "The snake_case name of the fund is tax_relief, the report said.",
    "O'Brien said unemployment fell by 3 percent in 2022.",
    "Exports grew by 10 percent in 2021, the ministry said.",
]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/claims/..%2F..%2Fetc",
        "/v1/claims/..%2F..%2Fetc%2Fpasswd",
        "/v1/claims/%2e%2e%2f%2e%2e%2fetc%2fpasswd/history",
        "/v1/claims/1%2F..%2F..%2Fkeys",
        "/v1/articles/..%5C..%5Cwindows",
        "/v1/imports/..%2F..%2Fetc%2Fpasswd/errors.csv",
        "/v1/sources/%00",
        "/ui/static/..%2F..%2Fsettings.py",
        "/ui/static/%2e%2e/%2e%2e/main.py",
        "/ui/static/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    ],
)
@pytest.mark.slow
def test_path_traversal_in_ids_gets_404_or_422(client: TestClient, path: str) -> None:
    response = client.get(path, headers=ADMIN)
    assert response.status_code in (404, 422), (path, response.status_code)
    assert "root:" not in response.text and "def create_app" not in response.text
    assert "get_settings" not in response.text


def test_every_csv_export_neutralises_formulas(client: TestClient) -> None:
    hostile = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "plain text"]
    with Session(get_engine()) as session:
        job = ImportJob(
            kind="claims",
            format="ndjson",
            status="done",
            on_duplicate="skip",
            processed=len(hostile),
            failed=len(hostile),
            errors=[{"line": index + 1, "error": message} for index, message in enumerate(hostile)],
        )
        session.add(job)
        session.commit()
        job_id = job.id
    response = client.get(f"/v1/imports/{job_id}/errors.csv", headers=ADMIN)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    cells = [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert "'=cmd|' /C calc'!A0" in cells and "plain text" in cells
