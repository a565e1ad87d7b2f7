"""Claim matching quality on CLEF CheckThat! 2020 task 2 (verified claims retrieval for tweets).

Imports the 10,375 verified claims through POST /v1/imports/claims (NDJSON: vclaim as text, the review
title as title), queries each tweet through POST /v1/claims/match, and prints MAP@5 and Recall@1/5/20,
all in one run, for:
  - bm25            the naive baseline: SQLite FTS5 bm25(), porter unicode61, over title + text, the query
                    an OR of the raw tweet's words (bm25-text: the same over the claim text alone)
  - embeddings      MiniLM cosine alone (exhaustive over every claim)
  - lexical         the service's matcher without the semantic extra (SEMANTIC=off), through the API
  - semantic@N%     the semantic matcher (SEMANTIC=on) while only the first N% of the claims (in id order,
                    the order the worker embeds them) have embeddings: 0% is "queried at once" after the
                    import, 100% is "settled"

    .venv/bin/python bench/match_checkthat.py [--split dev] [--embeddings-cache DIR] [--database FILE]

The ranker is fitted on the train tweets (bench/train_matcher.py); dev is the held-out figure.
Embeddings are computed by the import worker after the import (about 200 claims/s on a quiet CPU).
`--embeddings-cache DIR` stores them in DIR/claims.npy on the first run and loads them from there on later
runs instead of waiting for the worker (the vectors are the same: same model, same text).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkthat import (
    HEADERS,
    PlainBM25,
    configure,
    evaluate,
    import_claims,
    judged_tweets,
    verified_claims,
)

EMBEDDED_FRACTIONS = (0.0, 0.25, 0.5, 0.75, 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--embeddings-cache", type=Path, default=None)
    parser.add_argument("--database", default=None, help="reuse this SQLite file (already imported)")
    args = parser.parse_args()

    database = args.database or str(Path(tempfile.mkdtemp(prefix="checkthat-")) / "checkthat.db")
    configure(database, "off")
    import numpy as np
    from fastapi.testclient import TestClient
    from sqlalchemy import func
    from sqlmodel import Session, select

    from service.claims.models import Claim
    from service.db import get_engine
    from service.main import create_app
    from service.matching import semantic
    from service.matching.models import ClaimEmbedding
    from service.matching.query import clean_query

    def fresh_app(semantic_mode: str, worker: bool = True) -> Any:
        configure(database, semantic_mode, worker=worker)
        semantic.forget_matrices()
        return create_app()

    claims = verified_claims()

    # 1. Import through the bulk import.
    with TestClient(fresh_app("off")) as client:
        with Session(get_engine()) as session:
            stored = session.exec(select(func.count()).select_from(Claim)).one()
        if stored == 0:
            started = time.perf_counter()
            job = import_claims(client, claims)
            print(
                f"import: {job['created']} claims created, {job['failed']} failed, "
                f"{job['duplicates']} duplicates kept, in {time.perf_counter() - started:.1f} s"
            )

    # 2. Embeddings: by the background step (the worker), or from the cache of an earlier run. The cache
    # holds one vector per verified claim in the TSV's order, matched to stored claims by external_id.
    with Session(get_engine()) as session:
        id_rows = session.exec(select(Claim.id, Claim.external_id).order_by(Claim.id)).all()
    claim_ids = [claim_id for claim_id, _ in id_rows if claim_id is not None]
    external_of = {claim_id: external_id or "" for claim_id, external_id in id_rows}
    position = {row[0]: index for index, row in enumerate(claims)}
    cache_file = args.embeddings_cache / "claims.npy" if args.embeddings_cache else None
    if cache_file is not None and cache_file.exists():
        vectors = np.load(cache_file)
        print(f"embeddings: loaded {len(vectors)} from {cache_file}")
    else:
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
        with Session(get_engine()) as session:
            rows = session.exec(select(ClaimEmbedding.claim_id, ClaimEmbedding.vector)).all()
        by_position = {position[external_of[claim_id]]: vector for claim_id, vector in rows}
        vectors = np.stack(
            [np.frombuffer(bytes(by_position[n]), dtype=np.float16) for n in range(len(claims))]
        )
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache_file, vectors)

    def keep_embeddings(fraction: float) -> None:
        """Embeddings on the first `fraction` of claims (in id order) only, as mid-way through the backlog."""
        kept = claim_ids[: round(fraction * len(claim_ids))]
        with Session(get_engine()) as session:
            session.execute(ClaimEmbedding.__table__.delete())  # type: ignore[attr-defined]
            if kept:
                session.execute(
                    ClaimEmbedding.__table__.insert(),  # type: ignore[attr-defined]
                    [
                        {
                            "claim_id": claim_id,
                            "model": semantic.MODEL_NAME,
                            "vector": vectors[position[external_of[claim_id]]].astype("float16").tobytes(),
                        }
                        for claim_id in kept
                    ],
                )
            session.commit()

    tweets, qrels = judged_tweets(args.split)
    rankings: dict[str, dict[str, list[str]]] = {}
    timings: dict[str, list[float]] = {}

    # 3. Baselines.
    for name, with_title in (("bm25", True), ("bm25-text", False)):
        baseline = PlainBM25(claims, with_title=with_title)
        rankings[name] = {tweet_id: baseline.rank(text) for tweet_id, text in tweets}
    keep_embeddings(1.0)
    with TestClient(fresh_app("on", worker=False)), Session(get_engine()) as session:
        matrix = semantic.matrix_for(session)
        query_vectors = semantic.embed([clean_query(text) for _, text in tweets])
        rankings["embeddings"] = {
            tweet_id: [external_of[claim_id] for claim_id, _ in matrix.nearest(vector, 20)]
            for (tweet_id, _), vector in zip(tweets, query_vectors, strict=True)
        }

    # 4. The service's own matchers, through the API.
    runs = [("lexical", "off", 1.0)] + [
        (f"semantic@{fraction:.0%}", "on", fraction) for fraction in EMBEDDED_FRACTIONS
    ]
    matchers: dict[str, set[str]] = {}
    for name, mode, fraction in runs:
        keep_embeddings(fraction)
        rankings[name], timings[name], matchers[name] = {}, [], set()
        # No worker: the embedded fraction stays what it was set to while the tweets are asked.
        with TestClient(fresh_app(mode, worker=False)) as client:
            for tweet_id, text in tweets:
                started = time.perf_counter()
                response = client.post("/v1/claims/match", json={"text": text, "limit": 20}, headers=HEADERS)
                timings[name].append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
                answer = response.json()
                matchers[name].add(answer["matcher"])
                rankings[name][tweet_id] = [found["external_id"] for found in answer["results"]]
    keep_embeddings(1.0)

    print(f"\nCheckThat! 2020 task 2, {args.split}: {len(tweets)} tweets, {len(claims)} verified claims")
    print(f"{'method':<14} {'MAP@5':>7} {'R@1':>7} {'R@5':>7} {'R@20':>7}   median ms/query  matcher")
    for name, ranking in rankings.items():
        scores = evaluate(ranking, qrels)
        median = f"{statistics.median(timings[name]) * 1000:.1f}" if name in timings else "-"
        print(
            f"{name:<14} {scores['MAP@5']:>7.3f} {scores['R@1']:>7.3f} {scores['R@5']:>7.3f} "
            f"{scores['R@20']:>7.3f}   {median:>15}  {'/'.join(sorted(matchers.get(name, ())))}"
        )


if __name__ == "__main__":
    main()
