"""Bulk article import: per-row errors by line, idempotent on external_id, extracted by the workers;
through the API and through `claimcheck import articles` (the same upload path)."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from service.articles.models import Article
from service.claims.models import Claim
from service.cli import app
from service.db import get_engine
from tests.conftest import ADMIN_KEY, bearer
from tests.imports.conftest import wait_for_job

NDJSON = {"Content-Type": "application/x-ndjson"}
ROWS: list[dict[str, Any]] = [
    {
        "title": "Budget",
        "body": "Unemployment fell to 3.9% in 2023, the statistics office said.",
        "external_id": "wire-1",
        "url": "https://news.example/budget",
        "published_at": "2024-03-01",
    },
    {"title": "Schools", "body": "The council closed 12 schools in 2022.", "external_id": "wire-2"},
    {"title": "No body", "external_id": "wire-3"},
    {"title": "Again", "body": "A repeat of the first row's id.", "external_id": "wire-1"},
    {"title": "Bad link", "body": "Exports rose 4% last year.", "url": "javascript:alert(1)"},
    {"title": "No id", "body": "The dam holds 3 billion litres of water.", "genre": "news"},
]


def _ndjson(rows: list[dict[str, Any]]) -> bytes:
    return ("\n".join(json.dumps(row) for row in rows) + "\n{not json\n").encode()


def _import(client: TestClient, body: bytes) -> dict[str, Any]:
    response = client.post("/v1/imports/articles", content=body, headers={**bearer(ADMIN_KEY), **NDJSON})
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/v1/imports/{response.json()['id']}"
    return wait_for_job(client, response.json()["id"])


def _extracted(client: TestClient, job_id: int, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(f"/v1/imports/{job_id}", headers=bearer(ADMIN_KEY)).json()
        counts = job["articles"]
        if counts["pending"] + counts["extracting"] == 0 or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


@pytest.mark.slow
def test_article_rows_are_stored_pending_extracted_by_the_worker_and_reimport_changes_nothing(
    client: TestClient,
) -> None:
    job = _import(client, _ndjson(ROWS))
    assert job["status"] == "done", job
    assert (job["kind"], job["processed"], job["created"], job["duplicates"], job["failed"]) == (
        "articles",
        7,
        3,
        1,
        3,
    )
    errors = {error["line"]: error["error"] for error in job["errors"]}
    assert set(errors) == {3, 5, 7}
    assert errors[3].startswith("body")
    assert errors[5].startswith("url")

    job = _extracted(client, job["id"])
    assert job["articles"] == {"pending": 0, "extracting": 0, "done": 3, "failed": 0}
    with Session(get_engine()) as session:
        stored = list(session.exec(select(Article).where(Article.import_job_id == job["id"])))
        claim_counts = [
            len(list(session.exec(select(Claim.id).where(col(Claim.article_id) == article.id))))
            for article in stored
        ]
    assert sorted(article.external_id or "" for article in stored) == ["", "wire-1", "wire-2"]
    assert all(count > 0 for count in claim_counts)
    first = next(article for article in stored if article.external_id == "wire-1")
    assert first.url == "https://news.example/budget" and first.published_at is not None

    again = _import(client, _ndjson(ROWS))
    # Idempotent on external_id: the two stored ids are duplicates; the row without one is new again.
    assert (again["created"], again["duplicates"], again["failed"]) == (1, 3, 3)


@pytest.mark.slow
def test_csv_and_claimreview_rules_are_the_same_as_for_other_imports(client: TestClient) -> None:
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=["title", "body", "external_id"])
    writer.writeheader()
    writer.writerow({"title": "CSV", "body": "Inflation was 2.1% in May.", "external_id": "csv-1"})
    response = client.post(
        "/v1/imports/articles",
        content=output.getvalue().encode(),
        headers={**bearer(ADMIN_KEY), "Content-Type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    assert wait_for_job(client, response.json()["id"])["created"] == 1

    refused = client.post(
        "/v1/imports/articles",
        content=b"[]",
        headers={**bearer(ADMIN_KEY), "Content-Type": "application/json"},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"] == {"field": "format"}


@pytest.fixture
def no_worker(configure: Any) -> None:
    configure(RUN_WORKER_IN_PROCESS="false")


def test_cli_imports_and_extracts_with_progress_bars_naming_the_file(
    no_worker: None, client: TestClient, tmp_path: Path
) -> None:
    upload = tmp_path / "wires.ndjson"
    upload.write_bytes(_ndjson(ROWS))
    result = CliRunner().invoke(app, ["import", "articles", str(upload)])
    assert result.exit_code == 1, result.output  # three rows are bad
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["duplicates"], summary["failed"]) == (3, 1, 3)
    assert summary["articles"] == {"pending": 0, "extracting": 0, "done": 3, "failed": 0}
    assert "import wires.ndjson" in result.stderr and "extract wires.ndjson" in result.stderr

    again = CliRunner().invoke(app, ["import", "articles", str(upload)])
    assert json.loads(again.stdout)["duplicates"] == 3
