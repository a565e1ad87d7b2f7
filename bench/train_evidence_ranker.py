"""Train the evidence ranker (service/linking/ranker_model.json) with held-out-fold figures.

    .venv/bin/python bench/train_evidence_ranker.py               # lexical and semantic models
    .venv/bin/python bench/train_evidence_ranker.py --no-semantic # lexical only (semantic kept as is)

Data: the Climate-FEVER dev half (543 claims, 5,240 sentences; Diggelmann et al. 2020, Wikipedia CC BY-SA)
and the newsroom set (bench/data/newsroom_evidence, among the CheckThat! 2020 distractors). Each claim's
first-stage pool (full text, plus embeddings for the semantic model) is built through the service; each
candidate is labelled relevant when its url is judged so. Five folds grouped by claim: the model is fitted
on four and ranks the fifth; the figures printed are over held-out claims only (a claim whose relevant
passage is not in the pool counts as a miss). The exported model is then fitted on everything.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import evidence_quality as quality
from sqlmodel import Session

from service.db import make_engine
from service.linking import evidence, index, ranker
from service.linking.passages import split_passages
from service.linking.query import EvidenceQuery

FOLDS = 5
REGULARISATION = 1.0


@dataclass
class Pools:
    """Every candidate of every claim: features, label, the claim it belongs to and its url."""

    features: list[tuple[float, ...]]
    labels: list[int]
    groups: list[str]
    urls: list[str]
    queries: list[tuple[str, quality.JudgedQuery]]  # (group, judged claim)


def pools_for(evaluation: quality.EvaluationSet, dense: bool, workdir: str) -> Pools:
    database_url = f"sqlite:///{workdir}/{evaluation.name.replace(' ', '_')}_{dense}.db"
    quality.import_library(database_url, evaluation.sources)
    if dense:
        split = [
            (source.url, piece.text) for source in evaluation.sources for piece in split_passages(source.text)
        ]
        quality.embed_library(database_url, quality.Dense(split, evaluation.queries).vectors_by_text())
    pools = Pools(
        [], [], [], [], [(f"{evaluation.name}/{judged.query_id}", judged) for judged in evaluation.queries]
    )
    engine = make_engine(database_url)
    with Session(engine) as session:
        for judged in evaluation.queries:
            query = EvidenceQuery(text=judged.text)
            pool = evidence.candidate_pool(session=session, query=query, dense=dense)
            best = ranker.PoolBest.of(pool)
            candidates = index.passages_by_id(session=session, passage_ids=[item.passage_id for item in pool])
            urls = {passage.passage_id: passage.url for passage in candidates}
            for item in pool:
                vector, _agreement = ranker.features(query, item, best)
                pools.features.append(vector)
                pools.labels.append(int(urls[item.passage_id] in judged.relevant))
                pools.groups.append(f"{evaluation.name}/{judged.query_id}")
                pools.urls.append(urls[item.passage_id])
    engine.dispose()
    return pools


def merged(parts: list[Pools]) -> Pools:
    total = Pools([], [], [], [], [])
    for part in parts:
        total.features += part.features
        total.labels += part.labels
        total.groups += part.groups
        total.urls += part.urls
        total.queries += part.queries
    return total


def fitted(features: np.ndarray, labels: np.ndarray) -> tuple[StandardScaler, LogisticRegression]:
    scaler = StandardScaler().fit(features)
    model = LogisticRegression(C=REGULARISATION, max_iter=2000).fit(scaler.transform(features), labels)
    return scaler, model


def held_out_figures(pools: Pools, dense: bool) -> dict[str, tuple[float, float, float]]:
    """recall@3, MRR@10, nDCG@10 per evaluation set, each claim ranked by a model that never saw it."""
    features = np.asarray(pools.features)
    if not dense:
        features = _without_dense(features)
    labels = np.asarray(pools.labels)
    groups = np.asarray(pools.groups)
    scores = np.zeros(len(labels))
    for train, test in GroupKFold(n_splits=FOLDS).split(features, labels, groups):
        scaler, model = fitted(features[train], labels[train])
        scores[test] = model.decision_function(scaler.transform(features[test]))
    by_query: dict[str, list[tuple[float, str]]] = {}
    for group, score, url in zip(pools.groups, scores, pools.urls, strict=True):
        by_query.setdefault(group, []).append((-score, url))
    figures: dict[str, list[tuple[float, float, float]]] = {}
    for group, judged in pools.queries:
        ranked = [url for _score, url in sorted(by_query.get(group, []))]
        figures.setdefault(group.split("/")[0], []).append(quality.scores(ranked, judged.relevant))
    return {
        name: tuple(statistics.mean(column) for column in zip(*rows, strict=True))  # type: ignore[misc]
        for name, rows in figures.items()
    }


def _without_dense(features: np.ndarray) -> np.ndarray:
    features = features.copy()
    for position, name in enumerate(ranker.FEATURES):
        if name in ranker.DENSE_FEATURES:
            features[:, position] = 0.0
    return features


def exported(pools: Pools, dense: bool) -> dict[str, object]:
    features = np.asarray(pools.features)
    if not dense:
        features = _without_dense(features)
    scaler, model = fitted(features, np.asarray(pools.labels))
    return {
        "coefficients": [round(float(value), 6) for value in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "means": [round(float(value), 6) for value in scaler.mean_],
        "scales": [round(float(value), 6) for value in scaler.scale_],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-semantic", action="store_true")
    parser.add_argument("--save-pools", type=Path, help="also write the labelled pools (npz) for analysis")
    args = parser.parse_args()
    sets = [quality.climate_fever(), quality.newsroom()]
    current = json.loads(ranker.MODEL_PATH.read_text(encoding="utf-8"))
    models = dict(current.get("models", {}))
    report: dict[str, object] = dict(current.get("held_out", {}))
    workdir = tempfile.mkdtemp(prefix="train_ranker_")
    try:
        for dense in [False] if args.no_semantic else [False, True]:
            pools = merged([pools_for(evaluation, dense, workdir) for evaluation in sets])
            name = "semantic" if dense else "lexical"
            if args.save_pools:
                np.savez(
                    f"{args.save_pools}.{name}.npz",
                    features=np.asarray(pools.features),
                    labels=np.asarray(pools.labels),
                    groups=np.asarray(pools.groups),
                    urls=np.asarray(pools.urls),
                )
            figures = held_out_figures(pools, dense)
            print(f"{name} model, {len(pools.labels)} candidates, held-out folds:")
            for set_name, (recall3, mrr, ndcg) in figures.items():
                print(f"  {set_name:<20} recall@3 {recall3:.3f}  MRR@10 {mrr:.3f}  nDCG@10 {ndcg:.3f}")
            report[name] = {
                set_name: [round(value, 3) for value in values] for set_name, values in figures.items()
            }
            models[name] = exported(pools, dense)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if "semantic" not in models:
        models["semantic"] = models["lexical"]
    ranker.MODEL_PATH.write_text(
        json.dumps(
            {
                "features": list(ranker.FEATURES),
                "models": models,
                "held_out": report,
                "trained_on": "Climate-FEVER dev half + bench/data/newsroom_evidence, 5 folds by claim",
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {ranker.MODEL_PATH}")


if __name__ == "__main__":
    main()
