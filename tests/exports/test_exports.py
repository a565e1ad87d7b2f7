"""GET /v1/claims as CSV and NDJSON, `claimcheck export claims`, and the round trip: an exported file
imports back with `claimcheck import claims` without losing a field, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from service.claims.models import Claim, ClaimTag
from service.cli import app as cli
from service.db import as_utc, make_engine
from service.exports import claims as export
from service.exports.formats import EXPORT_FIELDS, IMPORT_FIELDS
from tests.conftest import ADMIN_KEY, bearer, reset_process_caches
from tests.imports.conftest import wait_for_job

ROWS = [
    {
        "text": "=SUM(A1:A3) is what the minister typed into the budget sheet",
        "external_id": "pf-1",
        "verdict": "Mostly False",
        "title": "The sheet used a different range",
        "speaker": "A. Minister",
        "claimed_at": "2024-01-05T10:30:00Z",
        "source_url": "https://tv.example.com/interview",
        "review_url": "https://factcheck.example.net/sum",
        "publisher": "Example Checkers",
        "language": "en",
        "reviewed_at": "2024-01-09T08:00:00Z",
        "tags": ["budget", "economy"],
    },
    {
        "text": '-5% growth is what the opposition says, with "quotes", commas and\na new line',
        "verdict": "false",
        "language": "en-GB",
        "tags": ["growth"],
    },
    {"text": "Zürich has 430,000 inhabitants", "speaker": "@mayor", "claimed_at": "2023-12-31"},
    {"text": "The river flooded three villages in March", "external_id": "x-9"},
]


@pytest.fixture(autouse=True)
def fast_worker(configure: Callable[..., None]) -> None:
    configure(WORKER_POLL_SECONDS="0.05", SEMANTIC="off")


@pytest.fixture
def stored(client: TestClient, keys: dict[str, str]) -> list[int]:
    """ROWS imported through the API (kept even if alike), the last one then published here."""
    body = "".join(json.dumps(row) + "\n" for row in ROWS).encode()
    response = client.post(
        "/v1/imports/claims",
        params={"on_duplicate": "keep"},
        content=body,
        headers={**bearer(ADMIN_KEY), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["id"])
    assert (job["status"], job["created"]) == ("done", len(ROWS)), job
    ids = [
        item["id"]
        for item in client.get("/v1/claims?sort=created_at", headers=bearer(ADMIN_KEY)).json()["items"]
    ]
    claim_id = ids[-1]
    etag = client.get(f"/v1/claims/{claim_id}", headers=bearer(ADMIN_KEY)).headers["ETag"]
    published = client.post(
        f"/v1/claims/{claim_id}/reviews",
        json={"verdict": "true", "summary": "Three, says the county.", "status": "published"},
        headers={**bearer(keys["checker"]), "If-Match": etag},
    )
    assert published.status_code == 201, published.text
    return ids


def import_fields(database_url: str) -> dict[str, tuple[Any, ...]]:
    """Every claim's import fields, by text, read straight from the database."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            tags: dict[int, list[str]] = {}
            for tag in session.exec(select(ClaimTag)):
                tags.setdefault(tag.claim_id, []).append(tag.tag)
            found = {}
            for claim in session.exec(select(Claim).order_by(col(Claim.id))):
                found[claim.text] = (
                    claim.external_id,
                    claim.verdict,
                    claim.summary,
                    claim.speaker,
                    as_utc(claim.claimed_at) if claim.claimed_at else None,
                    claim.source_url,
                    claim.review_url,
                    claim.publisher,
                    claim.language,
                    as_utc(claim.reviewed_at) if claim.reviewed_at else None,
                    sorted(tags.get(claim.id or 0, [])),
                )
            return found
    finally:
        engine.dispose()


def run_cli(monkeypatch: pytest.MonkeyPatch, database_url: str, *args: str) -> Any:
    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_process_caches()
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        reset_process_caches()


def test_the_queue_streams_as_csv_and_ndjson_without_a_cursor(
    client: TestClient, keys: dict[str, str], stored: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "BATCH", 2)  # several keyset batches in one response
    response = client.get("/v1/claims", headers={**bearer(keys["reader"]), "Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="claims.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == EXPORT_FIELDS
    assert [int(row["id"]) for row in rows] == stored  # the whole result, oldest first
    assert rows[0]["text"] == "'" + ROWS[0]["text"]  # a spreadsheet shows it, never runs it
    assert rows[1]["text"].startswith("'-5% growth")
    assert rows[0]["tags"] == "budget,economy"
    assert rows[0]["verdict"] == "mostly_false" and rows[0]["title"] == "The sheet used a different range"

    ndjson = client.get(
        "/v1/claims",
        params={"status": "published"},
        headers={**bearer(keys["reader"]), "Accept": "application/x-ndjson"},
    )
    assert ndjson.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in ndjson.text.splitlines()]
    assert [line["id"] for line in lines] == [stored[-1]]  # the queue's filters apply
    assert lines[0]["status"] == "published" and lines[0]["title"] == "Three, says the county."

    as_json = client.get("/v1/claims?limit=2", headers=bearer(keys["reader"])).json()
    assert len(as_json["items"]) == 2 and as_json["next_cursor"]  # JSON keeps its pages


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_an_export_imports_back_without_losing_a_field(
    fmt: str,
    stored: list[int],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exported = tmp_path / f"claims.{fmt}"
    result = run_cli(
        monkeypatch, database_url, "export", "claims", "--format", fmt, "--output", str(exported)
    )
    assert result.exit_code == 0, result.output
    assert f"export {exported.name}" in result.stderr and "database: " in result.stderr

    copy_url = f"sqlite:///{tmp_path / 'copy.db'}"
    result = run_cli(monkeypatch, copy_url, "import", "claims", str(exported), "--on-duplicate", "keep")
    assert result.exit_code == 0, result.output
    original, copy = import_fields(database_url), import_fields(copy_url)
    assert copy == original
    assert len(copy) == len(ROWS) and set(IMPORT_FIELDS) <= set(EXPORT_FIELDS)


@pytest.mark.slow
def test_a_claimreview_export_imports_back(
    stored: list[int], database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = tmp_path / "claims.json"
    result = run_cli(
        monkeypatch, database_url, "export", "claims", "--format", "claimreview", "-o", str(exported)
    )
    assert result.exit_code == 0, result.output
    documents = json.loads(exported.read_text(encoding="utf-8"))
    assert [document["claimReviewed"] for document in documents] == [ROWS[-1]["text"]]  # published only

    copy_url = f"sqlite:///{tmp_path / 'copy.db'}"
    result = run_cli(monkeypatch, copy_url, "import", "claims", str(exported))
    assert result.exit_code == 0, result.output
    [(text, fields)] = import_fields(copy_url).items()
    assert text == ROWS[-1]["text"]
    verdict, review_url = fields[1], fields[6]
    assert verdict == "true"
    assert review_url == documents[0]["url"]  # the public page of the claim where it was checked
