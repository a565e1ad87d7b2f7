"""Durable jobs: resume after a crash with nothing lost or doubled, SKIP LOCKED between workers."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, select

from service.claims.models import Claim
from service.db import get_engine, make_engine, migrate
from service.imports import jobs, runner
from service.imports.models import ImportChunk, ImportJob
from service.imports.worker import ImportWorker
from service.settings import get_settings


def _pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnpqrstvwz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))


def _unique_rows(count: int, seed: int = 7) -> list[str]:
    """Distinct claim-like texts over a realistic spread of words (none a near-duplicate of another)."""
    rng = random.Random(seed)
    vocabulary = [_pseudo_word(rng) for _ in range(5000)]
    return [" ".join(rng.sample(vocabulary, 9)) + f" in {1900 + n % 120}" for n in range(count)]


def _upload(rows: list[str], extra: bytes = b"") -> bytes:
    return "\n".join(json.dumps({"text": row}) for row in rows).encode() + b"\n" + extra


def _queue(body: bytes, *, chunk_bytes: int = 4096) -> int:
    with Session(get_engine()) as session:
        job, _ = jobs.create(
            session=session,
            kind="claims",
            fmt="ndjson",
            on_duplicate="skip",
            idempotency_key=None,
            actor=None,
        )
        assert job.id is not None
        pieces = [body[i : i + 1000] for i in range(0, len(body), 1000)]
        jobs.store_upload(session=session, job_id=job.id, chunks=pieces, chunk_bytes=chunk_bytes)
        return job.id


def _counts() -> tuple[int, int]:
    with Session(get_engine()) as session:
        total = session.exec(select(func.count()).select_from(Claim)).one()
        distinct = session.exec(select(func.count(func.distinct(Claim.text_hash)))).one()
    return total, distinct


@pytest.fixture
def no_worker(configure: Callable[..., None]) -> None:
    configure(RUN_WORKER_IN_PROCESS="false", SEMANTIC="off")
    migrate(get_settings().database_url)


def test_stopped_job_resumes_on_another_worker_with_exact_counts(
    no_worker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "CLAIM_BATCH_ROWS", 100)
    rows = _unique_rows(450)
    body = _upload([*rows, rows[3]], extra=b'{"text": ""}\n\xff\n')  # a repeat, a bad row, broken UTF-8
    job_id = _queue(body)
    engine, settings = get_engine(), get_settings()

    with Session(engine) as session:
        assert runner.claim_next(session=session, worker_id="first") == job_id
    # Two batches committed, then the worker "dies": no clean hand-back, the job stays running.
    assert (
        runner.run(engine=engine, job_id=job_id, worker_id="first", settings=settings, max_batches=2)
        == "running"
    )
    with Session(engine) as session:
        job = jobs.get(session=session, job_id=job_id)
        assert (job.status, job.processed, job.created, job.next_line) == ("running", 200, 200, 201)
        # Its heartbeat is fresh, so nobody takes it over yet.
        assert runner.claim_next(session=session, worker_id="second") is None
        assert runner.claim_next(session=session, worker_id="second", stale_seconds=0) == job_id

    assert runner.run(engine=engine, job_id=job_id, worker_id="second", settings=settings) == "done"
    # The first worker waking up cannot write anything more: the job is no longer its.
    assert runner.run(engine=engine, job_id=job_id, worker_id="first", settings=settings) == "running"

    with Session(engine) as session:
        job = jobs.get(session=session, job_id=job_id)
        assert (job.status, job.total, job.processed) == ("done", 453, 453)
        assert (job.created, job.duplicates, job.failed) == (450, 1, 2)
        assert [error["line"] for error in job.errors] == [452, 453]
        assert session.exec(select(func.count()).select_from(ImportChunk)).one() == 0
    assert _counts() == (450, 450)


@pytest.mark.slow
def test_kill_9_of_a_worker_process_loses_and_doubles_nothing(no_worker: None, tmp_path: Path) -> None:
    rows = _unique_rows(6_000, seed=11)
    job_id = _queue(_upload(rows), chunk_bytes=64 * 1024)
    environment = {
        **os.environ,
        "DATABASE_URL": get_settings().database_url,
        "WORKER_POLL_SECONDS": "0.05",
        "SEMANTIC": "off",
        "LOG_JSON": "true",
    }
    command = [sys.executable, "-m", "service.cli", "worker", "--stale-seconds", "1"]
    log = (tmp_path / "worker.log").open("wb")
    first = subprocess.Popen(command, env=environment, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120
        processed = 0
        while time.monotonic() < deadline:
            with Session(get_engine()) as session:
                processed = jobs.get(session=session, job_id=job_id).processed
            if processed > 0:
                break
            time.sleep(0.02)
        assert 0 < processed < len(rows), "the worker must be killed mid-import"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    with Session(get_engine()) as session:
        assert jobs.get(session=session, job_id=job_id).status == "running"

    second = subprocess.Popen(command, env=environment, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline:
            with Session(get_engine()) as session:
                job = jobs.get(session=session, job_id=job_id)
            if job.status in ("done", "failed"):
                break
            time.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(20)
        except subprocess.TimeoutExpired:
            second.kill()
    assert (job.status, job.processed, job.created, job.duplicates, job.failed) == (
        "done",
        len(rows),
        len(rows),
        0,
        0,
    )
    assert _counts() == (len(rows), len(rows))


@pytest.mark.postgres
def test_postgres_workers_skip_a_job_another_has_locked(
    configure: Callable[..., None], postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(DATABASE_URL=postgres_url, RUN_WORKER_IN_PROCESS="false", SEMANTIC="off")
    migrate(postgres_url)
    monkeypatch.setattr(runner, "CLAIM_BATCH_ROWS", 50)
    job_ids = [_queue(_upload(_unique_rows(120, seed=seed))) for seed in range(4)]

    # While one transaction holds job 1's row, another worker is handed job 2 at once, not blocked.
    holder = Session(get_engine())
    holder.exec(
        select(ImportJob).where(ImportJob.id == job_ids[0]).with_for_update()  # type: ignore[call-overload]
    ).one()
    with Session(make_engine(postgres_url)) as session:
        session.execute(text("SET lock_timeout = '2s'"))
        assert runner.claim_next(session=session, worker_id="other") == job_ids[1]
    holder.rollback()
    holder.close()

    workers = [
        ImportWorker(engine=get_engine(), settings=get_settings(), worker_id=f"w{n}") for n in range(2)
    ]
    handled: dict[str, int] = {"w0": 0, "w1": 0}

    def drain(worker: ImportWorker) -> None:
        while worker.run_once():
            handled[worker.worker_id] += 1

    threads = [threading.Thread(target=drain, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    # Job 2 was claimed by "other", which never ran it; it becomes claimable once stale.
    with Session(get_engine()) as session:
        assert runner.claim_next(session=session, worker_id="w0", stale_seconds=0) == job_ids[1]
    assert (
        runner.run(engine=get_engine(), job_id=job_ids[1], worker_id="w0", settings=get_settings()) == "done"
    )
    with Session(get_engine()) as session:
        finished = [jobs.get(session=session, job_id=job_id) for job_id in job_ids]
    assert [job.status for job in finished] == ["done"] * 4
    assert sum(handled.values()) == 3
    # Rows repeating across the four uploads (same seed texts) are duplicates, never doubled.
    total, distinct = _counts()
    assert total == distinct == sum(job.created for job in finished)
