"""CheckThat! 2020 task 2 data for the matching benches: tweets, verified claims, qrels, MAP@5, and a
SQLite library of the verified claims imported through the API (with their embeddings, cached)."""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "ct2020-task2"
ADMIN_KEY = "cc_bench_admin_key_0123456789abcdefghijklmnopqrstuvwxyz"
HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
_WORD = re.compile(r"\w+")


def read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return rows[1:]


def read_qrels(path: Path) -> dict[str, set[str]]:
    relevant: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            query_id, _, doc_id, grade = line.split()
            if grade != "0":
                relevant.setdefault(query_id, set()).add(doc_id)
    return relevant


def verified_claims() -> list[list[str]]:
    """(claim id, vclaim, title) rows."""
    return read_tsv(DATA / "verified_claims.docs.tsv")


def judged_tweets(split: str) -> tuple[list[list[str]], dict[str, set[str]]]:
    """The split's (tweet id, text) rows that have a judgement, and the judgements."""
    qrels = read_qrels(DATA / f"{split}.tweet-vclaim-pairs.qrels")
    tweets = [row for row in read_tsv(DATA / f"{split}.tweets.queries.tsv") if row[0] in qrels]
    return tweets, qrels


def average_precision_at(ranked: list[str], relevant: set[str], k: int = 5) -> float:
    hits, total = 0, 0.0
    for position, doc_id in enumerate(ranked[:k], start=1):
        if doc_id in relevant:
            hits += 1
            total += hits / position
    return total / min(len(relevant), k) if relevant else 0.0


def evaluate(rankings: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, float]:
    queries = [query_id for query_id in qrels if query_id in rankings]
    result = {"MAP@5": statistics.mean(average_precision_at(rankings[q], qrels[q]) for q in queries)}
    for k in (1, 5, 20):
        result[f"R@{k}"] = statistics.mean(
            len(set(rankings[q][:k]) & qrels[q]) / len(qrels[q]) for q in queries
        )
    return result


class PlainBM25:
    """The naive baseline: SQLite FTS5 bm25() with porter unicode61 over title + text, the query an OR
    of the tweet's distinct words (no cleaning)."""

    def __init__(self, claims: list[list[str]], *, with_title: bool = True) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE doc USING fts5(body, tokenize='porter unicode61')")
        self.db.executemany(
            "INSERT INTO doc(rowid, body) VALUES (?, ?)",
            [(int(claim_id), f"{title} {text}" if with_title else text) for claim_id, text, title in claims],
        )

    def rank(self, text: str, limit: int = 20) -> list[str]:
        words = sorted({word.lower() for word in _WORD.findall(text)})
        if not words:
            return []
        match = " OR ".join(f'"{word}"' for word in words)
        rows = self.db.execute(
            "SELECT rowid FROM doc WHERE doc MATCH ? ORDER BY bm25(doc) LIMIT ?", (match, limit)
        )
        return [str(claim_id) for (claim_id,) in rows]


def configure(database: str, semantic: str, *, worker: bool = True) -> None:
    """Point the service at the bench's SQLite file (settings and engine re-read); without `worker`, no
    in-process worker embeds claims behind the bench's back."""
    os.environ.update(
        RUN_WORKER_IN_PROCESS="true" if worker else "false",
        DATABASE_URL=f"sqlite:///{database}",
        CLAIMCHECK_ADMIN_KEY=ADMIN_KEY,
        RATE_LIMIT_PER_MINUTE="1000000",
        RATE_LIMIT_BURST="1000000",
        LOG_LEVEL="WARNING",
        WORKER_POLL_SECONDS="0.2",
        SEMANTIC=semantic,
    )
    from service.api.deps import get_rate_limiter
    from service.db import get_engine
    from service.settings import get_settings

    get_settings.cache_clear()
    get_engine.cache_clear()
    get_rate_limiter.cache_clear()


def import_claims(client: Any, claims: list[list[str]]) -> dict[str, Any]:
    """Import the verified claims (vclaim as text, the review title as title); the finished job."""
    body = "\n".join(
        json.dumps({"external_id": claim_id, "text": text, "title": title})
        for claim_id, text, title in claims
    ).encode()
    response = client.post(
        "/v1/imports/claims?on_duplicate=keep",
        content=body,
        headers={**HEADERS, "Content-Type": "application/x-ndjson"},
    )
    job_id = response.json()["id"]
    while True:
        job: dict[str, Any] = client.get(f"/v1/imports/{job_id}", headers=HEADERS).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
