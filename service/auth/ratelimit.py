"""Per-key token buckets (per process: with N processes a key gets up to N times the rate)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from service.errors import RateLimited


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Allows `per_minute` requests a minute per key, with bursts up to `burst`."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self._buckets: dict[int, _Bucket] = {}
        self._lock = threading.Lock()

    def check(self, key_id: int) -> None:
        """Take one token for this key or raise RateLimited with the seconds to wait."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.setdefault(key_id, _Bucket(self.burst, now))
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return
            wait = math.ceil((1.0 - bucket.tokens) / self.rate)
        raise RateLimited(
            "Too many requests for this key; slow down.",
            details={"retry_after_seconds": wait},
            headers={"Retry-After": str(wait)},
        )
