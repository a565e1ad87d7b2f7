"""Schemathesis against /openapi.json with every role's key: no 5xx, and responses match the schema.

Bounded for CI: a few examples per operation (derandomised, so a failure reproduces), every example
sent once per role.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.conftest import ADMIN_KEY, bearer

MAX_EXAMPLES = 8


@pytest.fixture
def api_schema(app: FastAPI, client: TestClient, keys: dict[str, str]) -> schemathesis.BaseSchema:
    """The live schema of an app with a little of everything stored, so ids 1 and 2 exist."""
    admin = bearer(ADMIN_KEY)
    article = client.post(
        "/v1/articles",
        json={"title": "Seed", "body": "Unemployment fell to 4.1 percent in March, the office said."},
        headers=admin,
    )
    assert article.status_code == 201, article.text
    source = {"url": "https://example.org/s", "title": "Jobs", "text": "Unemployment fell to 4.1 percent."}
    assert client.post("/v1/sources", json=source, headers=admin).status_code in (200, 201)
    rows = "".join(json.dumps({"text": f"Wages rose by {n} percent in 2023."}) + "\n" for n in (3, 9))
    imported = client.post("/v1/imports/claims?format=ndjson", content=rows.encode(), headers=admin)
    assert imported.status_code == 202, imported.text
    # Revoking keys would only turn the rest of the run into 401s.
    return schemathesis.openapi.from_asgi("/openapi.json", app).exclude(
        method="DELETE", path="/v1/keys/{key_id}"
    )


@pytest.mark.slow
def test_no_server_errors_and_responses_match_the_schema(
    api_schema: schemathesis.BaseSchema, keys: dict[str, str]
) -> None:
    # Operations are walked here rather than with schemathesis.pytest.from_fixture, which does not
    # work with this pytest version ('Function' object has no attribute '_nodeid').
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            for role in ("reader", "newsroom", "checker", "admin"):
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {keys[role]}"},
                    checks=[not_a_server_error, response_schema_conformance],
                )

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert operations >= 30
    assert not failures, "\n\n".join(failures)
