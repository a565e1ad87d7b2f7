"""Fit the matching ranker (service/matching/ranker_model.json) on the CheckThat! 2020 TRAIN tweets.

Imports the 10,375 verified claims into a SQLite file (or reuses --database), waits for their
embeddings (or loads --embeddings-cache DIR/claims.npy written by bench/match_checkthat.py), collects
every train tweet's candidates and features through the service's own code, fits two logistic
regressions (lexical features; lexical + cosine features) and writes them. Dev is only scored, never fitted:

    .venv/bin/python bench/train_matcher.py --database /tmp/ct.db [--embeddings-cache DIR] [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkthat import configure, evaluate, judged_tweets


def collect(session: Any, tweets: list[list[str]], use_semantic: bool) -> list[Any]:
    """(tweet id, query, found candidates) for each tweet, through the service's candidate search."""
    from service.identity import claim_signature
    from service.matching import features, matcher
    from service.matching.query import clean_query

    collected = []
    for tweet_id, text in tweets:
        cleaned = clean_query(text)
        query = features.query_of(cleaned, claim_signature(cleaned))
        found = matcher.candidates(session=session, query=cleaned, use_semantic=use_semantic)
        collected.append((tweet_id, query, found))
    return collected


def design(
    collected: list[Any], qrels: dict[str, set[str]], external_of: dict[int, str], semantic: bool
) -> Any:
    import numpy as np

    from service.matching import features

    rows, labels = [], []
    for tweet_id, query, found in collected:
        for item in found:
            if semantic:
                if item.placement.cosine is None:
                    continue
                rows.append(features.semantic_features(query, item.candidate, item.placement))
            else:
                lexical_only = _without_cosine(item)
                rows.append(features.lexical_features(query, item.candidate, lexical_only.placement))
            labels.append(external_of[item.candidate.claim_id] in qrels[tweet_id])
    return np.asarray(rows, dtype=np.float64), np.asarray(labels, dtype=np.int64)


def _without_cosine(item: Any) -> Any:
    from dataclasses import replace

    return replace(item, placement=replace(item.placement, cosine=None, cosine_rank=None, cosine_best=None))


def fit(matrix: Any, labels: Any, names: tuple[str, ...], c: float) -> Any:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from service.matching.ranker import LogisticModel

    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000).fit((matrix - mean) / scale, labels)
    return LogisticModel(
        features=names,
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in np.asarray(scale)),
        coef=tuple(float(v) for v in model.coef_[0]),
        intercept=float(model.intercept_[0]),
    )


def rankings(
    collected: list[Any], external_of: dict[int, str], models: Any, lexical_only: bool
) -> dict[str, list[str]]:
    from service.matching import matcher

    result = {}
    for tweet_id, query, found in collected:
        items = (
            [_without_cosine(item) for item in found if item.placement.bm25_rank is not None]
            if lexical_only
            else found
        )
        ranked = matcher.rank(query, items, models)
        result[tweet_id] = [external_of[r.found.candidate.claim_id] for r in ranked[:20]]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", required=True, help="SQLite file with the verified claims imported and embedded"
    )
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--lexical-only", action="store_true", help="fit and score the lexical model only")
    parser.add_argument("--write", action="store_true", help="write service/matching/ranker_model.json")
    args = parser.parse_args()
    configure(args.database, "on")
    from sqlmodel import Session, select

    from service.claims.models import Claim
    from service.db import get_engine
    from service.matching import features
    from service.matching.ranker import MODEL_PATH, Ranker

    started = time.perf_counter()
    with Session(get_engine()) as session:
        external_of = {
            claim_id: external or ""
            for claim_id, external in session.exec(select(Claim.id, Claim.external_id))
        }
        train, train_qrels = judged_tweets("train")
        dev, dev_qrels = judged_tweets("dev")
        collected_train = collect(session, train, not args.lexical_only)
        collected_dev = collect(session, dev, not args.lexical_only)
    print(
        f"candidates for {len(train)} train, {len(dev)} dev tweets in {time.perf_counter() - started:.0f} s"
    )
    lexical = fit(
        *design(collected_train, train_qrels, external_of, semantic=False), features.LEXICAL_FEATURES, args.c
    )
    semantic = (
        lexical
        if args.lexical_only
        else fit(
            *design(collected_train, train_qrels, external_of, semantic=True),
            features.SEMANTIC_FEATURES,
            args.c,
        )
    )
    models = Ranker(lexical=lexical, semantic=semantic)
    for split, collected, qrels in (
        ("train (fitted)", collected_train, train_qrels),
        ("dev (held out)", collected_dev, dev_qrels),
    ):
        lex = evaluate(rankings(collected, external_of, models, lexical_only=True), qrels)["MAP@5"]
        sem = evaluate(rankings(collected, external_of, models, lexical_only=False), qrels)["MAP@5"]
        print(f"{split:<16} MAP@5 lexical {lex:.3f}  semantic {sem:.3f}")
    for name, model in (("lexical", lexical), ("semantic", semantic)):
        print(name, ", ".join(f"{f} {w:+.2f}" for f, w in zip(model.features, model.coef, strict=True)))
    if args.write:
        MODEL_PATH.write_text(
            json.dumps(
                {
                    "fitted_on": "CheckThat! 2020 task 2 train tweets (bench/train_matcher.py)",
                    "lexical": lexical.to_json(),
                    "semantic": semantic.to_json(),
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {MODEL_PATH}")


if __name__ == "__main__":
    main()
