"""More concurrent requests than pooled database connections: every one is answered, none times out."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_KEY
from tests.reliability.conftest import Server
from tests.reliability.test_faults import seed_claims


@pytest.mark.slow
def test_more_concurrent_requests_than_pooled_connections_do_not_deadlock(
    serve: type[Server], tmp_path: Path
) -> None:
    # The deadlock is between the threadpool and the connection pool, the same for both databases.
    database_url = f"sqlite:///{tmp_path / 'pool.db'}"
    # A pool of 2 + 2 connections against 48 concurrent clients: without a cap on requests in flight,
    # the 40 threadpool threads all wait for connections held by requests waiting for a thread.
    server = serve(database_url, DATABASE_POOL_SIZE="2")
    server.start()
    with server.client() as client:
        claim_ids = seed_claims(client, 8)

    async def hammer() -> Counter[str]:
        outcomes: Counter[str] = Counter()
        async with httpx.AsyncClient(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
            timeout=20,
            limits=httpx.Limits(max_connections=48),
        ) as client:

            async def user(index: int) -> None:
                for step in range(4):
                    claim_id = claim_ids[(index + step) % len(claim_ids)]
                    try:
                        response = await client.get(f"/v1/claims/{claim_id}")
                        outcomes[str(response.status_code)] += 1
                    except httpx.HTTPError as exc:
                        outcomes[type(exc).__name__] += 1

            await asyncio.gather(*(user(index) for index in range(48)))
        return outcomes

    outcomes = asyncio.run(hammer())
    assert outcomes == Counter({"200": 48 * 4}), outcomes
