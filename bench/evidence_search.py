"""Evidence search at scale: import throughput, latency and recall against exhaustive rapidfuzz scoring.

    .venv/bin/python bench/evidence_search.py                      # 100,000 passages, SQLite and PostgreSQL
    .venv/bin/python bench/evidence_search.py --passages 1000000 --recall-queries 20

Generates synthetic reference sources (news-like sentences over countries, people, organisations,
dates and a large filler vocabulary), imports them through `service.linking.service.upsert_source`
(committing in batches, as the bulk import does), then for each query claim measures
`evidence_for_claim` (database candidates + re-ranking) and compares its top-10 with the exhaustive
top-10: the same `score_passage` applied to every passage (pruned only where a passage's best
possible score cannot reach the current 10th: an exact top-10). Targets: median < 50 ms,
p95 < 150 ms, import >= 2,000 passages/s, recall >= 95%.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psycopg
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process
from sqlalchemy import text
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.claims.models import Claim
from service.db import make_engine, migrate
from service.linking import rank, service
from service.linking.models import Passage
from service.linking.schemas import SourceIn

COUNTRIES = [
    "Romania",
    "Bulgaria",
    "Estonia",
    "Latvia",
    "Lithuania",
    "Poland",
    "Ukraine",
    "Georgia",
    "Moldova",
    "Germany",
    "France",
    "Italy",
    "Spain",
    "Portugal",
    "Greece",
    "Turkey",
    "Hungary",
    "Slovakia",
    "Slovenia",
    "Croatia",
    "Serbia",
    "Albania",
    "Finland",
    "Sweden",
    "Norway",
    "Denmark",
    "Belgium",
    "Netherlands",
    "Austria",
    "Switzerland",
    "Ireland",
    "Iceland",
    "Canada",
    "Mexico",
    "Brazil",
    "Chile",
    "Peru",
    "Japan",
    "Korea",
    "India",
    "China",
    "Vietnam",
    "Egypt",
    "Kenya",
    "Nigeria",
    "Morocco",
    "Tunisia",
    "Belarus",
    "Armenia",
    "Azerbaijan",
    "Kazakhstan",
]
PEOPLE = [
    "Blinken",
    "Lavrov",
    "Biden",
    "Putin",
    "Macron",
    "Scholz",
    "Truss",
    "Johnson",
    "Zelensky",
    "Stoltenberg",
    "Sherman",
    "Ryabkov",
    "Baerbock",
    "Draghi",
    "Sanchez",
    "Rutte",
    "Duda",
    "Orban",
    "Erdogan",
    "Kishida",
    "Modi",
    "Lula",
    "Trudeau",
    "Borrell",
    "Michel",
    "Leyen",
    "Guterres",
]
ORGANISATIONS = ["NATO", "the EU", "the OSCE", "the UN", "the IMF", "the WHO", "the G7", "the Kremlin"]
VERBS = [
    "withdraw troops from",
    "deploy missiles in",
    "sign a treaty with",
    "impose sanctions on",
    "hold talks with",
    "send aid to",
    "close the border with",
    "admit",
    "expel diplomats from",
    "recognise",
    "build a pipeline to",
    "cut gas supplies to",
    "train soldiers in",
    "open an embassy in",
    "suspend flights to",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _filler_vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    words = set()
    while len(words) < size:
        length = rng.randint(2, 4)
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(length)))
    return sorted(words)


@dataclass(frozen=True)
class Fact:
    person: str
    country: str
    others: tuple[str, ...]
    organisation: str
    verb: str
    day: int
    month: str
    year: int


def _fact(rng: random.Random) -> Fact:
    country, *others = rng.sample(COUNTRIES, rng.randint(2, 4))
    return Fact(
        person=rng.choice(PEOPLE),
        country=country,
        others=tuple(others),
        organisation=rng.choice(ORGANISATIONS),
        verb=rng.choice(VERBS),
        day=rng.randint(1, 28),
        month=rng.choice(MONTHS),
        year=rng.randint(1990, 2024),
    )


def _sentence(rng: random.Random, fact: Fact, filler: list[str]) -> str:
    listed = ", ".join(fact.others[:-1]) + (" and " if len(fact.others) > 1 else "") + fact.others[-1]
    noise = " ".join(rng.choices(filler, k=rng.randint(4, 12)))
    return (
        f"On {fact.day} {fact.month} {fact.year} {fact.person} said {fact.country} would {fact.verb} "
        f"{listed}, according to {fact.organisation} officials; {noise}."
    )


def _claim_for(rng: random.Random, fact: Fact, filler: list[str]) -> tuple[str, list[str]]:
    """A claim restating a fact in other words, with its list items (as the extractor would give them)."""
    items = list(fact.others)
    listed = ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]
    forms = [
        f"{fact.person} announced that {fact.country} is going to {fact.verb} {listed}.",
        f"{fact.country} will {fact.verb} {listed}, {fact.person} said in {fact.month} {fact.year}.",
        f"According to {fact.person}, {fact.organisation} backs plans for {fact.country} "
        f"to {fact.verb} {listed}.",
    ]
    return rng.choice(forms) + (" " + rng.choice(filler) if rng.random() < 0.3 else ""), items


def generate(passages: int, queries: int, seed: int) -> tuple[list[SourceIn], list[tuple[str, list[str]]]]:
    """Sources of ~10 one-sentence passages each, and query claims restating random facts in them."""
    rng = random.Random(seed)
    filler = _filler_vocabulary(rng)
    facts = [_fact(rng) for _ in range(passages)]
    sources = []
    per_source = 10
    for start in range(0, passages, per_source):
        sentences = [_sentence(rng, fact, filler) for fact in facts[start : start + per_source]]
        sources.append(
            SourceIn(
                url=f"https://bench.example/source/{start // per_source}",
                title=f"Synthetic source {start // per_source}",
                publisher="bench",
                text=" ".join(sentences),
            )
        )
    claims = [_claim_for(rng, fact, filler) for fact in rng.sample(facts, queries)]
    return sources, claims


def import_sources(url: str, sources: list[SourceIn], batch: int = 200) -> tuple[float, int]:
    """Import through upsert_source, committing every `batch` sources; returns (seconds, passages)."""
    engine = make_engine(url)
    started = time.perf_counter()
    with Session(engine) as session:
        for n, source_in in enumerate(sources, 1):
            service.upsert_source(session=session, source_in=source_in)
            if n % batch == 0:
                session.commit()
        session.commit()
    elapsed = time.perf_counter() - started
    with Session(engine) as session:
        count = session.execute(text("SELECT count(*) FROM passage")).scalar_one()
    engine.dispose()
    return elapsed, int(count)


def exhaustive_top10(
    query: rank.EvidenceQuery, ids: list[int], processed: list[str], padded: list[str]
) -> list[int]:
    """The exact top-10 of score_passage over every passage (vectorised, then confirmed by score_passage)."""
    token_set = process.cdist([query.processed], processed, scorer=fuzz.token_set_ratio, workers=-1)[0]
    partial = process.cdist([query.processed], processed, scorer=fuzz.partial_ratio, workers=-1)[0]
    lexical = 0.5 * token_set.astype(np.float64) + 0.5 * partial.astype(np.float64)

    def share_found(needles: tuple[str, ...]) -> np.ndarray:
        found = np.zeros(len(padded))
        for needle in needles:
            found += np.fromiter((f" {needle} " in text for text in padded), dtype=bool, count=len(padded))
        return found / len(needles)

    weights, agreement = 0.0, np.zeros(len(padded))
    for needles, weight in (
        (query.processed_items, rank.ITEM_WEIGHT),
        (query.processed_entities, rank.ENTITY_WEIGHT),
        (query.numbers, rank.NUMBER_WEIGHT),
    ):
        if needles:
            weights += weight
            agreement += weight * share_found(needles)
    if weights:
        scores = (1 - rank.AGREEMENT_SHARE) * lexical + rank.AGREEMENT_SHARE * 100 * agreement / weights
    else:
        scores = lexical
    # Confirm the leaders with the service's own scorer, so rounding and ties are decided identically.
    leaders = np.argsort(-scores, kind="stable")[:40]
    confirmed = sorted(
        (-rank.score_passage(query, "", processed=processed[i]).score, ids[i]) for i in leaders
    )
    return [passage_id for _score, passage_id in confirmed[:10]]


def measure(url: str, claims: list[tuple[str, list[str]]], recall_queries: int) -> dict[str, float]:
    engine = make_engine(url)
    with Session(engine) as session:
        claim_rows = [Claim(text=claim_text, items=items) for claim_text, items in claims]
        session.add_all(claim_rows)
        session.commit()
        claim_ids = [claim.id or 0 for claim in claim_rows]
        rows = session.exec(select(Passage.id, Passage.text).order_by(Passage.id)).all()
    ids = [row[0] or 0 for row in rows]
    texts = [row[1] for row in rows]
    processed = [default_process(passage_text) for passage_text in texts]
    padded = [f" {text} " for text in processed]
    latencies, recalls, exhaustive_seconds = [], [], []
    with Session(engine) as session:
        service.evidence_for_claim(session=session, claim_id=claim_ids[0], limit=10)  # warm caches
        for n, claim_id in enumerate(claim_ids):
            started = time.perf_counter()
            evidence = service.evidence_for_claim(session=session, claim_id=claim_id, limit=10)
            latencies.append(time.perf_counter() - started)
            if n < recall_queries:
                claim = session.get(Claim, claim_id)
                started = time.perf_counter()
                expected = exhaustive_top10(rank.EvidenceQuery.from_claim(claim), ids, processed, padded)
                exhaustive_seconds.append(time.perf_counter() - started)
                got = {hit.passage_id for hit in evidence}
                recalls.append(len(got & set(expected)) / max(1, len(expected)))
    engine.dispose()
    latencies_ms = sorted(1000 * seconds for seconds in latencies)
    return {
        "median_ms": statistics.median(latencies_ms),
        "p95_ms": latencies_ms[int(0.95 * (len(latencies_ms) - 1))],
        "recall": statistics.mean(recalls) if recalls else float("nan"),
        "exhaustive_s": statistics.median(exhaustive_seconds) if exhaustive_seconds else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--recall-queries", type=int, default=200, help="queries also scored exhaustively")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CLAIMCHECK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    sources, claims = generate(args.passages, args.queries, args.seed)
    print(
        f"generated {len(sources)} sources, {len(claims)} query claims "
        f"in {time.perf_counter() - started:.1f}s"
    )

    targets: list[tuple[str, str]] = []
    workdir = tempfile.mkdtemp(prefix="bench_evidence_")
    targets.append(("sqlite", f"sqlite:///{workdir}/bench.db"))
    schema = None
    if not args.skip_postgres:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.postgres, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {schema}")
        host_part = args.postgres.removeprefix("postgresql://")
        targets.append(("postgresql", f"postgresql+psycopg://{host_part}?options=-csearch_path%3D{schema}"))
    try:
        print(
            f"{'database':<11} {'passages':>9} {'import/s':>9} {'median ms':>10} {'p95 ms':>7} "
            f"{'recall@10':>9} {'exhaustive s/query':>19}"
        )
        for name, url in targets:
            migrate(url)
            seconds, count = import_sources(url, sources)
            figures = measure(url, claims, min(args.recall_queries, args.queries))
            print(
                f"{name:<11} {count:>9} {count / seconds:>9.0f} {figures['median_ms']:>10.1f} "
                f"{figures['p95_ms']:>7.1f} {figures['recall']:>9.1%} {figures['exhaustive_s']:>19.2f}",
                flush=True,
            )
        print("targets: median < 50 ms, p95 < 150 ms, import >= 2000 passages/s, recall@10 >= 95%")
    finally:
        if schema:
            with psycopg.connect(args.postgres, autocommit=True) as connection:
                connection.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
