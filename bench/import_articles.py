"""Bulk article import: articles/s and claims/s through the durable path, beside direct extraction.

Writes N articles of ~600 words (CheckThat! 2020 verified claims mixed with the sentences of the sample
editorial, shuffled per article, so every article differs) to an NDJSON file, then in one run:

- baseline: the same articles extracted directly in this process (`extraction.extract`, one core,
  nothing stored), on a sample of `--baseline` articles;
- the system: the file imported as a job (stored upload, rows stored pending in batches), then
  extracted by `--workers` `claimcheck worker` processes leasing articles (SKIP LOCKED on PostgreSQL),
  claims and sentences stored; timed from the upload to the last article done.

    .venv/bin/python bench/import_articles.py [--articles 10000] [--workers 2] [--baseline 200]
        [--database postgresql+psycopg://127.0.0.1:5432/test | sqlite]

On PostgreSQL the run uses a fresh schema, dropped afterwards; `sqlite` uses a temporary file.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLAIMS = ROOT.parent / "shared" / "data" / "ct2020-task2" / "verified_claims.docs.tsv"
EDITORIAL = ROOT.parent / "shared" / "data" / "editorial_ukraine.txt"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WORDS_PER_ARTICLE = 600


def articles(count: int, seed: int = 17) -> list[dict[str, str]]:
    """`count` articles of about 600 words, each a different shuffle of claim and editorial sentences."""
    with CLAIMS.open(encoding="utf-8", newline="") as handle:
        claims = [row[1] for row in list(csv.reader(handle, delimiter="\t"))[1:] if len(row) > 1]
    editorial = [
        sentence.strip()
        for sentence in re.split(r"(?<=[.!?])\s+", EDITORIAL.read_text(encoding="utf-8"))
        if len(sentence.split()) >= 6
    ]
    rng = random.Random(seed)
    made = []
    for number in range(count):
        sentences: list[str] = []
        words = 0
        while words < WORDS_PER_ARTICLE:
            sentence = rng.choice(claims) if rng.random() < 0.4 else rng.choice(editorial)
            sentences.append(sentence)
            words += len(sentence.split())
        made.append(
            {
                "title": f"Bench article {number}",
                "body": " ".join(sentences),
                "external_id": f"bench-{number}",
                "published_at": "2024-03-01",
            }
        )
    return made


def baseline(sample: list[dict[str, str]]) -> tuple[float, float]:
    """Articles/s and claims/s of direct in-process extraction (no storage, one core)."""
    from service.extraction import extract

    extract(sample[0]["body"])  # load the models outside the timing
    started = time.perf_counter()
    claims = sum(len(extract(article["body"]).claims) for article in sample)
    elapsed = time.perf_counter() - started
    return len(sample) / elapsed, claims / elapsed


def _database(choice: str) -> tuple[str, str | None]:
    if choice == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='bench-articles-')}/bench.db", None
    import psycopg

    schema = f"bench_articles_{uuid.uuid4().hex[:8]}"
    plain = choice.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    return f"{choice}?options=-csearch_path%3D{schema}", schema


def system(file: Path, *, database_url: str, workers: int) -> tuple[float, int, int, dict[str, int]]:
    """Seconds from upload to the last extracted article, articles, claims, and counts by status."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["SEMANTIC"] = "off"
    os.environ["RUN_WORKER_IN_PROCESS"] = "false"
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from service.articles import extraction_jobs
    from service.claims.models import Claim
    from service.db import get_engine, migrate
    from service.imports import jobs, runner
    from service.imports.models import JobKind
    from service.imports.upload import receive_upload
    from service.settings import get_settings

    settings = get_settings()
    migrate(settings.database_url)
    engine = get_engine()
    environment = {**os.environ, "WORKER_POLL_SECONDS": "0.2", "LOG_LEVEL": "WARNING"}
    log = (file.parent / "workers.log").open("wb")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "service.cli", "worker"], env=environment, stdout=log, stderr=log
        )
        for _ in range(workers)
    ]
    time.sleep(8)  # the workers load spaCy before the clock starts
    try:
        started = time.perf_counter()
        with Session(engine) as session, file.open("rb") as handle:
            job, _ = receive_upload(
                session=session,
                kind=JobKind.articles,
                fmt="ndjson",
                chunks=iter(lambda: handle.read(jobs.CHUNK_BYTES), b""),
                actor=None,
            )
            assert job.id is not None
            job_id = job.id
            # The rows are stored here (as `claimcheck import articles` does); the workers extract.
            assert runner.claim_next(session=session, worker_id="bench", job_id=job_id) == job_id
        status = runner.run(engine=engine, job_id=job_id, worker_id="bench", settings=settings)
        assert status == "done", status
        stored_after = time.perf_counter() - started
        while True:
            with Session(engine) as session:
                counts = extraction_jobs.status_counts(session=session, import_job_id=job_id)
            if counts["pending"] + counts["extracting"] == 0:
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        with Session(engine) as session:
            claims = session.exec(
                select(func.count()).select_from(Claim).where(col(Claim.article_id).is_not(None))
            ).one()
        print(f"  rows stored (pending) after {stored_after:.1f}s; worker log {log.name}", flush=True)
        return elapsed, counts["done"], int(claims), counts
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(30)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", type=int, default=200)
    parser.add_argument("--database", default=POSTGRES, help="a PostgreSQL URL, or sqlite")
    arguments = parser.parse_args()

    made = articles(arguments.articles)
    words = sum(len(article["body"].split()) for article in made) / len(made)
    file = Path(tempfile.mkdtemp(prefix="bench-articles-")) / "articles.ndjson"
    file.write_text("\n".join(json.dumps(article) for article in made) + "\n", encoding="utf-8")
    print(f"{len(made):,} articles, {words:.0f} words each on average; load average {os.getloadavg()[0]:.1f}")

    base_articles, base_claims = baseline(made[: arguments.baseline])
    print(
        f"baseline  direct extraction in-process (1 core, nothing stored), {arguments.baseline} articles: "
        f"{base_articles:.1f} articles/s, {base_claims:.0f} claims/s",
        flush=True,
    )
    database_url, schema = _database(arguments.database)
    try:
        elapsed, done, claims, counts = system(file, database_url=database_url, workers=arguments.workers)
    finally:
        if schema is not None:
            import psycopg

            plain = arguments.database.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(plain, autocommit=True) as connection:
                connection.execute(f"DROP SCHEMA {schema} CASCADE")
    backend = "SQLite" if arguments.database == "sqlite" else "PostgreSQL"
    print(
        f"system    import job + {arguments.workers} worker processes on {backend}, stored: "
        f"{done / elapsed:.1f} articles/s, {claims / elapsed:.0f} claims/s "
        f"({done:,} articles, {claims:,} claims in {elapsed:.1f}s; {counts})"
    )
    print(f"ratio     system / baseline: {done / elapsed / base_articles:.2f}x articles/s")


if __name__ == "__main__":
    main()
