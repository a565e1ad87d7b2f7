"""SIGTERM during an import: `claimcheck serve` and `claimcheck worker` stop promptly, and the import
is resumed by the next worker with nothing lost or doubled."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session

from service.db import get_engine, migrate
from service.imports import jobs
from service.imports.models import JobStatus
from service.settings import get_settings
from tests.imports.test_jobs import _queue, _unique_rows, _upload

# The issue asks for an exit within 5 s; the bound here is looser because the machine running the
# tests may be loaded, and the outcome (a resumable job, exact counts) is what is asserted.
EXIT_BOUND_SECONDS = 15.0
ROWS = 12_000  # three claim batches: the import is still running when the signal comes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": get_settings().database_url,
        "WORKER_POLL_SECONDS": "0.05",
        "SEMANTIC": "off",
        "RUN_WORKER_IN_PROCESS": "true",
        "LOG_JSON": "true",
    }


def _job(job_id: int) -> tuple[str, int, int, int]:
    with Session(get_engine()) as session:
        job = jobs.get(session=session, job_id=job_id)
        return job.status, job.processed, job.created, job.duplicates


@pytest.fixture
def no_worker(configure: Callable[..., None]) -> None:
    configure(RUN_WORKER_IN_PROCESS="false", SEMANTIC="off")
    migrate(get_settings().database_url)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["serve", "worker"])
def test_sigterm_mid_import_stops_the_process_and_the_import_resumes(
    no_worker: None, tmp_path: Path, command: str
) -> None:
    rows = _unique_rows(ROWS, seed=23)
    job_id = _queue(_upload(rows), chunk_bytes=256 * 1024)
    arguments = ["serve", "--port", str(_free_port())] if command == "serve" else ["worker"]
    log = (tmp_path / f"{command}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", *arguments], env=_environment(), stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 180
        while _job(job_id)[1] == 0 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        status, processed, _created, _duplicates = _job(job_id)
        assert status == JobStatus.running and 0 < processed < ROWS, (status, processed)
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        process.wait(EXIT_BOUND_SECONDS)
        stopped_after = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    status, processed, _created, _duplicates = _job(job_id)
    # Handed back at once (queued), or left running under a process that no longer exists.
    assert status in (JobStatus.queued, JobStatus.running) and processed < ROWS, (status, processed)
    print(f"{command} stopped {stopped_after:.2f}s after SIGTERM, {processed} of {ROWS} rows committed")

    finisher = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"], env=_environment(), stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 900  # a loaded PostgreSQL imports a few hundred rows a second
        while _job(job_id)[0] not in (JobStatus.done, JobStatus.failed) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        finisher.send_signal(signal.SIGTERM)
        finisher.wait(EXIT_BOUND_SECONDS)
    assert _job(job_id) == (JobStatus.done, ROWS, ROWS, 0)
