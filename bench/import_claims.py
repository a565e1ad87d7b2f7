"""Bulk claim import speed and matching latency on SQLite.

Seeds a database with N claims, then imports N more through the durable job machinery (stored upload,
batched worker, duplicate detection by hash then fuzzy) and prints rows/s and peak memory beside a
baseline: a plain bulk INSERT of the same rows into the same N-claim database, without any dedupe.
Then times POST /v1/claims/match over the 2N claims.

    .venv/bin/python bench/import_claims.py [--rows 100000] [--queries 200] [--source-passages 20000]
        [--templated]

`--templated` also imports rows of a statistics feed, every one different but sharing all their words
("Region 5 recorded 5.5% turnout in the 1955 election, ballot series 5."), into a database of N such
claims, beside its own plain-insert baseline: the speed of dedupe must not depend on the data.

Then imports sources (~10 passages each, the evidence bench's synthetic set) through a `sources` job,
beside a baseline of the same sources stored one at a time with `upsert_source` (the job's fallback).

Texts are CheckThat! 2020 verified claims with a quarter of their words swapped (a realistic vocabulary);
5% of the imported rows repeat a stored claim exactly and 5% nearly (a word added), so dedupe has work.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "ct2020-task2" / "verified_claims.docs.tsv"
ADMIN_KEY = "cc_bench_admin_key_0123456789abcdefghijklmnopqrstuvwxyz"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_claims(count: int, seed: int) -> list[str]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        base = [row[1] for row in list(csv.reader(handle, delimiter="\t"))[1:]]
    vocabulary = [word for claim in base for word in claim.split()]
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        words = rng.choice(base).split()
        for _ in range(max(2, len(words) // 4)):
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        texts.append(" ".join(words) + f" ({rng.randint(1, 10**7)})")
    return texts


def templated_claims(count: int, start: int) -> list[str]:
    """Rows of a statistics feed: the same words, different numbers, no two alike."""
    return [
        f"Region {n % 97} recorded {(n * 37) % 100}.{n % 10}% turnout in the {1900 + n % 120} election, "
        f"ballot series {n}."
        for n in range(start, start + count)
    ]


def claim_values(texts: list[str]) -> list[dict[str, object]]:
    """Claim rows as the import stores them, signature included (computed before any timing starts)."""
    from service.claims.text import claim_text_hash, normalize_claim_text
    from service.db import utcnow
    from service.identity import claim_signature

    now = utcnow()
    signatures = [claim_signature(text) for text in texts]
    return [
        {
            "text": text,
            "text_normalized": normalize_claim_text(text),
            "text_hash": claim_text_hash(text),
            "signature": signature.to_json(),
            "signature_key": signature.key,
            "checkworthy": True,
            "score": 0.0,
            "kind": "other",
            "items": [],
            "entities": [],
            "quantities": [],
            "status": "reviewed",
            "verdict": "false",
            "priority": 0,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for text, signature in zip(texts, signatures, strict=True)
    ]


def plain_insert(database_url: str, texts: list[str]) -> float:
    """The baseline: one bulk INSERT per 2,000 rows, no dedupe, no history; returns seconds."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from service.claims.models import Claim
    from service.db import make_engine

    engine = make_engine(database_url)
    values = claim_values(texts)
    started = time.perf_counter()
    with Session(engine) as session:
        for start in range(0, len(values), 2000):
            session.execute(insert(Claim), values[start : start + 2000])
            session.commit()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def run_job(kind: str, lines: Iterator[bytes]) -> tuple[int, float]:
    """Queue an NDJSON upload as a job, run it to the end in this process; (job id, seconds)."""
    from sqlmodel import Session

    from service.db import get_engine
    from service.imports import jobs, runner
    from service.settings import get_settings

    engine, settings = get_engine(), get_settings()
    started = time.perf_counter()
    with Session(engine) as session:
        job, _ = jobs.create(
            session=session, kind=kind, fmt="ndjson", on_duplicate="skip", idempotency_key=None, actor=None
        )
        assert job.id is not None
        job_id = job.id
        jobs.store_upload(session=session, job_id=job_id, chunks=lines)
        assert runner.claim_next(session=session, worker_id="bench", job_id=job_id) == job_id
    status = runner.run(engine=engine, job_id=job_id, worker_id="bench", settings=settings)
    assert status == "done", status
    return job_id, time.perf_counter() - started


def source_import(passages: int) -> None:
    """Passages/s of a `sources` job against storing the same sources one at a time."""
    import evidence_search
    from sqlalchemy import func
    from sqlmodel import Session, select

    from service.db import make_engine, migrate
    from service.linking.models import Passage
    from service.linking.sources import upsert_source

    sources, _queries = evidence_search.generate(passages, 1, seed=7)
    baseline_url = os.environ["DATABASE_URL"].replace("seeded.db", "sources-baseline.db")
    migrate(baseline_url)
    engine = make_engine(baseline_url)
    started = time.perf_counter()
    with Session(engine) as session:
        for n, source_in in enumerate(sources, 1):
            upsert_source(session=session, source_in=source_in)
            if n % 200 == 0:
                session.commit()
        session.commit()
        stored = session.exec(select(func.count()).select_from(Passage)).one()
    baseline_rate = stored / (time.perf_counter() - started)
    engine.dispose()

    def upload() -> Iterator[bytes]:
        for start in range(0, len(sources), 500):
            part = sources[start : start + 500]
            yield ("\n".join(source.model_dump_json() for source in part) + "\n").encode()

    from service.db import get_engine
    from service.imports import jobs

    with Session(get_engine()) as session:
        before = session.exec(select(func.count()).select_from(Passage)).one()
    job_id, seconds = run_job("sources", upload())
    with Session(get_engine()) as session:
        job = jobs.get(session=session, job_id=job_id)
        after = session.exec(select(func.count()).select_from(Passage)).one()
    print(
        f"sources: {job.created:,} sources, {after - before:,} passages through a sources job: "
        f"{(after - before) / seconds:,.0f} passages/s (failed {job.failed}); baseline one source at a "
        f"time: {baseline_rate:,.0f} passages/s; target >= 2,000 passages/s"
    )


def match_latency(rows: int, count: int) -> None:
    """Median and p95 of POST /v1/claims/match over the diverse database."""
    from fastapi.testclient import TestClient

    from service.main import create_app

    queries = [text for text in synthetic_claims(count, seed=4)]
    timings = []
    with TestClient(create_app()) as client:
        headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
        for text in queries:
            started = time.perf_counter()
            response = client.post("/v1/claims/match", json={"text": text, "limit": 10}, headers=headers)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
    timings.sort()
    print(
        f"match over {rows * 2:,} claims: median {statistics.median(timings) * 1000:.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95)] * 1000:.1f} ms ({len(timings)} queries); "
        "target median < 50 ms"
    )


def import_mode(name: str, seeded: Path, existing: list[str], fresh: list[str]) -> None:
    """Seed `seeded` with `existing` claims, then import `fresh` rows (5% exact and 5% near repeats of
    stored claims planted) through a job, beside a plain bulk insert of the same rows into a copy."""
    from sqlmodel import Session

    from service.db import get_engine, migrate
    from service.imports import jobs

    count = len(fresh)
    migrate(f"sqlite:///{seeded}")
    seconds = plain_insert(f"sqlite:///{seeded}", existing)
    print(
        f"{name} seed: {len(existing):,} claims by plain bulk insert into an empty database: "
        f"{len(existing) / seconds:,.0f} rows/s"
    )
    rng = random.Random(2)
    rows = []
    for n, text in enumerate(fresh):
        roll = rng.random()
        if roll < 0.05:
            text = rng.choice(existing)  # exact repeat
        elif roll < 0.10:
            text = "Breaking: " + rng.choice(existing)  # near repeat
        rows.append({"text": text, "external_id": f"bench-{n}", "verdict": "False", "tags": ["bench"]})

    baseline_db = seeded.with_name(f"{seeded.stem}-baseline.db")
    shutil.copy(seeded, baseline_db)
    seconds = plain_insert(f"sqlite:///{baseline_db}", [str(row["text"]) for row in rows])
    baseline_rate = count / seconds
    print(
        f"{name} baseline: plain bulk insert of {count:,} rows (no dedupe, no history): "
        f"{baseline_rate:,.0f} rows/s"
    )

    def upload() -> Iterator[bytes]:
        for start in range(0, len(rows), 1000):
            yield ("\n".join(json.dumps(row) for row in rows[start : start + 1000]) + "\n").encode()

    memory_before = peak_rss_mb()
    job_id, elapsed = run_job("claims", upload())
    with Session(get_engine()) as session:
        job = jobs.get(session=session, job_id=job_id)
        status = job.status
    rate = job.processed / elapsed
    fresh_texts = set(fresh)
    planted = sum(1 for row in rows if row["text"] not in fresh_texts)
    print(
        f"{name} import: {job.processed:,} rows into {len(existing):,} claims ({status}): {rate:,.0f} rows/s "
        f"(upload stored, deduplicated, committed), created {job.created:,}, duplicates {job.duplicates:,} "
        f"({planted:,} planted), failed {job.failed:,}; peak RSS {peak_rss_mb():,.0f} MB "
        f"(before the import {memory_before:,.0f} MB)"
    )
    print(
        f"{name} import vs baseline: {rate / baseline_rate:.2f}x of plain insert speed; "
        "target >= 5,000 rows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--source-passages", type=int, default=20_000, help="0 skips the source import")
    parser.add_argument(
        "--templated", action="store_true", help="also import templated rows (same words, other numbers)"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    seeded = workdir / "seeded.db"
    os.environ.update(
        DATABASE_URL=f"sqlite:///{seeded}",
        CLAIMCHECK_ADMIN_KEY=ADMIN_KEY,
        RATE_LIMIT_PER_MINUTE="1000000",
        RATE_LIMIT_BURST="1000000",
        LOG_LEVEL="WARNING",
        RUN_WORKER_IN_PROCESS="false",
        SEMANTIC="off",
    )
    import_mode(
        "diverse",
        seeded,
        synthetic_claims(args.rows, seed=1),
        synthetic_claims(args.rows, seed=3),
    )

    if args.queries:
        match_latency(args.rows, args.queries)
    if args.source_passages:
        source_import(args.source_passages)
    if args.templated:
        templated_db = workdir / "templated.db"
        os.environ["DATABASE_URL"] = f"sqlite:///{templated_db}"
        from service.db import get_engine
        from service.settings import get_settings

        get_engine.cache_clear()
        get_settings.cache_clear()
        import_mode(
            "templated",
            templated_db,
            templated_claims(args.rows, start=0),
            templated_claims(args.rows, start=args.rows),
        )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} cores")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
