"""Batched import paths: near repeats inside one batch, sources stored a batch at a time, and a
restarted server taking its own dead process's job over at once."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from service import leasing
from service.claims.models import Claim, ClaimEvent
from service.db import get_engine, migrate
from service.imports import jobs, runner
from service.imports.models import ImportJob
from service.linking.models import Passage, Source
from service.settings import get_settings
from tests.imports.conftest import wait_for_job

NEAR_REPEAT = "Breaking: the mayor of Springfield doubled the municipal parking fees in 2023"
ORIGINAL = "The mayor of Springfield doubled the municipal parking fees in 2023"
DISTINCT_CLAIMS = (
    "Unemployment fell to 3.1 percent in 2023",
    "The new bridge over the Danube cost twice its budget",
    "Wolves returned to the Alps after a century of absence",
    "Vaccination rates among toddlers dropped below ninety percent",
    "The senator voted against every farm subsidy since 2010",
    "Rail freight volumes overtook road haulage in Switzerland",
)


@pytest.fixture
def no_worker(configure: Callable[..., None]) -> None:
    configure(RUN_WORKER_IN_PROCESS="false", SEMANTIC="off")
    migrate(get_settings().database_url)


def _queue(kind: str, rows: list[dict[str, object]], on_duplicate: str = "skip", worker_id: str = "t") -> int:
    body = ("\n".join(json.dumps(row) for row in rows) + "\n").encode()
    with Session(get_engine()) as session:
        job, _ = jobs.create(
            session=session,
            kind=kind,
            fmt="ndjson",
            on_duplicate=on_duplicate,
            idempotency_key=None,
            actor=None,
        )
        assert job.id is not None
        jobs.store_upload(session=session, job_id=job.id, chunks=[body])
        assert runner.claim_next(session=session, worker_id=worker_id, job_id=job.id) == job.id
        return job.id


def _run(job_id: int, worker_id: str = "t", max_batches: int | None = None) -> str:
    return runner.run(
        engine=get_engine(),
        job_id=job_id,
        worker_id=worker_id,
        settings=get_settings(),
        max_batches=max_batches,
    )


def test_near_repeat_within_one_batch_is_skipped_and_noted_on_the_first(no_worker: None) -> None:
    job_id = _queue(
        "claims", [{"text": ORIGINAL}, {"text": "Parliament passed the budget"}, {"text": NEAR_REPEAT}]
    )
    assert _run(job_id) == "done"
    with Session(get_engine()) as session:
        job = jobs.get(session=session, job_id=job_id)
        assert (job.created, job.duplicates) == (2, 1)
        original = session.exec(select(Claim).where(Claim.text == ORIGINAL)).one()
        skipped = session.exec(
            select(ClaimEvent).where(
                ClaimEvent.claim_id == original.id, ClaimEvent.action == "duplicate_skipped"
            )
        ).one()
        assert skipped.after is not None and skipped.after["line"] == 3


def test_near_repeat_within_one_batch_is_kept_pointing_at_the_first(no_worker: None) -> None:
    job_id = _queue("claims", [{"text": ORIGINAL}, {"text": NEAR_REPEAT}], on_duplicate="keep")
    assert _run(job_id) == "done"
    with Session(get_engine()) as session:
        original = session.exec(select(Claim).where(Claim.text == ORIGINAL)).one()
        repeat = session.exec(select(Claim).where(Claim.text == NEAR_REPEAT)).one()
        assert (original.duplicate_of, repeat.duplicate_of) == (None, original.id)
        assert jobs.get(session=session, job_id=job_id).duplicates == 1


@pytest.mark.parametrize("on_duplicate", ["skip", "keep"])
def test_repeats_of_the_batch_still_being_written_are_caught(
    no_worker: None, monkeypatch: pytest.MonkeyPatch, on_duplicate: str
) -> None:
    # Two rows a batch: the next batch is checked while the one before it is written, so its repeats
    # are found among that batch's rows, not in the database.
    monkeypatch.setattr(runner, "CLAIM_BATCH_ROWS", 2)
    rows: list[dict[str, object]] = [
        {"text": ORIGINAL},
        {"text": DISTINCT_CLAIMS[0]},
        {"text": NEAR_REPEAT},
        {"text": DISTINCT_CLAIMS[1]},
        {"text": ORIGINAL.upper()},
        {"text": DISTINCT_CLAIMS[0] + "!"},
    ]
    job_id = _queue("claims", rows, on_duplicate=on_duplicate)
    assert _run(job_id) == "done"
    with Session(get_engine()) as session:
        job = jobs.get(session=session, job_id=job_id)
        assert (job.processed, job.duplicates) == (6, 3)
        claims = session.exec(select(Claim).order_by(col(Claim.id))).all()
        first = {claim.text: claim.id for claim in claims if claim.duplicate_of is None}
        assert set(first) == {ORIGINAL, DISTINCT_CLAIMS[0], DISTINCT_CLAIMS[1]}
        if on_duplicate == "skip":
            assert job.created == 3
            skipped = session.exec(
                select(ClaimEvent.claim_id, ClaimEvent.after).where(ClaimEvent.action == "duplicate_skipped")
            ).all()
            assert sorted((claim_id, after["line"]) for claim_id, after in skipped if after) == sorted(
                [(first[ORIGINAL], 3), (first[ORIGINAL], 5), (first[DISTINCT_CLAIMS[0]], 6)]
            )
        else:
            assert job.created == 6
            kept = {claim.text: claim.duplicate_of for claim in claims if claim.duplicate_of is not None}
            assert kept == {
                NEAR_REPEAT: first[ORIGINAL],
                ORIGINAL.upper(): first[ORIGINAL],
                DISTINCT_CLAIMS[0] + "!": first[DISTINCT_CLAIMS[0]],
            }


def test_different_claims_sharing_rare_words_in_one_batch_are_both_created(no_worker: None) -> None:
    rows = [
        {"text": "The mayor of Springfield doubled the municipal parking fees in 2023"},
        {"text": "Springfield's mayor cut municipal spending on schools by half since taking office"},
    ]
    job_id = _queue("claims", rows)
    assert _run(job_id) == "done"
    with Session(get_engine()) as session:
        job = jobs.get(session=session, job_id=job_id)
        assert (job.created, job.duplicates) == (2, 0)


def _refuse_urls_containing(word: str) -> None:
    """A database rule the source importer does not know: the row passes validation, the INSERT fails."""
    with Session(get_engine()) as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(
                text(
                    "CREATE TRIGGER refuse_source BEFORE INSERT ON source "
                    f"WHEN new.url LIKE '%{word}%' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
        else:
            session.execute(
                text(f"ALTER TABLE source ADD CONSTRAINT refuse_source CHECK (url NOT LIKE '%{word}%')")
            )
        session.commit()


def test_source_batch_with_a_refused_row_keeps_the_others_and_names_the_row(
    no_worker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "SOURCE_BATCH_ROWS", 3)
    _refuse_urls_containing("refused")
    rows: list[dict[str, object]] = [
        {
            "url": f"https://ref.example/{name}",
            "title": name,
            "text": f"Source {name} says one thing. And more.",
        }
        for name in ("a", "b", "refused", "c", "d")
    ]
    rows.append({"url": "https://ref.example/a", "title": "a again", "text": "Source a, revised."})
    job_id = _queue("sources", rows)
    assert _run(job_id) == "done"
    with Session(get_engine()) as session:
        job = jobs.get(session=session, job_id=job_id)
        assert (job.created, job.updated, job.failed) == (4, 1, 1)
        assert [error["line"] for error in job.errors] == [3]
        urls = set(session.exec(select(Source.url)))
        assert urls == {f"https://ref.example/{name}" for name in ("a", "b", "c", "d")}
        revised = session.exec(select(Source).where(Source.url == "https://ref.example/a")).one()
        assert revised.title == "a again"
        passages = session.exec(select(func.count()).select_from(Passage)).one()
        assert passages >= 4


def test_restarted_server_resumes_its_dead_processs_job_without_waiting(
    configure: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(RUN_WORKER_IN_PROCESS="false", SEMANTIC="off", WORKER_POLL_SECONDS="0.05")
    migrate(get_settings().database_url)
    monkeypatch.setattr(runner, "CLAIM_BATCH_ROWS", 2)
    host = socket.gethostname()[:40]
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait(30)  # reaped: its pid names no process now
    dead_worker = f"{host}:{exited.pid}:deadbeef"
    rows: list[dict[str, object]] = [{"text": claim} for claim in DISTINCT_CLAIMS]
    job_id = _queue("claims", rows, worker_id=dead_worker)
    # The "server" stored one batch, then died: the job is running with a fresh heartbeat.
    assert _run(job_id, worker_id=dead_worker, max_batches=1) == "running"

    # Held by a live process of this host, or by any process of another host: left alone.
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        others = [f"{host}:{alive.pid}:cafecafe", f"elsewhere.example:{exited.pid}:cafecafe"]
        other_jobs = [
            _queue("claims", [{"text": f"Other job {n}"}], worker_id=worker)
            for n, worker in enumerate(others)
        ]
        with Session(get_engine()) as session:
            assert leasing.dead_local_workers(session=session, queue=runner.IMPORT_QUEUE) == [dead_worker]

        configure(RUN_WORKER_IN_PROCESS="true", SEMANTIC="off", WORKER_POLL_SECONDS="0.05")
        from service.main import create_app

        with TestClient(create_app()) as client:
            # Well inside STALE_AFTER_SECONDS: the heartbeat is not what let the worker take it.
            job = wait_for_job(client, job_id, timeout=leasing.STALE_AFTER_SECONDS / 3)
            assert (job["status"], job["processed"], job["created"]) == ("done", 6, 6)
            with Session(get_engine()) as session:
                held = session.exec(select(col(ImportJob.status)).where(col(ImportJob.id).in_(other_jobs)))
                assert list(held) == ["running", "running"]
    finally:
        alive.kill()
        alive.wait(10)
    with Session(get_engine()) as session:
        assert session.exec(select(func.count()).select_from(Claim)).one() == 6
    get_engine().dispose()
