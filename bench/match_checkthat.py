"""Claim matching quality on CLEF CheckThat! 2020 task 2 (verified claims retrieval for tweets).

Imports the 10,375 verified claims through POST /v1/imports/claims (NDJSON: vclaim as text, the review
title as title), queries each tweet through POST /v1/claims/match, and prints MAP@5 and Recall@1/5/20 for:
  - bm25        BM25 candidates alone (the database index order)
  - embeddings  MiniLM cosine alone (exhaustive over every claim)
  - zscore      a plain z-score fusion of BM25 and cosine (the baseline to beat)
  - lexical     the service's default matcher (SEMANTIC=off), through the API
  - semantic    the service's semantic matcher (SEMANTIC=on), through the API

    .venv/bin/python bench/match_checkthat.py [--split dev] [--embeddings-cache DIR] [--tune]

Embeddings are computed by the import worker after the import (about 200 claims/s on a quiet CPU).
`--embeddings-cache DIR` stores them in DIR/claims.npy on the first run and loads them from there on later
runs instead of waiting for the worker (the vectors are the same: same model, same text).
`--tune` grid-searches the fusion weights on the TRAIN tweets and prints them (copy into matching.py).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "ct2020-task2"
ADMIN_KEY = "cc_bench_admin_key_0123456789abcdefghijklmnopqrstuvwxyz"
HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--embeddings-cache", type=Path, default=None)
    parser.add_argument("--tune", action="store_true", help="grid-search fusion weights on train")
    parser.add_argument("--database", default=None, help="reuse this SQLite file (already imported)")
    parser.add_argument("--tune-tweets", type=int, default=0, help="tune on the first N train tweets only")
    parser.add_argument(
        "--reload-embeddings", action="store_true", help="replace stored embeddings from the cache"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="checkthat-"))
    database = args.database or str(workdir / "checkthat.db")
    os.environ.update(
        DATABASE_URL=f"sqlite:///{database}",
        CLAIMCHECK_ADMIN_KEY=ADMIN_KEY,
        RATE_LIMIT_PER_MINUTE="1000000",
        RATE_LIMIT_BURST="1000000",
        LOG_LEVEL="WARNING",
        WORKER_POLL_SECONDS="0.2",
        SEMANTIC="off",
    )
    from fastapi.testclient import TestClient
    from sqlalchemy import func
    from sqlmodel import Session, select

    from service.api.deps import get_rate_limiter
    from service.claims.models import Claim
    from service.db import get_engine
    from service.matching import semantic
    from service.matching.models import ClaimEmbedding
    from service.main import create_app
    from service.settings import get_settings

    def fresh_app(semantic_mode: str) -> Any:
        os.environ["SEMANTIC"] = semantic_mode
        get_settings.cache_clear()
        get_engine.cache_clear()
        get_rate_limiter.cache_clear()
        return create_app()

    claims = read_tsv(DATA / "verified_claims.docs.tsv")
    external = {row[0]: row for row in claims}

    # 1. Import through the bulk import.
    with TestClient(fresh_app("off")) as client:
        with Session(get_engine()) as session:
            stored = session.exec(select(func.count()).select_from(Claim)).one()
        if stored == 0:
            body = "\n".join(
                json.dumps({"external_id": claim_id, "text": vclaim, "title": title})
                for claim_id, vclaim, title in claims
            ).encode()
            started = time.perf_counter()
            response = client.post(
                "/v1/imports/claims?on_duplicate=keep",
                content=body,
                headers={**HEADERS, "Content-Type": "application/x-ndjson"},
            )
            job_id = response.json()["id"]
            while True:
                job = client.get(f"/v1/imports/{job_id}", headers=HEADERS).json()
                if job["status"] in ("done", "failed"):
                    break
                time.sleep(0.2)
            print(
                f"import: {job['created']} claims created, {job['failed']} failed, "
                f"{job['duplicates']} duplicates kept, in {time.perf_counter() - started:.1f} s"
            )

    # 2. Embeddings: by the background step (the worker), or from the cache of an earlier run.
    import numpy as np

    with Session(get_engine()) as session:
        id_rows = session.exec(select(Claim.id, Claim.external_id).order_by(Claim.id)).all()
    claim_ids = [claim_id for claim_id, _ in id_rows]
    external_of = {claim_id: external_id for claim_id, external_id in id_rows}
    cache_file = args.embeddings_cache / "claims.npy" if args.embeddings_cache else None
    with Session(get_engine()) as session:
        embedded = session.exec(select(func.count()).select_from(ClaimEmbedding)).one()
    # The cache holds one vector per verified claim in the order of the TSV file, so it is matched to the
    # stored claims by external_id (claim ids need not follow the file's order).
    position = {row[0]: index for index, row in enumerate(claims)}
    if args.reload_embeddings:
        embedded = 0
    if embedded < len(claim_ids) and cache_file is not None and cache_file.exists():
        vectors = np.load(cache_file)
        with Session(get_engine()) as session:
            session.execute(ClaimEmbedding.__table__.delete())  # type: ignore[attr-defined]
            session.execute(
                ClaimEmbedding.__table__.insert(),  # type: ignore[attr-defined]
                [
                    {
                        "claim_id": claim_id,
                        "model": semantic.MODEL_NAME,
                        "vector": vectors[position[external_of[claim_id] or ""]].astype("float16").tobytes(),
                    }
                    for claim_id in claim_ids
                ],
            )
            session.commit()
        print(f"embeddings: loaded {len(claim_ids)} from {cache_file}")
    elif embedded < len(claim_ids):
        started = time.perf_counter()
        with TestClient(fresh_app("on")):  # its worker embeds in idle time
            while True:
                with Session(get_engine()) as session:
                    embedded = session.exec(select(func.count()).select_from(ClaimEmbedding)).one()
                if embedded >= len(claim_ids):
                    break
                time.sleep(1.0)
        elapsed = time.perf_counter() - started
        print(
            f"embeddings: {embedded} computed by the worker in {elapsed:.0f} s ({embedded / elapsed:.0f}/s)"
        )
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            with Session(get_engine()) as session:
                rows = session.exec(select(ClaimEmbedding.claim_id, ClaimEmbedding.vector)).all()
            by_position = {position[external_of[claim_id] or ""]: vector for claim_id, vector in rows}
            np.save(
                cache_file,
                np.stack(
                    [np.frombuffer(bytes(by_position[n]), dtype=np.float16) for n in range(len(claims))]
                ),
            )

    if args.tune:
        train = read_tsv(DATA / "train.tweets.queries.tsv")
        tune(train[: args.tune_tweets or None], read_qrels(DATA / "train.tweet-vclaim-pairs.qrels"))
        return

    tweets = read_tsv(DATA / f"{args.split}.tweets.queries.tsv")
    qrels = read_qrels(DATA / f"{args.split}.tweet-vclaim-pairs.qrels")
    tweets = [row for row in tweets if row[0] in qrels]
    rankings: dict[str, dict[str, list[str]]] = {name: {} for name in ("bm25", "embeddings", "zscore")}

    # 3. Baselines, from the same index and the same stored embeddings.
    from service.claims.text import normalize_claim_text
    from service.imports.index import candidate_claims
    from service.matching.matcher import clean_query

    with TestClient(fresh_app("on")), Session(get_engine()) as session:
        matrix = semantic.matrix_for(session)
        query_vectors = semantic.embed([clean_query(text) for _, text in tweets])
        for (tweet_id, text), query_vector in zip(tweets, query_vectors, strict=True):
            lexical = candidate_claims(session=session, text_normalized=normalize_claim_text(text), limit=100)
            rankings["bm25"][tweet_id] = [external_of[claim_id] or "" for claim_id, _ in lexical]
            nearest = matrix.nearest(query_vector, 100)
            rankings["embeddings"][tweet_id] = [external_of[claim_id] or "" for claim_id, _ in nearest]
            rankings["zscore"][tweet_id] = _zscore_fusion(lexical, nearest, external_of)

    # 4. The service's own matchers, through the API.
    timings: dict[str, list[float]] = {}
    for mode, name in (("off", "lexical"), ("on", "semantic")):
        rankings[name] = {}
        timings[name] = []
        with TestClient(fresh_app(mode)) as client:
            for tweet_id, text in tweets:
                started = time.perf_counter()
                response = client.post("/v1/claims/match", json={"text": text, "limit": 20}, headers=HEADERS)
                timings[name].append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
                rankings[name][tweet_id] = [found["external_id"] for found in response.json()["results"]]

    print(f"\nCheckThat! 2020 task 2, {args.split}: {len(tweets)} tweets, {len(external)} verified claims")
    print(f"{'method':<12} {'MAP@5':>7} {'R@1':>7} {'R@5':>7} {'R@20':>7}   median ms/query")
    for name, ranking in rankings.items():
        scores = evaluate(ranking, qrels)
        median = f"{statistics.median(timings[name]) * 1000:.1f}" if name in timings else "-"
        print(
            f"{name:<12} {scores['MAP@5']:>7.3f} {scores['R@1']:>7.3f} {scores['R@5']:>7.3f} "
            f"{scores['R@20']:>7.3f}   {median}"
        )


def _zscore_fusion(
    lexical: list[tuple[int, float]], nearest: list[tuple[int, float]], external_of: dict[int, str | None]
) -> list[str]:
    def zscores(pairs: list[tuple[int, float]]) -> dict[int, float]:
        if len(pairs) < 2:
            return {claim_id: 0.0 for claim_id, _ in pairs}
        values = [value for _, value in pairs]
        mean, spread = statistics.mean(values), statistics.pstdev(values) or 1.0
        return {claim_id: (value - mean) / spread for claim_id, value in pairs}

    bm25, cosine = zscores(lexical), zscores(nearest)
    floor_bm25, floor_cosine = min(bm25.values(), default=0.0), min(cosine.values(), default=0.0)
    fused = {
        claim_id: bm25.get(claim_id, floor_bm25) + cosine.get(claim_id, floor_cosine)
        for claim_id in set(bm25) | set(cosine)
    }
    return [external_of[claim_id] or "" for claim_id in sorted(fused, key=fused.__getitem__, reverse=True)]


def tune(tweets: list[list[str]], qrels: dict[str, set[str]]) -> None:
    """Grid-search the semantic and lexical fusion weights on train tweets (signals computed once)."""
    from sqlmodel import Session, select

    from service.claims.models import Claim
    from service.db import get_engine
    from service.matching import matcher as matching

    tweets = [row for row in tweets if row[0] in qrels]
    with Session(get_engine()) as session:
        external_of = dict(session.exec(select(Claim.id, Claim.external_id)).all())
        collected = []
        started = time.perf_counter()
        for tweet_id, text in tweets:
            signals, _claims = matching.signals_for(session=session, text=text, use_semantic=True)
            collected.append((tweet_id, signals))
    print(f"signals for {len(tweets)} train tweets in {time.perf_counter() - started:.0f} s")
    import numpy as np

    features = []
    for tweet_id, signals in collected:
        matrix = np.array(
            [[s.bm25, s.token_set, s.partial, max(s.cosine or 0.0, 0.0)] for s in signals], dtype=np.float64
        ).reshape(-1, 4)
        features.append((tweet_id, matrix, [external_of[s.claim_id] or "" for s in signals]))
    steps = [n / 20 for n in range(21)]
    results = []
    for bm25, token_set, partial in itertools.product(steps, repeat=3):
        cosine = round(1.0 - bm25 - token_set - partial, 4)
        if cosine < 0:
            continue
        weights = matching.Weights(bm25=bm25, token_set=token_set, partial=partial, cosine=cosine)
        vector = np.array([bm25, token_set, partial, cosine])
        rankings = {}
        for tweet_id, matrix, ids in features:
            scores = matrix @ vector
            top = np.argsort(-scores)[:5]
            rankings[tweet_id] = [ids[index] for index in top]
        results.append((evaluate(rankings, qrels)["MAP@5"], weights))
    results.sort(key=lambda item: item[0], reverse=True)
    print("best semantic weights on train:")
    for value, weights in results[:5]:
        print(f"  MAP@5 {value:.3f}  {weights}")
    lexical = [item for item in results if item[1].cosine == 0.0]
    print("best lexical weights on train:")
    for value, weights in lexical[:5]:
        print(f"  MAP@5 {value:.3f}  {weights}")


if __name__ == "__main__":
    main()
