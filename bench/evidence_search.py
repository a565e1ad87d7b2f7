"""Evidence search at scale: latency and recall@3 at that size, beside plain BM25 and an exhaustive scan.

    .venv/bin/python bench/evidence_search.py               # 100,000 passages, SQLite and PostgreSQL
    .venv/bin/python bench/evidence_search.py --passages 1000000 --skip-postgres
    .venv/bin/python bench/evidence_search.py --pools 30,100   # the ranker's pool now and before, one run
    .venv/bin/python bench/evidence_search.py --reuse dev --queries 50   # keep the loaded databases
    .venv/bin/python bench/evidence_search.py --reuse dev --drop         # and drop them when done

The library is the Climate-FEVER evidence sentences (Diggelmann et al. 2020; Wikipedia, CC BY-SA) plus
synthetic news-like distractor passages up to `--passages` (17 templates over ~90 countries, 1,200 people,
organisations, indicators, numbers and dates). Sources are imported through `service.linking.sources`
(batches of 200, as the bulk import does). The queries are Climate-FEVER dev claims: for each, the bench
times `evidence.search` (first-stage full text + the ranker, lexical) and scores recall@3 against the
judged sentences, so quality is measured at the size, not assumed. In the same process: plain BM25 (an
in-memory FTS5 `porter unicode61` table over the same passages, OR of the claim's words) for speed and
recall, and an exhaustive rapidfuzz scan of every passage as a speed baseline only.
Targets: 100k passages median <= 20 ms, p95 <= 60 ms; 1M passages median <= 100 ms.

2026-12-08, linking at 0786330 (ranker of 687297f), `nice -n 5 .venv/bin/python bench/evidence_search.py`
(load 1.7-2.0): SQLite median 11.8 ms, p95 21.4, 11.7 ms CPU/query, recall@3 0.505; PostgreSQL median 15.3
ms, p95 29.4, 8.4 ms client CPU, recall@3 0.515 (import 5,025 passages/s); plain BM25 208 / 227 ms, recall@3
0.420; exhaustive rapidfuzz 410 / 358 ms. PostgreSQL before the per-term search statement (the search and
passages_by_id of b4a2fce, 256 kB GIN pending list) and after it (8ffc02d), run one after the other with
`--skip-sqlite --exhaustive-queries 0` (load 1.7-2.2): median 27.0 -> 17.2 ms, p95 50.4 -> 32.9, client CPU
11.7 -> 8.9 ms, recall@3 0.515 both (BM25 215 / 224 ms). With --analyze (VACUUM ANALYZE after the import, as
autovacuum does; 8ffc02d): median 15.0 ms, p95 27.3, recall@3 0.515.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process
from sqlmodel import Session, col, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import evidence_quality as quality

import service.models  # noqa: F401  (every table registered)
from service.db import make_engine, migrate
from service.linking import evidence, index, ranker
from service.linking import sources as library
from service.linking.models import Passage, Source
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
    "Qatar",
    "Jordan",
    "Lebanon",
    "Israel",
    "Iran",
    "Iraq",
    "Syria",
    "Libya",
    "Algeria",
    "Ghana",
    "Ethiopia",
    "Somalia",
    "Sudan",
    "Angola",
    "Zambia",
    "Pakistan",
    "Bangladesh",
    "Thailand",
    "Malaysia",
    "Indonesia",
    "Philippines",
    "Australia",
    "Argentina",
    "Colombia",
    "Venezuela",
    "Cuba",
    "Panama",
]
CITIES = [
    "Brussels",
    "Geneva",
    "Vienna",
    "Warsaw",
    "Bucharest",
    "Sofia",
    "Tallinn",
    "Riga",
    "Vilnius",
    "Kyiv",
    "Berlin",
    "Paris",
    "Rome",
    "Madrid",
    "Lisbon",
    "Athens",
    "Ankara",
    "Budapest",
    "Helsinki",
    "Stockholm",
    "Oslo",
    "Copenhagen",
    "London",
    "Dublin",
    "Washington",
    "Ottawa",
    "Tokyo",
    "Delhi",
    "Beijing",
    "Cairo",
    "Nairobi",
    "Lagos",
    "Doha",
    "Istanbul",
    "Minsk",
    "Moscow",
    "Prague",
    "Bratislava",
    "Zagreb",
    "Belgrade",
    "Tirana",
    "Munich",
]
FIRST_NAMES = [
    "Anna",
    "Peter",
    "Maria",
    "Jonas",
    "Elena",
    "Tomas",
    "Sofia",
    "Marek",
    "Laura",
    "Viktor",
    "Ines",
    "Pavel",
    "Clara",
    "Hugo",
    "Irina",
    "Omar",
    "Leila",
    "Kenji",
    "Ravi",
    "Amara",
    "Diego",
    "Lucia",
    "Stefan",
    "Nadia",
    "Felix",
    "Olga",
    "Mateo",
    "Aisha",
    "Henrik",
    "Yusuf",
]
LAST_NAMES = [
    "Novak",
    "Kowalski",
    "Petrov",
    "Schmidt",
    "Dubois",
    "Rossi",
    "Garcia",
    "Silva",
    "Papadopoulos",
    "Yilmaz",
    "Nagy",
    "Horvat",
    "Virtanen",
    "Andersson",
    "Hansen",
    "Jensen",
    "Peeters",
    "Janssen",
    "Gruber",
    "Keller",
    "Murphy",
    "Tanaka",
    "Sharma",
    "Okafor",
    "Haddad",
    "Mensah",
    "Ivanova",
    "Lindqvist",
    "Moreau",
    "Fischer",
    "Costa",
    "Sato",
    "Kovacs",
    "Popescu",
    "Dimitrov",
    "Berzins",
    "Tamm",
    "Kaminski",
    "Weber",
    "Morales",
]
ROLES = [
    "foreign minister",
    "prime minister",
    "defence minister",
    "president",
    "spokesperson",
    "finance minister",
    "ambassador",
    "energy minister",
    "economy minister",
    "opposition leader",
]
ORGANISATIONS = [
    "NATO",
    "the EU",
    "the OSCE",
    "the UN",
    "the IMF",
    "the WHO",
    "the G7",
    "the World Bank",
    "the OECD",
    "the African Union",
    "Eurostat",
    "the European Commission",
    "the Red Cross",
    "the WTO",
    "Interpol",
    "the Council of Europe",
]
# (phrase in a passage, paraphrases a claim may use instead)
ACTIONS = [
    ("withdraw troops from", ["pull its forces out of", "remove soldiers from"]),
    ("deploy missiles in", ["station missiles in", "place rockets in"]),
    ("sign a trade agreement with", ["conclude a trade deal with", "agree a commerce pact with"]),
    ("impose sanctions on", ["sanction", "put sanctions on"]),
    ("hold talks with", ["negotiate with", "open discussions with"]),
    ("send humanitarian aid to", ["ship relief supplies to", "deliver aid to"]),
    ("close its border with", ["shut the frontier with", "seal the border with"]),
    ("expel diplomats from", ["throw out envoys from", "kick out diplomats from"]),
    ("recognise the government of", ["formally recognise", "acknowledge the government of"]),
    ("build a gas pipeline to", ["construct a pipeline to", "lay a gas line to"]),
    ("cut gas supplies to", ["halt gas deliveries to", "stop supplying gas to"]),
    ("train soldiers from", ["provide military training to", "train troops from"]),
    ("open an embassy in", ["establish an embassy in", "set up a diplomatic mission in"]),
    ("suspend flights to", ["halt air travel to", "stop flights to"]),
    ("lift visa requirements for", ["scrap visas for", "drop visa rules for"]),
    ("ban grain imports from", ["block wheat imports from", "stop grain purchases from"]),
    ("share intelligence with", ["exchange intelligence with", "pass intelligence to"]),
    ("restore diplomatic ties with", ["re-establish relations with", "resume diplomatic relations with"]),
]
# (indicator, paraphrases, unit)
INDICATORS = [
    ("inflation", ["consumer prices", "the inflation rate"], "percent"),
    ("unemployment", ["the jobless rate", "joblessness"], "percent"),
    ("defence spending", ["the military budget", "military expenditure"], "billion euros"),
    ("gas imports", ["imports of natural gas", "gas purchases"], "billion cubic metres"),
    ("wheat exports", ["grain exports", "exports of wheat"], "million tonnes"),
    ("public debt", ["government debt", "state debt"], "percent of GDP"),
    ("carbon emissions", ["CO2 emissions", "greenhouse gas emissions"], "million tonnes"),
    ("the number of asylum applications", ["asylum requests", "asylum claims"], "thousand"),
    ("economic growth", ["GDP growth", "the growth rate"], "percent"),
    ("electricity prices", ["power prices", "the price of electricity"], "percent"),
    ("tourist arrivals", ["the number of visitors", "foreign tourist numbers"], "million"),
    ("the minimum wage", ["the statutory minimum wage", "minimum pay"], "euros a month"),
]
TRENDS = [
    ("rose to", ["climbed to", "increased to"]),
    ("fell to", ["dropped to", "declined to"]),
    ("reached", ["hit", "stood at"]),
    ("doubled to", ["grew twofold to", "doubled to"]),
]
REPORTING = ["said", "announced", "confirmed", "told reporters", "stated", "warned", "claimed"]
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
CLAUSES = [
    "the statement came after weeks of negotiations",
    "officials declined to give further details",
    "the decision drew criticism from opposition parties",
    "analysts said the move was largely symbolic",
    "the announcement surprised many observers",
    "no timetable was given",
    "markets reacted calmly",
    "the figures were published on the agency website",
    "critics called the plan unrealistic",
    "the ministry did not respond to a request for comment",
    "a vote is expected next month",
    "the plan still needs parliamentary approval",
    "diplomats described the talks as constructive",
    "protesters gathered outside the building",
    "the proposal was first reported by local media",
    "previous estimates had been lower",
    "the government has denied the reports",
    "several member states raised objections",
    "the data cover the first half of the year",
    "the agreement runs for five years",
    "observers expect further delays",
]


@dataclass(frozen=True)
class Fact:
    """One checkable statement: what a passage states and a claim restates in other words."""

    kind: str
    person: str
    role: str
    country: str
    others: tuple[str, ...]
    organisation: str
    action: int
    indicator: int
    trend: int
    number: str
    city: str
    day: int
    month: str
    year: int


def _fact(rng: random.Random) -> Fact:
    country, *others = rng.sample(COUNTRIES, rng.randint(2, 5))
    number = str(rng.randint(2, 950)) if rng.random() < 0.6 else f"{rng.randint(1, 40)}.{rng.randint(1, 9)}"
    return Fact(
        kind=rng.choice(("action", "action", "indicator", "meeting")),
        person=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        role=rng.choice(ROLES),
        country=country,
        others=tuple(others),
        organisation=rng.choice(ORGANISATIONS),
        action=rng.randrange(len(ACTIONS)),
        indicator=rng.randrange(len(INDICATORS)),
        trend=rng.randrange(len(TRENDS)),
        number=number,
        city=rng.choice(CITIES),
        day=rng.randint(1, 28),
        month=rng.choice(MONTHS),
        year=rng.randint(1995, 2024),
    )


def _listed(items: list[str] | tuple[str, ...]) -> str:
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


def _sentence(rng: random.Random, fact: Fact) -> str:
    """The passage's wording of a fact: one of several templates, sometimes with a trailing clause."""
    date = f"{fact.day} {fact.month} {fact.year}"
    listed = _listed(fact.others)
    action = ACTIONS[fact.action][0]
    indicator, _, unit = INDICATORS[fact.indicator]
    trend = TRENDS[fact.trend][0]
    reporting = rng.choice(REPORTING)
    templates = {
        "action": [
            f"On {date}, {fact.role} {fact.person} {reporting} {fact.country} would {action} {listed}.",
            f"{fact.organisation} officials {reporting} on {date} that {fact.country} plans to {action} "
            f"{listed}.",
            f"{fact.country} will {action} {listed}, {fact.person} {reporting} in {fact.city} on {date}.",
            f"Speaking in {fact.city}, {fact.person} {reporting} that {fact.country} could {action} {listed} "
            f"before {fact.month} {fact.year}.",
            f"A statement issued by {fact.organisation} on {date} said {fact.country} had agreed to {action} "
            f"{listed}.",
            f"The {fact.role} of {fact.country}, {fact.person}, {reporting} the country would {action} "
            f"{listed}.",
        ],
        "indicator": [
            f"{indicator.capitalize()} in {fact.country} {trend} {fact.number} {unit} in {fact.month} "
            f"{fact.year}, {fact.organisation} figures show.",
            f"According to {fact.organisation}, {indicator} in {fact.country} {trend} {fact.number} "
            f"{unit} "
            f"in {fact.year}, ahead of {listed}.",
            f"{fact.person}, the {fact.role}, {reporting} that {indicator} in {fact.country} {trend} "
            f"{fact.number} {unit} by {fact.month} {fact.year}.",
            f"In {fact.year} {indicator} {trend} {fact.number} {unit} in {fact.country}, compared with "
            f"{listed}, {fact.organisation} said.",
        ],
        "meeting": [
            f"{fact.person} met officials from {fact.country} and {listed} in {fact.city} on {date} "
            f"to discuss {indicator}.",
            f"Talks in {fact.city} between {fact.country} and {listed} on {indicator} ended on {date} "
            f"without agreement, {fact.person} {reporting}.",
            f"Delegations from {fact.country}, {listed} gathered in {fact.city} on {date} for "
            f"{fact.organisation} "
            f"talks chaired by {fact.person}.",
        ],
    }
    sentence = rng.choice(templates[fact.kind])
    if rng.random() < 0.5:
        sentence = sentence[:-1] + f"; {rng.choice(CLAUSES)}."
    return sentence


def distractors(passages: int, seed: int) -> list[SourceIn]:
    """Sources of ten one-sentence passages each, `passages` sentences in all."""
    rng = random.Random(seed)
    sentences = [_sentence(rng, _fact(rng)) for _ in range(passages)]
    per_source = 10
    return [
        SourceIn(
            url=f"https://bench.example/source/{start // per_source}",
            title=f"Synthetic source {start // per_source}",
            publisher="bench",
            text=" ".join(sentences[start : start + per_source]),
        )
        for start in range(0, passages, per_source)
    ]


def import_sources(url: str, sources: list[SourceIn], batch: int = 200) -> None:
    """Import through `upsert_sources`, `batch` sources a call and a commit (as the bulk import does)."""
    engine = make_engine(url)
    with Session(engine) as session:
        for start in range(0, len(sources), batch):
            library.upsert_sources(session=session, sources_in=sources[start : start + batch])
            session.commit()
    engine.dispose()


def _loaded(url: str) -> int:
    """How many sources the database holds (a reused one is not imported again)."""
    engine = make_engine(url)
    with Session(engine) as session:
        found = len(session.exec(select(Source.id)).all())
    engine.dispose()
    return found


def measure(
    url: str, queries: list[quality.JudgedQuery], exhaustive_queries: int, pool: int
) -> dict[str, float]:
    evidence.LEXICAL_POOL = pool  # full-text candidates the ranker scores
    ranker.passage_caches_clear()  # each row starts with cold per-passage caches
    index.statistics_clear()  # and uncounted terms (document frequencies are counted as queries come)
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.exec(
            select(Source.url, Passage.text).join(Source, col(Source.id) == col(Passage.source_id))
        ).all()
    library = [(row[0], row[1]) for row in rows]
    bm25 = quality.PlainBM25(library)
    processed = [default_process(passage_text) for _url, passage_text in library]
    latencies, cpu_times, bm25_latencies, exhaustive_seconds = [], [], [], []
    rankings, bm25_rankings = [], []
    with Session(engine) as session:
        evidence.search(session=session, text=queries[0].text, limit=10, use_semantic=False)  # warm caches
        for n, query in enumerate(queries):
            started, cpu_started = time.perf_counter(), time.process_time()
            found = evidence.search(session=session, text=query.text, limit=10, use_semantic=False)
            latencies.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - cpu_started)
            rankings.append([hit.url for hit in found])
            started = time.perf_counter()
            bm25_rankings.append(bm25.ranked(query.text, depth=10))
            bm25_latencies.append(time.perf_counter() - started)
            if n < exhaustive_queries:
                started = time.perf_counter()
                process.extract(default_process(query.text), processed, scorer=fuzz.token_set_ratio, limit=10)
                exhaustive_seconds.append(time.perf_counter() - started)
    engine.dispose()
    latencies_ms = sorted(1000 * seconds for seconds in latencies)
    return {
        "passages": len(library),
        "median_ms": statistics.median(latencies_ms),
        "p95_ms": latencies_ms[int(0.95 * (len(latencies_ms) - 1))],
        # This process's CPU per query: on a shared, loaded machine wall time is mostly waiting for a
        # core. On SQLite it includes the database's work; on PostgreSQL the server's is not in it.
        "cpu_median_ms": 1000 * statistics.median(cpu_times),
        "recall3": quality.summary(rankings, queries)[0],
        "bm25_median_ms": 1000 * statistics.median(bm25_latencies),
        "bm25_recall3": quality.summary(bm25_rankings, queries)[0],
        "exhaustive_ms": 1000 * statistics.median(exhaustive_seconds) if exhaustive_seconds else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="Climate-FEVER dev claims searched")
    parser.add_argument("--exhaustive-queries", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pools",
        default=str(evidence.LEXICAL_POOL),
        help="comma-separated full-text candidate counts the ranker scores, one row each (e.g. 100,30)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CLAIMCHECK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--reuse",
        metavar="NAME",
        help="keep the databases (SQLite file bench_evidence_NAME.db in the temp dir, PostgreSQL schema "
        "bench_NAME) after the run and reuse them when they already hold --passages sources' passages: "
        "no import (its rate is then not measured)",
    )
    parser.add_argument("--drop", action="store_true", help="with --reuse: drop those databases at the end")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="PostgreSQL: VACUUM (ANALYZE) the passages before searching, as autovacuum does after a bulk "
        "import on a default server (this one runs with autovacuum off): the GIN pending list is merged and "
        "the planner statistics name the common lexemes",
    )
    args = parser.parse_args()

    judged = quality.climate_fever()
    queries = judged.queries[: args.queries]
    started = time.perf_counter()
    sources = judged.sources + distractors(max(0, args.passages - len(judged.sources)), args.seed)
    print(
        f"{len(sources)} sources ({len(judged.sources)} Climate-FEVER), "
        f"generated in {time.perf_counter() - started:.1f}s"
    )

    targets: list[tuple[str, str]] = []
    keep = bool(args.reuse) and not args.drop
    if args.reuse:
        workdir = tempfile.gettempdir()
        sqlite_path = Path(workdir) / f"bench_evidence_{args.reuse}.db"
    else:
        workdir = tempfile.mkdtemp(prefix="bench_evidence_")
        sqlite_path = Path(workdir) / "bench.db"
    if not args.skip_sqlite:
        targets.append(("sqlite", f"sqlite:///{sqlite_path}"))
    schema = None
    if not args.skip_postgres:
        schema = f"bench_{args.reuse}" if args.reuse else f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.postgres, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        host_part = args.postgres.removeprefix("postgresql://")
        targets.append(("postgresql", f"postgresql+psycopg://{host_part}?options=-csearch_path%3D{schema}"))
    try:
        print(
            f"{'database':<11} {'pool':>4} {'passages':>9} {'import/s':>9} {'median ms':>10} {'p95 ms':>7} "
            f"{'cpu ms':>7} {'recall@3':>8} {'BM25 ms':>8} {'BM25 r@3':>8} {'exhaustive ms':>13}"
        )
        for name, url in targets:
            migrate(url)
            elapsed = float("nan")
            if _loaded(url) != len(sources):
                if _loaded(url):
                    raise SystemExit(f"{name}: the reused database holds other sources; --drop it first")
                started = time.perf_counter()
                import_sources(url, sources)
                elapsed = time.perf_counter() - started
            if args.analyze and name == "postgresql":
                with psycopg.connect(args.postgres, autocommit=True) as connection:
                    connection.execute(f"VACUUM (ANALYZE) {schema}.passage")
                    connection.execute(f"VACUUM (ANALYZE) {schema}.source")
            for pool in (int(value) for value in args.pools.split(",")):
                figures = measure(url, queries, args.exhaustive_queries, pool)
                print(
                    f"{name:<11} {pool:>4} {figures['passages']:>9} {figures['passages'] / elapsed:>9.0f} "
                    f"{figures['median_ms']:>10.1f} {figures['p95_ms']:>7.1f} "
                    f"{figures['cpu_median_ms']:>7.1f} {figures['recall3']:>8.3f} "
                    f"{figures['bm25_median_ms']:>8.1f} {figures['bm25_recall3']:>8.3f} "
                    f"{figures['exhaustive_ms']:>13.0f}",
                    flush=True,
                )
        print("targets: 100k passages median <= 20 ms, p95 <= 60 ms; 1M passages median <= 100 ms")
        print(f"load average: {Path('/proc/loadavg').read_text().strip()}")
    finally:
        if keep:
            print(f"kept: {sqlite_path if not args.skip_sqlite else ''} {schema or ''}".rstrip())
        elif args.reuse:
            sqlite_path.unlink(missing_ok=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        if schema and not keep:
            with psycopg.connect(args.postgres, autocommit=True) as connection:
                connection.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
