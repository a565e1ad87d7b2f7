"""A bounded, thread-safe, least-recently-used cache for values computed in this process.

    cache: LruCache[str, dict[str, Any]] = LruCache(max_entries=1024)
    cache.put(key, value); cache.get(key)  # -> the value, or None once it was evicted

`functools.lru_cache` memoises a function; this holds values that several code paths put and get
(an LLM answer, an evidence list) under keys they build themselves.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """At most `max_entries` values; a get or a put makes its entry the most recently used."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value stored for `key`, or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        """Store `value`, dropping the least recently used entries beyond `max_entries`."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
