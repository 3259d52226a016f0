"""A small thread-safe map whose entries expire, kept in one worker's memory.

Facts that are the same for every user and change rarely (a Nova endpoint's
microversion, a project's flavors and images) are kept here for a while, so that
a page does not ask the cloud for them again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from collections.abc import Hashable
from typing import Generic
from typing import TypeVar

__all__ = ["ExpiringMap"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ExpiringMap(Generic[K, V]):
    """Values by key, each trusted for ``ttl`` seconds after it was put.

    :param ttl: seconds an entry is trusted; 0 keeps nothing.
    :param clock: the time source (``time.monotonic``), for tests.
    """

    def __init__(self, *, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value put for ``key``, or None when there is none or it expired."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry[0] <= self.clock():
            return None
        return entry[1]

    def put(self, key: K, value: V) -> None:
        """Remember ``value`` for ``key`` (nothing when ``ttl`` is 0)."""
        if self.ttl > 0:
            with self._lock:
                self._entries[key] = (self.clock() + self.ttl, value)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
