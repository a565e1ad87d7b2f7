"""Load benchmark: a realistic request mix against `claimcheck serve --workers 2`, beside a ceiling.

For each database (SQLite file, PostgreSQL schema in db `test` on 127.0.0.1:5432) it starts a fresh
server on a free loopback port, seeds it (keys, reference sources, imported claims, a few articles),
then runs 64 async clients (httpx) for `--seconds`:

  70% reads   GET /v1/claims?limit=20 (the queue), GET /v1/claims/{id}, GET /v1/claims/{id}/evidence
  20% writes  GET the claim for its ETag, then PATCH it or POST a review with If-Match
              (a hot set of claims, so concurrent writers collide: 412 is an expected outcome, counted apart)
  10% submits POST /v1/articles (rules extractor, a ~1,000-character article)

then a reads-only phase (`--read-seconds`), and the same reads-only phase against the ceiling
(`bench/ceiling_app.py`: bare FastAPI serving the same JSON from memory, same uvicorn workers).
It prints throughput, p50/p95/p99 and error counts (5xx apart), and stops by itself: every phase is
bounded by time and by `--max-requests`.

    .venv/bin/python bench/load.py                      # both databases, 60 s mixed + 20 s reads
    .venv/bin/python bench/load.py --database postgres --seconds 20

Open-loop mode (`--rates`): requests arrive at each fixed rate in turn, whether or not earlier ones have
finished, with the same 70/20/10 mix and article submissions asynchronous (`Prefer: respond-async`, 202);
it prints p50/p95/p99 and errors per rate and the highest rate whose p99 stays under 250 ms:

    .venv/bin/python bench/load.py --rates 5,10,20,40,80 --step-seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DATA = ROOT.parent / "shared" / "data"
POSTGRES_DSN = os.environ.get("CLAIMCHECK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
ADMIN_KEY = "cc_bench_admin_" + uuid.uuid4().hex
SEED_CLAIMS = 2000
HOT_CLAIMS = 50  # writers pick from these, so some writes race and get 412
READ_TARGETS = 200  # claims the readers pick from (also what the ceiling serves)
OPEN_LOOP_TIMEOUT = 10.0  # an open-loop request slower than this counts as a transport error
P99_TARGET_MS = 250.0

FALLBACK_ARTICLE = (
    "Unemployment fell to 3.9 percent in March, the lowest level since 2001, the statistics office said. "
    "The government spent 12 billion euros on defence last year, twice as much as in 2019. "
    "Romania and Bulgaria, Estonia, Latvia, Lithuania and Poland all raised military spending. "
    "Inflation reached 7.5 percent in February, according to Eurostat. "
    "The minister said that exports to China grew by 40 percent since 2020. "
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(
    base_url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server did not start in {timeout}s:\n{log_path.read_text()[-3000:]}")


@contextmanager
def running(command: list[str], env: dict[str, str], log_path: Path) -> Iterator[str]:
    """Run a server on a free loopback port; yield its base URL; stop it afterwards."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_up(base_url, process, log_path)
            yield base_url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def fresh_database(kind: str, workdir: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'load.db'}"
        return
    import psycopg

    schema = f"cc_load_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"postgresql+psycopg://{POSTGRES_DSN.removeprefix('postgresql://')}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


def article_texts() -> list[str]:
    """~1,000-character slices of the sample editorial (real, messy prose), or a fallback."""
    path = DATA / "editorial_ukraine.txt"
    text = path.read_text(encoding="utf-8") if path.exists() else FALLBACK_ARTICLE * 20
    slices = []
    for start in range(0, max(len(text) - 1000, 1), 700):
        piece = text[start : start + 1000].strip()
        if piece:
            slices.append(piece)
    return slices or [FALLBACK_ARTICLE]


def verified_claims(limit: int) -> list[tuple[str, str]]:
    path = DATA / "ct2020-task2" / "verified_claims.docs.tsv"
    if not path.exists():
        return [
            (f"Claim number {i}: the rate rose by {i} percent in {1990 + i % 30}.", f"Check {i}")
            for i in range(limit)
        ]
    found = []
    for line in path.read_text(encoding="utf-8").splitlines()[1 : limit + 1]:
        parts = line.split("\t")
        if len(parts) >= 3:
            found.append((parts[1].strip('"'), parts[2]))
    return found


def seed(base_url: str) -> dict[str, Any]:
    """Keys, sources, imported claims and a few articles; returns keys and the claim ids to use."""
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    with httpx.Client(base_url=base_url, timeout=120) as client:
        keys = {}
        for role in ("reader", "newsroom", "checker"):
            response = client.post("/v1/keys", json={"role": role, "name": f"load-{role}"}, headers=admin)
            response.raise_for_status()
            keys[role] = response.json()["key"]
        newsroom = {"Authorization": f"Bearer {keys['newsroom']}"}
        claims = verified_claims(SEED_CLAIMS)
        for index in range(0, 60):
            text, title = claims[index]
            source = {
                "url": f"https://example.org/source/{index}",
                "title": title,
                "text": f"{title}. {text} " * 3,
            }
            client.post("/v1/sources", json=source, headers=newsroom).raise_for_status()
        ndjson = "".join(
            json.dumps({"text": text, "title": title, "external_id": f"ct-{index}"}) + "\n"
            for index, (text, title) in enumerate(claims)
        )
        response = client.post(
            "/v1/imports/claims?format=ndjson",
            content=ndjson.encode(),
            headers={**newsroom, "Content-Type": "application/x-ndjson"},
        )
        response.raise_for_status()
        job_id = response.json()["id"]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job = client.get(f"/v1/imports/{job_id}", headers=newsroom).json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.5)
        else:
            raise SystemExit(f"seed import did not finish: {job}")
        for text in article_texts()[:4]:  # also warms each worker's NLP pipeline
            client.post(
                "/v1/articles", json={"title": "Seed", "body": text, "extractor": "rules"}, headers=newsroom
            ).raise_for_status()
        reader = {"Authorization": f"Bearer {keys['reader']}"}
        ids: list[int] = []
        cursor = None
        while len(ids) < READ_TARGETS:
            params: dict[str, Any] = {"limit": 200, "sort": "created_at"}
            if cursor:
                params["cursor"] = cursor
            page = client.get("/v1/claims", params=params, headers=reader)
            if page.status_code == 422:  # an older sort vocabulary: take the default order
                params.pop("sort")
                page = client.get("/v1/claims", params=params, headers=reader)
            page.raise_for_status()
            body = page.json()
            ids.extend(item["id"] for item in body["items"])
            cursor = body.get("next_cursor")
            if not cursor:
                break
        fixture = {
            "queue": client.get("/v1/claims", params={"limit": 20}, headers=reader).json(),
            "claims": {
                str(i): client.get(f"/v1/claims/{i}", headers=reader).json() for i in ids[:READ_TARGETS]
            },
            "evidence": {
                str(i): client.get(f"/v1/claims/{i}/evidence", headers=reader).json()
                for i in ids[:READ_TARGETS]
            },
        }
    return {"keys": keys, "read_ids": ids[:READ_TARGETS], "hot_ids": ids[:HOT_CLAIMS], "fixture": fixture}


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    transport_errors: Counter[str] = field(default_factory=Counter)
    requests: int = 0

    def record(self, kind: str, status: int, seconds: float) -> None:
        self.latencies[kind].append(seconds)
        self.statuses[kind][status] += 1
        self.requests += 1


EXPECTED = {
    "read": {200},
    "write": {200, 201, 412},  # 412: another writer changed the claim between our GET and our write
    "submit": {201, 202},  # 202: open-loop submissions are asynchronous (Prefer: respond-async)
}


RequestOne = Callable[[httpx.AsyncClient, random.Random], Awaitable[None]]


def request_mix(
    seed_info: dict[str, Any], tally: Tally, mix: tuple[float, float, float], *, submit_async: bool
) -> RequestOne:
    """One request of the mix (a read, a write, or an article submission), timed into `tally`."""
    keys = seed_info["keys"]
    reader = {"Authorization": f"Bearer {keys.get('reader', '')}"}
    checker = {"Authorization": f"Bearer {keys.get('checker', '')}"}
    newsroom = {"Authorization": f"Bearer {keys.get('newsroom', '')}"}
    if submit_async:
        newsroom["Prefer"] = "respond-async"
    read_ids: list[int] = seed_info["read_ids"]
    hot_ids: list[int] = seed_info["hot_ids"]
    articles = article_texts()

    async def timed(
        client: httpx.AsyncClient, kind: str, method: str, url: str, **kwargs: Any
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            tally.transport_errors[type(exc).__name__] += 1
            tally.requests += 1
            return None
        tally.record(kind, response.status_code, time.perf_counter() - started)
        return response

    async def one_read(client: httpx.AsyncClient, rng: random.Random) -> None:
        pick = rng.random()
        claim_id = rng.choice(read_ids)
        if pick < 0.4:
            await timed(client, "read", "GET", "/v1/claims", params={"limit": 20}, headers=reader)
        elif pick < 0.8:
            await timed(client, "read", "GET", f"/v1/claims/{claim_id}", headers=reader)
        else:
            await timed(client, "read", "GET", f"/v1/claims/{claim_id}/evidence", headers=reader)

    async def one_write(client: httpx.AsyncClient, rng: random.Random) -> None:
        claim_id = rng.choice(hot_ids)
        current = await timed(client, "read", "GET", f"/v1/claims/{claim_id}", headers=checker)
        if current is None or current.status_code != 200:
            return
        etag = current.headers.get("etag", "")
        headers = {**checker, "If-Match": etag}
        if rng.random() < 0.7:
            body = {"priority": rng.randint(-5, 5), "assignee": rng.choice(["ana", "bogdan", "chris"])}
            await timed(client, "write", "PATCH", f"/v1/claims/{claim_id}", json=body, headers=headers)
        else:
            body = {"verdict": rng.choice(["true", "mixed", "false"]), "summary": "Checked under load."}
            await timed(client, "write", "POST", f"/v1/claims/{claim_id}/reviews", json=body, headers=headers)

    async def one_submit(client: httpx.AsyncClient, rng: random.Random) -> None:
        body = {"title": "Load test article", "body": rng.choice(articles), "extractor": "rules"}
        await timed(client, "submit", "POST", "/v1/articles", json=body, headers=newsroom)

    async def one(client: httpx.AsyncClient, rng: random.Random) -> None:
        pick = rng.random()
        if pick < mix[0]:
            await one_read(client, rng)
        elif pick < mix[0] + mix[1]:
            await one_write(client, rng)
        else:
            await one_submit(client, rng)

    return one


async def run_phase(
    base_url: str,
    *,
    seed_info: dict[str, Any],
    seconds: float,
    clients: int,
    max_requests: int,
    mix: tuple[float, float, float],
) -> tuple[Tally, float]:
    """Closed loop: `clients` concurrent loops for `seconds` (or `max_requests`); the tally and elapsed."""
    tally = Tally()
    one = request_mix(seed_info, tally, mix, submit_async=False)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    deadline = time.monotonic() + seconds

    async def user(index: int, client: httpx.AsyncClient) -> None:
        rng = random.Random(index)
        while time.monotonic() < deadline and tally.requests < max_requests:
            await one(client, rng)

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(user(index, client) for index in range(clients)))
        elapsed = time.perf_counter() - started
    return tally, elapsed


async def run_open_loop(
    base_url: str, *, seed_info: dict[str, Any], rate: float, seconds: float
) -> tuple[Tally, float, float]:
    """Open loop: requests start at a fixed rate whether or not earlier ones have finished (as real
    traffic arrives), the 70/20/10 mix with asynchronous submissions; the tally, the elapsed time and
    the worst lateness of a start behind its schedule (a client too loaded to keep the rate)."""
    tally = Tally()
    one = request_mix(seed_info, tally, (0.7, 0.2, 0.1), submit_async=True)
    rng = random.Random(int(rate * 1000))
    # Enough connections that requests wait on the server, not on the client's pool.
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    total = max(1, int(rate * seconds))
    lateness = 0.0
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=OPEN_LOOP_TIMEOUT) as client:
        started = time.perf_counter()
        tasks = []
        for number in range(total):
            due = started + number / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                lateness = max(lateness, -delay)
            tasks.append(asyncio.create_task(one(client, rng)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    return tally, elapsed, lateness


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summarise(label: str, tally: Tally, elapsed: float) -> dict[str, Any]:
    every = [value for values in tally.latencies.values() for value in values]
    row: dict[str, Any] = {
        "run": label,
        "seconds": round(elapsed, 1),
        "requests": tally.requests,
        "rps": round(tally.requests / elapsed, 1),
        "p50_ms": round(percentile(every, 0.50) * 1000, 1),
        "p95_ms": round(percentile(every, 0.95) * 1000, 1),
        "p99_ms": round(percentile(every, 0.99) * 1000, 1),
        "5xx": sum(count for c in tally.statuses.values() for status, count in c.items() if status >= 500),
        "412": sum(c[412] for c in tally.statuses.values()),
        "transport_errors": dict(tally.transport_errors),
    }
    unexpected: Counter[str] = Counter()
    for kind, counter in tally.statuses.items():
        for status, count in counter.items():
            if status not in EXPECTED[kind] and status < 500:
                unexpected[f"{kind}:{status}"] += count
    row["other_errors"] = dict(unexpected)
    row["by_kind"] = {
        kind: {
            "n": len(values),
            "rps": round(len(values) / elapsed, 1),
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1),
        }
        for kind, values in sorted(tally.latencies.items())
    }
    return row


def print_row(row: dict[str, Any]) -> None:
    print(
        f"{row['run']:<22} {row['rps']:>8.1f} req/s  p50 {row['p50_ms']:>7.1f}  p95 {row['p95_ms']:>7.1f}  "
        f"p99 {row['p99_ms']:>7.1f} ms  5xx {row['5xx']}  412 {row['412']}  "
        f"other {row['other_errors'] or 0}  transport {row['transport_errors'] or 0}"
    )
    for kind, figures in row["by_kind"].items():
        print(
            f"    {kind:<8} {figures['n']:>7} req {figures['rps']:>8.1f}/s  p50 {figures['p50_ms']:>7.1f}  "
            f"p95 {figures['p95_ms']:>7.1f}  p99 {figures['p99_ms']:>7.1f} ms"
        )
    sys.stdout.flush()


def server_env(url: str, semantic: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "CLAIMCHECK_ADMIN_KEY": ADMIN_KEY,
        "RATE_LIMIT_PER_MINUTE": "10000000",
        "RATE_LIMIT_BURST": "1000000",
        "LLM_BASE_URL": "",
        "LOG_LEVEL": "INFO",
        "SEMANTIC": semantic,
    }


def open_loop(args: argparse.Namespace, databases: tuple[str, ...], rates: list[float]) -> None:
    """Rising fixed arrival rates per database; the highest rate whose p99 stays under the target."""
    print(
        f"open loop: rates {rates} req/s, {args.step_seconds:.0f}s each, 70% read / 20% write / 10% async "
        f"submit, {args.workers} server workers, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="claimcheck-load-") as tmp:
        workdir = Path(tmp)
        for database in databases:
            with fresh_database(database, workdir) as url:
                command = [str(VENV_BIN / "claimcheck"), "serve", "--workers", str(args.workers)]
                with running(
                    command, server_env(url, args.semantic), workdir / f"open-{database}.log"
                ) as base:
                    seed_info = seed(base)
                    best: float | None = None
                    for rate in rates:
                        tally, elapsed, lateness = asyncio.run(
                            run_open_loop(base, seed_info=seed_info, rate=rate, seconds=args.step_seconds)
                        )
                        row = summarise(f"{database} {rate:g}/s", tally, elapsed)
                        row["rate"] = rate
                        row["client_lateness_ms"] = round(lateness * 1000, 1)
                        rows.append(row)
                        print_row(row)
                        print(
                            f"    client lateness (worst start behind schedule) {row['client_lateness_ms']}ms"
                        )
                        errors = row["5xx"] + sum(row["transport_errors"].values())
                        if row["p99_ms"] < P99_TARGET_MS and not errors:
                            best = rate
                    print(
                        f"  {database}: highest rate with p99 < {P99_TARGET_MS:g}ms, no errors: {best} req/s"
                    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=60.0, help="mixed phase length")
    parser.add_argument(
        "--read-seconds", type=float, default=20.0, help="reads-only phase length (and ceiling)"
    )
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-requests", type=int, default=500_000, help="per phase")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--semantic",
        default="off",
        help="SEMANTIC for the server (off: the embedding backfill is worker work, not API load)",
    )
    parser.add_argument(
        "--rates",
        help="open-loop mode: comma-separated arrival rates (requests/s), e.g. 5,10,20,40; each runs "
        "--step-seconds, mixed 70/20/10 with asynchronous article submissions",
    )
    parser.add_argument("--step-seconds", type=float, default=20.0, help="open-loop: seconds per rate")
    args = parser.parse_args()
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    if args.rates:
        open_loop(args, databases, [float(rate) for rate in args.rates.split(",")])
        return
    print(
        f"load: {args.clients} clients, {args.workers} workers, mixed {args.seconds:.0f}s "
        f"(70% read / 20% write / 10% submit), reads-only {args.read_seconds:.0f}s, {os.cpu_count()} CPUs"
    )
    rows = []
    fixture: dict[str, Any] | None = None
    seed_for_ceiling: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="claimcheck-load-") as tmp:
        workdir = Path(tmp)
        for database in databases:
            with fresh_database(database, workdir) as url:
                env = server_env(url, args.semantic)
                command = [str(VENV_BIN / "claimcheck"), "serve", "--workers", str(args.workers)]
                with running(command, env, workdir / f"server-{database}.log") as base_url:
                    seed_info = seed(base_url)
                    fixture = fixture or seed_info["fixture"]
                    seed_for_ceiling = seed_for_ceiling or seed_info
                    tally, elapsed = asyncio.run(
                        run_phase(
                            base_url,
                            seed_info=seed_info,
                            seconds=args.seconds,
                            clients=args.clients,
                            max_requests=args.max_requests,
                            mix=(0.7, 0.2, 0.1),
                        )
                    )
                    rows.append(summarise(f"{database} mixed", tally, elapsed))
                    print_row(rows[-1])
                    tally, elapsed = asyncio.run(
                        run_phase(
                            base_url,
                            seed_info=seed_info,
                            seconds=args.read_seconds,
                            clients=args.clients,
                            max_requests=args.max_requests,
                            mix=(1.0, 0.0, 0.0),
                        )
                    )
                    rows.append(summarise(f"{database} reads", tally, elapsed))
                    print_row(rows[-1])
        assert fixture is not None and seed_for_ceiling is not None
        fixture_path = workdir / "fixture.json"
        fixture_path.write_text(json.dumps(fixture), encoding="utf-8")
        command = [
            str(VENV_BIN / "uvicorn"),
            "bench.ceiling_app:app",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--host",
            "127.0.0.1",
        ]
        with running(command, {"CEILING_FIXTURE": str(fixture_path)}, workdir / "ceiling.log") as base_url:
            tally, elapsed = asyncio.run(
                run_phase(
                    base_url,
                    seed_info=seed_for_ceiling,
                    seconds=args.read_seconds,
                    clients=args.clients,
                    max_requests=args.max_requests,
                    mix=(1.0, 0.0, 0.0),
                )
            )
        ceiling = summarise("ceiling reads", tally, elapsed)
        rows.append(ceiling)
        print_row(ceiling)
    print("\nreads vs ceiling:")
    for row in rows:
        if row["run"].endswith(" reads") and row is not ceiling:
            share = row["rps"] / ceiling["rps"] if ceiling["rps"] else float("nan")
            verdict = "ok" if share >= 0.4 else "BELOW TARGET (40%)"
            print(f"  {row['run']:<16} {share:6.1%} of ceiling  {verdict}")
    for row in rows:
        if row["run"] == "postgres mixed":
            verdict = "ok" if row["p99_ms"] < 250 else "ABOVE TARGET (250 ms)"
            print(f"  postgres mixed p99 {row['p99_ms']} ms: {verdict}")
        if row["5xx"]:
            print(f"  {row['run']}: {row['5xx']} server errors (target: 0)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
