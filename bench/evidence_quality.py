"""Evidence relevance judged by people: claimcheck beside plain BM25, MiniLM dense and their fusion, one run.

    .venv/bin/python bench/evidence_quality.py           # Climate-FEVER dev half + both newsroom sets
    .venv/bin/python bench/evidence_quality.py --set climate-fever --database postgresql

Climate-FEVER (Diggelmann et al. 2020; Wikipedia text, CC BY-SA): the 5,240 evidence sentences of
`../shared/data/climate-fever/library.ndjson` imported as sources through the service, the 543 dev claims
searched through `service.linking.evidence.search` (what `POST /v1/evidence/search` runs); a hit is a
sentence labelled SUPPORTS or REFUTES for the claim. Newsroom: `bench/data/newsroom_evidence/` (written
blind) among the 10,375 CheckThat! 2020 verified claims as short distractors; a hit is a passage of the
claim's reference source.

Newsroom set 2 (`bench/data/newsroom_evidence_2/`, written blind after set 1 was tuned on) is never trained
on. The exported ranker was fitted on Climate-FEVER dev and newsroom set 1, so for those the HELD-OUT rows
are the figures that count: each claim ranked through the same search with the fold model that never saw
it (`bench/data/evidence_ranker_folds.json`, written by `bench/train_evidence_ranker.py` in the same run
as the exported model).

Baselines, in the same process over the same library: plain BM25 (an in-memory SQLite FTS5 table,
`porter unicode61`, the query an OR of the claim's words), MiniLM dense (all-MiniLM-L6-v2 cosine over
every passage) and their reciprocal-rank fusion (k = 60). With `--semantic` claimcheck embeds the
library's passages first (the background step a worker runs) and uses them.

Measured 2026-12-08 (ranker run 356ee7d5f544, `--set all`, SQLite, load 3-6), recall@3: Climate-FEVER dev
BM25 0.473, MiniLM 0.481, RRF 0.529; claimcheck lexical HELD-OUT 0.527 (+0.054), semantic HELD-OUT 0.586.
Newsroom set 1: BM25 0.743, RRF 0.829; held-out lexical 0.971, semantic 1.000. Newsroom set 2 (never
trained on): BM25 0.688, MiniLM 1.000, RRF 0.781; lexical 0.938, semantic 0.938. PostgreSQL
(`--set climate-fever --database postgresql --no-semantic`): lexical HELD-OUT 0.523, BM25 0.473.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session

import service.models  # noqa: F401  (every table registered)
from service.db import make_engine, migrate
from service.linking.schemas import SourceIn

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
NEWSROOM = ROOT / "bench" / "data" / "newsroom_evidence"
NEWSROOM_2 = ROOT / "bench" / "data" / "newsroom_evidence_2"
CACHE = Path(tempfile.gettempdir()) / "claimcheck_bench_embeddings"
WORD = re.compile(r"[^\W_]+")
RRF_K = 60
DEPTH = 100


@dataclass(frozen=True)
class JudgedQuery:
    query_id: str
    text: str
    relevant: frozenset[str]
    expected_hint: str | None = None


@dataclass(frozen=True)
class EvaluationSet:
    name: str
    sources: list[SourceIn]
    queries: list[JudgedQuery]


def climate_fever() -> EvaluationSet:
    folder = SHARED / "climate-fever"
    sources = [SourceIn(**json.loads(line)) for line in (folder / "library.ndjson").open(encoding="utf-8")]
    queries = []
    for line in (folder / "dev.claims.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if row["relevant"]:
            queries.append(JudgedQuery(row["id"], row["claim"], frozenset(row["relevant"])))
    return EvaluationSet("climate-fever dev", sources, queries)


def newsroom(
    distractors: int | None = None, folder: Path = NEWSROOM, name: str = "newsroom"
) -> EvaluationSet:
    """A newsroom set (references and claims in `folder`) among the CheckThat! 2020 verified claims."""
    sources = [SourceIn(**json.loads(line)) for line in (folder / "references.ndjson").open(encoding="utf-8")]
    with (SHARED / "ct2020-task2" / "verified_claims.docs.tsv").open(encoding="utf-8") as tsv:
        for n, row in enumerate(csv.DictReader(tsv, delimiter="\t")):
            if distractors is not None and n >= distractors:
                break
            if row["vclaim"].strip() and row["title"].strip():
                sources.append(
                    SourceIn(
                        url=f"https://checkthat.example/vclaim/{row['']}",
                        title=row["title"][:1000],
                        publisher="CheckThat! 2020",
                        text=row["vclaim"],
                    )
                )
    queries = []
    for line in (folder / "claims.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        queries.append(JudgedQuery(row["id"], row["claim"], frozenset(row["relevant"]), row["expected_hint"]))
    return EvaluationSet(name, sources, queries)


def newsroom_2() -> EvaluationSet:
    """The second blind set: written after set 1 was tuned on, never trained on."""
    return newsroom(folder=NEWSROOM_2, name="newsroom 2")


# --- held-out folds ------------------------------------------------------------------------------------

FOLDS = 5
FOLD_MODELS = ROOT / "bench" / "data" / "evidence_ranker_folds.json"
TRAINED_ON = ("climate-fever dev", "newsroom")


def group_of(evaluation_name: str, query_id: str) -> str:
    return f"{evaluation_name}/{query_id}"


def fold_of(group: str) -> int:
    """A claim's fold, fixed by its name: the training bench and this one agree without sharing state."""
    return int(hashlib.sha256(group.encode()).hexdigest()[:12], 16) % FOLDS


def held_out_models(evaluation_name: str) -> dict[bool, list[Any]]:
    """The ranker models fitted without each fold, by `dense` (bench/train_evidence_ranker.py writes them
    beside the exported model); empty when the set was never trained on (the exported model is held out
    already) or the fold models are missing or from another training run."""
    from service.linking import ranker

    if not FOLD_MODELS.exists():
        return {}
    folds = json.loads(FOLD_MODELS.read_text(encoding="utf-8"))
    exported = json.loads(ranker.MODEL_PATH.read_text(encoding="utf-8"))
    if evaluation_name not in folds["trained_on"]:
        return {}
    if tuple(folds["features"]) != ranker.FEATURES or folds["run"] != exported.get("run"):
        print(f"  ({FOLD_MODELS.name} is from another training run: no held-out rows)")
        return {}
    return {
        dense: [ranker.linear_model(fitted) for fitted in folds["models"][name]]
        for dense, name in ((False, "lexical"), (True, "semantic"))
        if name in folds["models"]
    }


def fold_model_of(
    evaluation_name: str, models: list[Any], dense: bool
) -> Callable[[JudgedQuery], dict[bool, Any]]:
    """For each claim, the model of the folds that did not contain it."""
    return lambda query: {dense: models[fold_of(group_of(evaluation_name, query.query_id))]}


# --- metrics -------------------------------------------------------------------------------------------


def scores(ranked: Sequence[str], relevant: frozenset[str]) -> tuple[float, float, float]:
    """(recall@3 as hit-in-top-3, reciprocal rank within 10, nDCG@10) for one ranked list of urls."""
    seen: set[str] = set()
    gains = []
    for url in ranked[:10]:
        # A url counts once: several passages of one reference are one hit.
        gains.append(1.0 if url in relevant and url not in seen else 0.0)
        seen.add(url)
    hit3 = 1.0 if any(gains[:3]) else 0.0
    reciprocal = next((1.0 / (n + 1) for n, gain in enumerate(gains) if gain), 0.0)
    dcg = sum(gain / math.log2(n + 2) for n, gain in enumerate(gains))
    ideal = sum(1.0 / math.log2(n + 2) for n in range(min(10, len(relevant))))
    return hit3, reciprocal, dcg / ideal


def summary(rankings: Sequence[Sequence[str]], queries: Sequence[JudgedQuery]) -> tuple[float, float, float]:
    per_query = [scores(ranked, query.relevant) for ranked, query in zip(rankings, queries, strict=True)]
    return tuple(statistics.mean(column) for column in zip(*per_query, strict=True))  # type: ignore[return-value]


# --- baselines -----------------------------------------------------------------------------------------


class PlainBM25:
    """The naive baseline: SQLite FTS5 `porter unicode61` over passage text, the query an OR of its words."""

    def __init__(self, passages: Sequence[tuple[str, str]]) -> None:
        self.urls = [url for url, _text in passages]
        self.connection = sqlite3.connect(":memory:")
        self.connection.execute("CREATE VIRTUAL TABLE doc USING fts5(text, tokenize='porter unicode61')")
        self.connection.executemany(
            "INSERT INTO doc(rowid, text) VALUES (?, ?)",
            ((n, text) for n, (_url, text) in enumerate(passages)),
        )

    def ranked(self, query: str, depth: int = DEPTH) -> list[str]:
        words = dict.fromkeys(word.lower() for word in WORD.findall(query))
        if not words:
            return []
        expression = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
        rows = self.connection.execute(
            "SELECT rowid FROM doc WHERE doc MATCH ? ORDER BY rank LIMIT ?", (expression, depth)
        )
        return [self.urls[row[0]] for row in rows]


def cached_embeddings(texts: Sequence[str]) -> np.ndarray:
    """MiniLM embeddings of the texts, cached on disk by content (embedded once per machine)."""
    from service.matching import semantic

    digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:20]
    path = CACHE / f"{digest}.npy"
    if path.exists():
        return np.load(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    vectors = semantic.embed(list(texts))
    np.save(path, vectors)
    return vectors


class Dense:
    """MiniLM cosine over every passage (exhaustive, so the baseline is the model's best)."""

    def __init__(self, passages: Sequence[tuple[str, str]], queries: Sequence[JudgedQuery]) -> None:
        self.urls = [url for url, _text in passages]
        self.texts = [text for _url, text in passages]
        self.vectors = cached_embeddings(self.texts)
        self.query_vectors = dict(
            zip(
                (query.query_id for query in queries),
                cached_embeddings([query.text for query in queries]),
                strict=True,
            )
        )

    def vectors_by_text(self) -> dict[str, np.ndarray]:
        return dict(zip(self.texts, self.vectors, strict=True))

    def ranked(self, query: JudgedQuery, depth: int = DEPTH) -> list[str]:
        cosines = self.vectors @ self.query_vectors[query.query_id]
        top = np.argsort(-cosines)[:depth]
        return [self.urls[n] for n in top]


def fused(*rankings: Sequence[str], k: int = RRF_K) -> list[str]:
    """Reciprocal-rank fusion of url rankings (duplicates within one ranking count at their first rank)."""
    totals: dict[str, float] = {}
    for ranking in rankings:
        for rank_position, url in enumerate(dict.fromkeys(ranking)):
            totals[url] = totals.get(url, 0.0) + 1.0 / (k + rank_position + 1)
    return sorted(totals, key=lambda url: -totals[url])


# --- claimcheck over the domain path -------------------------------------------------------------------


def import_library(database_url: str, sources: Sequence[SourceIn]) -> None:
    from service.linking import sources as library

    migrate(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        for start in range(0, len(sources), 500):
            library.upsert_sources(session=session, sources_in=sources[start : start + 500])
            session.commit()
    engine.dispose()


def embed_library(database_url: str, vectors_by_text: dict[str, np.ndarray]) -> None:
    """Fill passage_embedding as the background step would, with the vectors the dense baseline computed
    (the same model over the same texts), so the library is embedded once per run."""
    from sqlalchemy import insert
    from sqlmodel import col, select

    from service.linking import embeddings
    from service.linking.models import Passage, PassageEmbedding
    from service.matching import semantic

    engine = make_engine(database_url)
    with Session(engine) as session:
        rows = session.exec(select(Passage.id, Passage.text).order_by(col(Passage.id))).all()
        known = [(passage_id, vectors_by_text[text]) for passage_id, text in rows if text in vectors_by_text]
        for start in range(0, len(known), 2000):
            session.execute(
                insert(PassageEmbedding),
                [
                    {
                        "passage_id": passage_id,
                        "model": semantic.MODEL_NAME,
                        "vector": vector.astype("float16").tobytes(),
                    }
                    for passage_id, vector in known[start : start + 2000]
                ],
            )
        session.commit()
        while embeddings.embed_pending(session=session, limit=1024):
            pass
    engine.dispose()


def claimcheck_rankings(
    database_url: str,
    queries: Sequence[JudgedQuery],
    use_semantic: bool,
    models_for: Callable[[JudgedQuery], dict[bool, Any]] | None = None,
) -> tuple[list[list[str]], list[list[str]], list[float]]:
    """(urls best first, hints of those passages, seconds) per query through the evidence search; with
    `models_for`, each query is ranked by the models it names (its held-out folds'), not the exported."""
    from service.linking import evidence, ranker

    engine = make_engine(database_url)
    rankings, hints, seconds = [], [], []
    with Session(engine) as session:
        for query in queries:
            started = time.perf_counter()
            with ranker.serving_models(models_for(query) if models_for else {}):
                found = evidence.search(session=session, text=query.text, limit=10, use_semantic=use_semantic)
            seconds.append(time.perf_counter() - started)
            rankings.append([hit.url for hit in found])
            hints.append([str(hit.hint) for hit in found])
    engine.dispose()
    return rankings, hints, seconds


def database_target(kind: str, postgres: str, workdir: str) -> tuple[str, Callable[[], None]]:
    if kind == "sqlite":
        return f"sqlite:///{workdir}/quality.db", lambda: None
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(postgres, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")

    host_part = postgres.removeprefix("postgresql://")
    return f"postgresql+psycopg://{host_part}?options=-csearch_path%3D{schema}", drop


def hint_table(evaluation: EvaluationSet, rankings: list[list[str]], hints: list[list[str]]) -> None:
    """How the top reference's hint compares with the annotated one (newsroom set)."""
    confusion: dict[tuple[str, str], int] = {}
    for query, ranked, hinted in zip(evaluation.queries, rankings, hints, strict=True):
        if query.expected_hint is None:
            continue
        got = next(
            (hint for url, hint in zip(ranked, hinted, strict=True) if url in query.relevant), "not found"
        )
        confusion[(query.expected_hint, got)] = confusion.get((query.expected_hint, got), 0) + 1
    if confusion:
        print("  hint on the reference passage (annotated -> given):")
        for (expected, got), count in sorted(confusion.items()):
            print(f"    {expected:>11} -> {got:<11} {count}")


def evaluate(evaluation: EvaluationSet, database_url: str, semantic_too: bool) -> None:
    started = time.perf_counter()
    import_library(database_url, evaluation.sources)
    print(
        f"\n{evaluation.name}: {len(evaluation.sources)} sources imported "
        f"in {time.perf_counter() - started:.0f}s, "
        f"{len(evaluation.queries)} judged queries"
    )
    from service.linking import passages as splitting

    passages = [
        (source.url, piece.text)
        for source in evaluation.sources
        for piece in splitting.split_passages(source.text)
    ]
    bm25 = PlainBM25(passages)
    bm25_rankings = [bm25.ranked(query.text) for query in evaluation.queries]
    rows: list[tuple[str, list[list[str]]]] = [("plain BM25 (FTS5 porter, OR)", bm25_rankings)]
    dense_available = semantic_too and _semantic_available()
    if dense_available:
        dense = Dense(passages, evaluation.queries)
        dense_rankings = [dense.ranked(query) for query in evaluation.queries]
        rows.append(("MiniLM dense", dense_rankings))
        rows.append(
            (
                "BM25 + MiniLM RRF k=60",
                [fused(b, d) for b, d in zip(bm25_rankings, dense_rankings, strict=True)],
            )
        )
    held_out = held_out_models(evaluation.name)
    # The exported model was fitted on this set too: the held-out rows are the figures that count.
    trained = " (trained on these)" if held_out or evaluation.name in TRAINED_ON else ""

    def add_held_out_row(dense: bool) -> None:
        if dense in held_out:
            models_for = fold_model_of(evaluation.name, held_out[dense], dense)
            ranked = claimcheck_rankings(database_url, evaluation.queries, dense, models_for)[0]
            rows.append((f"claimcheck ({'semantic' if dense else 'lexical'}) HELD-OUT", ranked))

    lexical, lexical_hints, lexical_seconds = claimcheck_rankings(database_url, evaluation.queries, False)
    rows.append((f"claimcheck (lexical){trained}", lexical))
    add_held_out_row(False)
    semantic_seconds: list[float] = []
    if dense_available:
        started = time.perf_counter()
        embed_library(database_url, dense.vectors_by_text())
        print(f"  passages embedded in {time.perf_counter() - started:.0f}s")
        with_semantic, _hints, semantic_seconds = claimcheck_rankings(database_url, evaluation.queries, True)
        rows.append((f"claimcheck (semantic){trained}", with_semantic))
        add_held_out_row(True)
    print(f"  {'ranking':<44} {'recall@3':>8} {'MRR@10':>7} {'nDCG@10':>8}")
    for name, rankings in rows:
        recall3, mrr, ndcg = summary(rankings, evaluation.queries)
        print(f"  {name:<44} {recall3:>8.3f} {mrr:>7.3f} {ndcg:>8.3f}")
    print(f"  claimcheck lexical median {1000 * statistics.median(lexical_seconds):.1f} ms/query")
    if semantic_seconds:
        print(f"  claimcheck semantic median {1000 * statistics.median(semantic_seconds):.1f} ms/query")
    hint_table(evaluation, lexical, lexical_hints)


def hint_on_labelled_pairs() -> None:
    """The hint on every annotated (claim, evidence sentence) pair of the Climate-FEVER dev half, by label."""
    from service.linking.agreement import TextFacts, compare

    folder = SHARED / "climate-fever"
    texts = {
        row["url"]: row["text"] for row in map(json.loads, (folder / "library.ndjson").open(encoding="utf-8"))
    }
    table: dict[tuple[str, str], int] = {}
    for line in (folder / "dev.claims.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        claim = TextFacts.of(row["claim"])
        for evidence_row in row["evidence"]:
            hint = compare(claim, [], TextFacts.of(texts[evidence_row["url"]])).hint
            key = (evidence_row["label"], str(hint))
            table[key] = table.get(key, 0) + 1
    print("\nhint on Climate-FEVER dev labelled pairs (label: consistent / conflicting / unclear):")
    for label in ("SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO"):
        counts = [table.get((label, hint), 0) for hint in ("consistent", "conflicting", "unclear")]
        print(f"  {label:<16} {counts[0]:>5} {counts[1]:>5} {counts[2]:>5}")


def _semantic_available() -> bool:
    from service.matching import semantic

    return semantic.available()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--set",
        choices=["climate-fever", "newsroom", "newsroom2", "both", "all"],
        default="all",
        help="both: Climate-FEVER and newsroom set 1; all: and the second blind newsroom set",
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CLAIMCHECK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument(
        "--no-semantic", action="store_true", help="skip MiniLM and claimcheck's semantic path"
    )
    args = parser.parse_args()
    sets = {
        "climate-fever": [climate_fever],
        "newsroom": [newsroom],
        "newsroom2": [newsroom_2],
        "both": [climate_fever, newsroom],
        "all": [climate_fever, newsroom, newsroom_2],
    }[args.set]
    if args.set in ("climate-fever", "both", "all"):
        hint_on_labelled_pairs()
    for make_set in sets:
        workdir = tempfile.mkdtemp(prefix="bench_quality_")
        database_url, cleanup = database_target(args.database, args.postgres, workdir)
        try:
            evaluate(make_set(), database_url, not args.no_semantic)
        finally:
            cleanup()
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"load average: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
