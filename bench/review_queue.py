"""Review queue paging and optimistic writes, against a baseline measured in the same run.

1. Deep pages of GET /v1/claims's query (status filter, sort -score): the keyset cursor this service
   uses, against OFFSET paging (the baseline a naive listing would use), at page 1 and page 400.
2. Claim edits through `review.service.update` (conditional UPDATE + history rows + commit), against a
   plain unconditional UPDATE + commit of the same field (the baseline: what the version check costs).

    .venv/bin/python bench/review_queue.py                # SQLite file in a temp dir
    BENCH_DATABASE_URL='postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench' \\
        .venv/bin/python bench/review_queue.py            # an empty PostgreSQL schema
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from service.auth.models import Role
from service.auth.service import Actor
from service.claims import queue
from service.claims.models import Claim
from service.db import make_engine, migrate, utcnow
from service.review import service as review
from service.review.schemas import ClaimPatch
from service.review.workflow import Status
from service.settings import Settings

CLAIMS = 50_000
PAGE = 50
DEEP_PAGE = 400
WRITES = 300


def timed(action: Callable[[], object], repeat: int = 20) -> float:
    """Median milliseconds of `repeat` runs."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    settings = Settings(database_url=url)
    migrate(url)
    engine = make_engine(url, settings)
    rng = random.Random(7)
    statuses = [Status.new.value] * 6 + [
        Status.in_review.value,
        Status.reviewed.value,
        Status.published.value,
    ]
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            sa.insert(Claim.__table__),  # type: ignore[attr-defined]
            [
                {
                    "text": f"Claim number {n} about the budget.",
                    "text_normalized": f"claim number {n} about the budget",
                    "text_hash": f"{n:064x}",
                    "checkworthy": True,
                    "score": round(rng.random(), 2),  # two decimals: many ties, which the id must break
                    "kind": "other",
                    "items": [],
                    "entities": [],
                    "quantities": [],
                    "status": rng.choice(statuses),
                    "priority": 0,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(CLAIMS)
            ],
        )
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE claim"))  # what autovacuum / a DBA would have done by now
    actor = Actor(key_id=1, name="bench", role=Role.admin)
    filters = queue.QueueFilters(status=(Status.new,))

    with Session(engine) as session:
        cursor = None
        cursors = {}
        for page in range(1, DEEP_PAGE + 1):
            cursors[page] = cursor
            _items, cursor = queue.get_all(
                session=session, filters=filters, actor=actor, cursor=cursor, limit=PAGE
            )

        def keyset(page: int) -> Callable[[], object]:
            return lambda: queue.get_all(
                session=session, filters=filters, actor=actor, cursor=cursors[page], limit=PAGE
            )

        def offset(page: int) -> Callable[[], object]:
            query = (
                select(Claim)
                .where(col(Claim.status) == Status.new.value)
                .order_by(col(Claim.score).desc(), col(Claim.id).desc())
                .offset((page - 1) * PAGE)
                .limit(PAGE)
            )
            return lambda: list(session.exec(query))

        print(f"database: {engine.url.get_backend_name()}, {CLAIMS} claims, page size {PAGE}")
        for page in (1, DEEP_PAGE):
            print(
                f"queue page {page:>3}: keyset {timed(keyset(page)):7.2f} ms   "
                f"baseline OFFSET {timed(offset(page)):7.2f} ms"
            )
        stats_ms = timed(
            lambda: queue.stats(
                session=session, filters=filters, actor=actor, verdicts=_scale(settings).verdicts
            )
        )
        print(f"stats (status + verdict counts over all claims): {stats_ms:.2f} ms")

    ids = [n + 1 for n in range(WRITES)]
    start = time.perf_counter()
    for claim_id in ids:
        with Session(engine) as session:
            review.update(
                session=session,
                claim_id=claim_id,
                patch=ClaimPatch(priority=5),
                expected_etag=f'"claim-{claim_id}-v1"',
                actor=actor,
                settings=settings,
            )
    guarded = (time.perf_counter() - start) / WRITES * 1000
    start = time.perf_counter()
    for claim_id in ids:
        with Session(engine) as session:
            session.execute(sa.update(Claim).where(col(Claim.id) == claim_id + WRITES).values(priority=5))
            session.commit()
    plain = (time.perf_counter() - start) / WRITES * 1000
    print(f"claim edit: review.update {guarded:.2f} ms/write   baseline plain UPDATE+commit {plain:.2f} ms")
    engine.dispose()


def _scale(settings: Settings) -> review.RatingScale:
    return review.RatingScale.from_settings(settings)


if __name__ == "__main__":
    main()
