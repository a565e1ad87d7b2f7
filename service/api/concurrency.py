"""Cap the requests a process works on at once, so they can never exhaust the database pool.

Sync endpoints run in anyio's threadpool (40 threads) and hold their session's pooled connection
between hops (dependencies, the endpoint, response validation each take a thread). With more requests
in flight than pooled connections, every thread can end up waiting for a connection held by a request
that is itself waiting for a thread: a deadlock that ends in pool timeouts (500s) 30 s later. Requests
over the cap wait here, in the event loop, holding nothing.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

UNLIMITED_PATHS = frozenset({"/healthz"})


class ConcurrencyLimitMiddleware:
    """At most `limit` HTTP requests inside the app at once; the rest queue in arrival order."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = max(limit, 1)
        self._slots: asyncio.Semaphore | None = None  # made lazily, inside the server's event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)


def request_limit(pool_capacity: int) -> int:
    """Requests in flight per process: the pool's connections less a few for background threads."""
    return max(pool_capacity - 4, 2)
