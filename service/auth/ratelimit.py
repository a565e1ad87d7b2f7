"""Token buckets: requests per key, and failed authentications per client address.

Per process: with N processes a key (or an address) gets up to N times the rate.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass

from sqlmodel import Session

from service.auth import service as auth
from service.exceptions import RateLimited, Unauthenticated

# Buckets that have refilled are forgotten beyond this many, so a flood of addresses cannot grow memory.
MAX_TRACKED = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """One bucket per key: `per_minute` tokens a minute, holding at most `burst`."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self._buckets: dict[Hashable, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: Hashable, *, only_peek: bool = False) -> int:
        """Take a token (or with `only_peek`, just look): 0 when one was there, else the seconds to wait."""
        if self.rate <= 0:
            return 0
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if only_peek:
                    return 0
                self._forget_full(now)
                bucket = self._buckets[key] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                if not only_peek:
                    bucket.tokens -= 1.0
                return 0
            return max(math.ceil((1.0 - bucket.tokens) / self.rate), 1)

    def _forget_full(self, now: float) -> None:
        if len(self._buckets) < MAX_TRACKED:
            return
        for key, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.updated) * self.rate >= self.burst:
                del self._buckets[key]  # a full bucket is the same as none
        while len(self._buckets) >= MAX_TRACKED:
            del self._buckets[next(iter(self._buckets))]  # oldest first


class RateLimiter:
    """Allows `per_minute` requests a minute per key, with bursts up to `burst`."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self._buckets = TokenBuckets(per_minute, burst)

    def check(self, key_id: int) -> None:
        """Take one token for this key or raise RateLimited with the seconds to wait."""
        if wait := self._buckets.take(key_id):
            raise RateLimited("Too many requests for this key; slow down.", retry_after_s=wait)


class FailedAuthThrottle:
    """Allows `per_minute` wrong keys a minute per client address (bursts of as many); past that, the
    address may not try any key until a failure has been forgotten, so guessing keys is slow."""

    def __init__(self, per_minute: int) -> None:
        self._buckets = TokenBuckets(per_minute, per_minute)

    def check(self, client: str) -> None:
        """RateLimited when this address has used up its failures."""
        if wait := self._buckets.take(client, only_peek=True):
            raise RateLimited(
                "Too many failed sign-ins or wrong keys from this address; wait and try again.",
                retry_after_s=wait,
            )

    def failed(self, client: str) -> None:
        """Count one wrong key from this address."""
        self._buckets.take(client)

    def authenticate(self, *, session: Session, raw_key: str | None, client: str) -> auth.Actor:
        """`auth.authenticate`, refused while the address is throttled; a wrong key counts against it
        (no key at all is not a guess, so it does not)."""
        self.check(client)
        try:
            return auth.authenticate(session=session, raw_key=raw_key)
        except Unauthenticated:
            if raw_key:
                self.failed(client)
            raise
