"""Import tests: a fast-polling in-process worker and the lexical matcher (no model load)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_KEY, bearer


@pytest.fixture(autouse=True)
def import_settings(configure: Callable[..., None]) -> None:
    configure(WORKER_POLL_SECONDS="0.05", SEMANTIC="off")


def wait_for_job(client: TestClient, job_id: int, timeout: float = 30.0) -> dict[str, Any]:
    """Poll GET /v1/imports/{id} until the job is done or failed."""
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(f"/v1/imports/{job_id}", headers=bearer(ADMIN_KEY)).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)
