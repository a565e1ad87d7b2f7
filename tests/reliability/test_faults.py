"""Faults: kill -9 mid-import and mid-review-write, SQLite lock contention, PostgreSQL restarted under load.

Every test drives a real `claimcheck serve` on loopback and then reads the database directly, so what
is checked is what is stored, not what the server said.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from service.imports.runner import CLAIM_BATCH_ROWS
from tests.reliability.conftest import CLAIMCHECK, Server, free_port

# Real servers killed, restarted and raced: each test takes tens of seconds.
pytestmark = pytest.mark.slow

# More than two claim batches, so the kill lands between committed batches whatever the batch size.
IMPORT_ROWS = 2 * CLAIM_BATCH_ROWS + 2_000
WORDS = [
    "inflation",
    "unemployment",
    "budget",
    "deficit",
    "exports",
    "imports",
    "wages",
    "pensions",
    "tax",
    "rate",
    "growth",
    "debt",
    "schools",
    "hospitals",
    "police",
    "crime",
    "vaccines",
    "emissions",
    "coal",
    "wind",
    "solar",
    "rail",
    "roads",
    "housing",
    "rents",
    "farmers",
    "fishing",
    "tourism",
    "steel",
    "shipping",
    "banks",
    "savings",
    "interest",
    "mortgages",
    "tariffs",
    "migrants",
]


def claim_rows(count: int, seed: int = 7) -> bytes:
    """NDJSON of distinct checkable-looking claims, each with a unique external_id and two tags."""
    rng = random.Random(seed)
    lines = []
    for index in range(count):
        words = " ".join(rng.sample(WORDS, 6))
        text_ = f"In {1950 + index % 70} the {words} figure rose by {index} percent, officials said."
        row = {"text": text_, "external_id": f"row-{index}", "tags": ["load", f"t{index % 5}"]}
        lines.append(json.dumps(row))
    return ("\n".join(lines) + "\n").encode()


def scalar(database_url: str, sql: str, **params: Any) -> Any:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def rows(database_url: str, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql), params))
    finally:
        engine.dispose()


def wait_for_job(client: httpx.Client, job_id: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = client.get(f"/v1/imports/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    pytest.fail(f"import {job_id} did not finish in {timeout}s: {job}")


def test_kill_9_mid_import_then_restart_finishes_the_job_with_exact_counts(
    database_url: str, serve: type[Server], tmp_path: Path
) -> None:
    server = serve(database_url)
    server.start()
    with server.client() as client:
        response = client.post(
            "/v1/imports/claims?format=ndjson&on_duplicate=keep",
            content=claim_rows(IMPORT_ROWS),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        # Kill once at least one batch is committed and the job is still running.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = client.get(f"/v1/imports/{job_id}").json()
            if job["status"] == "running" and job["processed"] > 0:
                break
            assert job["status"] != "done", "the import finished before the kill: make it bigger"
            time.sleep(0.02)
    server.kill()

    # What survived the kill: only whole batches, and the job's counters agree with the rows.
    job_row = rows(
        database_url,
        "SELECT status, processed, created, next_line FROM import_job WHERE id = :id",
        id=job_id,
    )[0]
    assert job_row.status == "running"
    assert 0 < job_row.processed < IMPORT_ROWS
    stored = scalar(database_url, "SELECT count(*) FROM claim WHERE import_job_id = :id", id=job_id)
    assert stored == job_row.created == job_row.processed
    events = scalar(
        database_url,
        "SELECT count(*) FROM claim_event WHERE action = 'imported' AND claim_id IN "
        "(SELECT id FROM claim WHERE import_job_id = :id)",
        id=job_id,
    )
    tags = scalar(
        database_url,
        "SELECT count(*) FROM claim_tag WHERE claim_id IN (SELECT id FROM claim WHERE import_job_id = :id)",
        id=job_id,
    )
    assert events == stored and tags == 2 * stored

    # Restart the API and run a worker that takes over jobs whose heartbeat stopped.
    server.start()
    worker = subprocess.Popen(
        [CLAIMCHECK, "worker", "--stale-seconds", "1"],
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "worker.log").open("wb"),
        start_new_session=True,
    )
    try:
        with server.client() as client:
            job = wait_for_job(client, job_id, timeout=120)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
    assert job["status"] == "done", job
    assert (job["processed"], job["created"], job["failed"]) == (IMPORT_ROWS, IMPORT_ROWS, 0)
    stored_total, distinct_rows = rows(
        database_url,
        "SELECT count(*), count(DISTINCT external_id) FROM claim WHERE import_job_id = :id",
        id=job_id,
    )[0]
    assert stored_total == distinct_rows == IMPORT_ROWS  # every row once: none lost, none twice
    assert (
        scalar(
            database_url,
            "SELECT count(*) FROM claim_event WHERE action = 'imported' AND claim_id IN "
            "(SELECT id FROM claim WHERE import_job_id = :id)",
            id=job_id,
        )
        == IMPORT_ROWS
    )
    assert scalar(database_url, "SELECT count(*) FROM import_chunk WHERE job_id = :id", id=job_id) == 0


def seed_claims(client: httpx.Client, count: int) -> list[int]:
    response = client.post(
        "/v1/imports/claims?format=ndjson&on_duplicate=keep",
        content=claim_rows(count, seed=11),
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.text
    assert wait_for_job(client, response.json()["id"], timeout=60)["status"] == "done"
    items = client.get("/v1/claims", params={"limit": count, "sort": "created_at"}).json()["items"]
    return [item["id"] for item in items]


def review_writer(
    base_url: str, claim_ids: list[int], stop: threading.Event, seed: int
) -> list[tuple[int, int]]:
    """GET then PATCH or POST a review with If-Match until stopped; the (claim, version) of each 2xx write."""
    from tests.conftest import ADMIN_KEY

    rng = random.Random(seed)
    acknowledged = []
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=5
    ) as client:
        while not stop.is_set():
            claim_id = rng.choice(claim_ids)
            try:
                current = client.get(f"/v1/claims/{claim_id}")
                if current.status_code != 200:
                    continue
                headers = {"If-Match": current.headers["etag"]}
                if rng.random() < 0.6:
                    body = {"priority": rng.randint(-9, 9), "tags": [f"w{rng.randint(0, 3)}"]}
                    response = client.patch(f"/v1/claims/{claim_id}", json=body, headers=headers)
                    version = response.json().get("version") if response.status_code == 200 else None
                else:
                    body = {"verdict": rng.choice(["true", "false"]), "summary": "x" * 2000}
                    response = client.post(f"/v1/claims/{claim_id}/reviews", json=body, headers=headers)
                    version = response.json()["claim"]["version"] if response.status_code == 201 else None
            except httpx.HTTPError:
                continue  # the server died under us: this write was never acknowledged
            if version is not None:
                acknowledged.append((claim_id, version))
    return acknowledged


def assert_claim_histories_are_whole(database_url: str, claim_ids: list[int]) -> None:
    """Each claim's history has an entry for every version up to the claim's own, and none beyond it."""
    for claim_id in claim_ids:
        version = scalar(database_url, "SELECT version FROM claim WHERE id = :id", id=claim_id)
        versions = {
            row[0]
            for row in rows(
                database_url, "SELECT DISTINCT version FROM claim_event WHERE claim_id = :id", id=claim_id
            )
        }
        assert versions == set(range(1, version + 1)), (claim_id, version, sorted(versions))
        reviews = scalar(database_url, "SELECT count(*) FROM review WHERE claim_id = :id", id=claim_id)
        review_events = scalar(
            database_url,
            "SELECT count(*) FROM claim_event WHERE claim_id = :id AND action = 'review_added'",
            id=claim_id,
        )
        assert reviews == review_events, (claim_id, reviews, review_events)


def test_kill_9_during_review_writes_keeps_every_acknowledged_write_and_no_half_write(
    database_url: str, serve: type[Server]
) -> None:
    server = serve(database_url)
    server.start()
    with server.client() as client:
        claim_ids = seed_claims(client, 12)
    stop = threading.Event()
    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(review_writer, server.base_url, claim_ids, stop, seed) for seed in range(6)]
        time.sleep(2.5)
        server.kill()  # while the writers are mid-request
        time.sleep(0.3)
        stop.set()
        acknowledged = [pair for future in futures for pair in future.result()]
    assert len(acknowledged) > 10, "the writers did not get going before the kill"

    for claim_id, version in acknowledged:
        stored = scalar(database_url, "SELECT version FROM claim WHERE id = :id", id=claim_id)
        assert stored >= version, f"claim {claim_id}: write to version {version} acknowledged but lost"
    assert_claim_histories_are_whole(database_url, claim_ids)

    server.start()
    with server.client() as client:
        claim_id = claim_ids[0]
        current = client.get(f"/v1/claims/{claim_id}")
        assert current.status_code == 200
        after = client.patch(
            f"/v1/claims/{claim_id}", json={"priority": 42}, headers={"If-Match": current.headers["etag"]}
        )
        assert after.status_code == 200, after.text
        assert after.json()["priority"] == 42


def test_sqlite_writers_in_two_processes_wait_or_get_503_and_never_corrupt(
    serve: type[Server], tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'contended.db'}"
    # A short busy timeout makes lock contention visible as 503s instead of waits.
    server = serve(database_url, workers=2, SQLITE_BUSY_TIMEOUT_MS="200")
    server.start()
    with server.client() as client:
        claim_ids = seed_claims(client, 16)
        big_import = client.post(
            "/v1/imports/claims?format=ndjson&on_duplicate=keep",
            content=claim_rows(3_000, seed=3),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert big_import.status_code == 202

    statuses: Counter[int] = Counter()
    missing_retry_after: list[int] = []
    created_sources: list[str] = []
    lock = threading.Lock()

    def write(index: int) -> None:
        from tests.conftest import ADMIN_KEY

        with httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30
        ) as client:
            for step in range(8):
                if (index + step) % 2:
                    url = f"https://example.org/contended/{index}/{step}"
                    response = client.post(
                        "/v1/sources",
                        json={"url": url, "title": "Contended", "text": "Wages rose by 4 percent. " * 20},
                    )
                    if response.status_code in (200, 201):
                        with lock:
                            created_sources.append(url)
                else:
                    claim_id = claim_ids[(index + step) % len(claim_ids)]
                    current = client.get(f"/v1/claims/{claim_id}")
                    if current.status_code != 200:
                        response = current
                    else:
                        response = client.patch(
                            f"/v1/claims/{claim_id}",
                            json={"priority": step},
                            headers={"If-Match": current.headers["etag"]},
                        )
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code == 503 and "retry-after" not in response.headers:
                        missing_retry_after.append(index)

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(write, range(12)))
    with server.client() as client:
        job = wait_for_job(client, big_import.json()["id"], timeout=120)
        sources = client.get("/v1/sources", params={"limit": 200}).json()["items"]
    server.stop()

    assert set(statuses) <= {200, 201, 412, 503}, statuses
    assert not missing_retry_after
    assert job["status"] == "done" and job["created"] == 3_000, job
    stored_urls = {source["url"] for source in sources}
    assert set(created_sources) <= stored_urls  # every acknowledged write is there
    assert scalar(database_url, "PRAGMA integrity_check") == "ok"
    assert_claim_histories_are_whole(database_url, claim_ids)


# --- PostgreSQL restarted under load: a throwaway cluster of our own, never the shared server ---

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture
def own_postgres() -> Iterator[tuple[str, Any]]:
    """A private PostgreSQL cluster on a free port; yields its URL and a restart() function."""
    if not (PG_BIN / "initdb").exists() or shutil.which("su") is None:
        pytest.skip("PostgreSQL 15 server binaries (initdb, pg_ctl) are not installed here")
    if os.geteuid() != 0:
        pytest.skip("initdb must run as the postgres user, which needs root to switch to")
    # Not under pytest's tmp dir: that is private to root, and the cluster runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="claimcheck-own-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    shutil.chown(base, "postgres")
    shutil.chown(sockets, "postgres")
    port = free_port()

    def as_postgres(*command: str) -> None:
        quoted = " ".join(f"'{part}'" for part in command)
        subprocess.run(["su", "postgres", "-c", quoted], check=True, capture_output=True, timeout=120)

    pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "pg.log"), "-w"]
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    as_postgres(*pg_ctl, "-o", options, "start")

    def restart() -> None:
        as_postgres(*pg_ctl, "-m", "fast", "-o", options, "restart")

    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", restart
    finally:
        subprocess.run(
            ["su", "postgres", "-c", " ".join([*pg_ctl, "-m", "immediate", "stop"])],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


def postmaster_start_time(database_url: str) -> Any:
    return scalar(database_url, "SELECT pg_postmaster_start_time()")


def test_postgres_restart_under_load_fails_in_flight_requests_with_503_then_recovers(
    own_postgres: tuple[str, Any], serve: type[Server]
) -> None:
    database_url, restart = own_postgres
    server = serve(database_url, workers=2, DATABASE_POOL_SIZE="5")
    server.start()
    with server.client() as client:
        claim_ids = seed_claims(client, 10)

    stop = threading.Event()
    outcomes: list[tuple[float, int, bool]] = []  # (time, status, has Retry-After)
    lock = threading.Lock()

    def traffic(seed: int) -> None:
        from tests.conftest import ADMIN_KEY

        rng = random.Random(seed)
        with httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=20
        ) as client:
            while not stop.is_set():
                claim_id = rng.choice(claim_ids)
                if rng.random() < 0.7:
                    response = client.get("/v1/claims", params={"limit": 5})
                else:
                    current = client.get(f"/v1/claims/{claim_id}")
                    response = current
                    if current.status_code == 200:
                        response = client.patch(
                            f"/v1/claims/{claim_id}",
                            json={"priority": rng.randint(0, 9)},
                            headers={"If-Match": current.headers["etag"]},
                        )
                with lock:
                    outcomes.append(
                        (time.monotonic(), response.status_code, "retry-after" in response.headers)
                    )

    started_before = postmaster_start_time(database_url)
    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(traffic, seed) for seed in range(6)]
        time.sleep(1.5)
        restarted_at = time.monotonic()
        restart()
        back_at = time.monotonic()
        time.sleep(4)
        stop.set()
        for future in futures:
            future.result()

    assert postmaster_start_time(database_url) > started_before  # the server really restarted
    statuses = Counter(status for _, status, _ in outcomes)
    assert statuses[500] == 0, f"server errors during the restart: {statuses}\n{server.log()[-4000:]}"
    assert set(statuses) <= {200, 412, 503}, statuses
    assert all(has_retry_after for _, status, has_retry_after in outcomes if status == 503)
    before = [status for at, status, _ in outcomes if at < restarted_at]
    settled = [status for at, status, _ in outcomes if at > back_at + 1.0]
    assert before and all(status in (200, 412) for status in before)
    assert settled and all(status in (200, 412) for status in settled), Counter(settled)
