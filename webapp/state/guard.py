"""The submit guard: make a wizard's final submit happen at most once.

A double click, a second tab replaying the form or the browser's back button can
send the same final submit twice, possibly at the same moment to two worker
processes, or to two hosts. The first request to :meth:`SubmitGuard.claim` a wizard
id does the work and records its outcome; every other one waits for that outcome
instead of submitting again. The claim must be atomic across processes and hosts,
so it is an :meth:`~webapp.state.store.StateStore.add` in the state store (SQLite
for one host, Redis for several), not a value in the session, whose last writer
wins.
"""

from __future__ import annotations

import json
import time
from typing import Any

from webapp.state.store import StateStore

__all__ = ["OUTCOME_LIFETIME", "STALE_AFTER", "SubmitGuard", "wait_for_outcome"]

#: a claim older than this with no outcome is from a request that died
STALE_AFTER = 300.0

#: seconds an outcome is kept, for the requests that repeat a finished submit
OUTCOME_LIFETIME = 86400.0

#: what a claim holds until its outcome replaces it
_RUNNING = b""


class SubmitGuard:
    """Records which submits are running or done, in a state store.

    Each submit is one plain value under ``prefix + key``: empty while it runs
    (living :data:`STALE_AFTER` seconds), then its outcome as JSON (living
    :data:`OUTCOME_LIFETIME` seconds), during which no one can claim it again.
    """

    def __init__(self, store: StateStore, *, prefix: str = "submit:") -> None:
        self.store = store
        self.prefix = prefix

    def claim(self, key: str) -> bool:
        """True for the first caller with this key, False for every later one."""
        return self.store.add(self.prefix + key, _RUNNING, ttl=STALE_AFTER)

    def finish(self, key: str, outcome: dict[str, Any]) -> None:
        """Record the successful outcome of the claimed submit."""
        self.store.put(self.prefix + key, json.dumps(outcome).encode(), ttl=OUTCOME_LIFETIME)

    def release(self, key: str) -> None:
        """Forget a claim whose submit failed, so the user can try again; an
        outcome already recorded stays. (Only the claim's holder releases it, so
        nothing else can record an outcome between the read and the delete.)"""
        if self.store.get(self.prefix + key) == _RUNNING:
            self.store.delete(self.prefix + key)

    def outcome(self, key: str) -> dict[str, Any] | None:
        """The recorded outcome, or None while running or when unknown."""
        value = self.store.get(self.prefix + key)
        if not value:
            return None
        outcome: dict[str, Any] = json.loads(value)
        return outcome


def wait_for_outcome(
    guard: SubmitGuard, key: str, *, timeout: float, interval: float = 0.1
) -> dict[str, Any] | None:
    """Wait up to ``timeout`` seconds for another request's outcome; None if none came."""
    deadline = time.monotonic() + timeout
    while True:
        outcome = guard.outcome(key)
        if outcome is not None or time.monotonic() >= deadline:
            return outcome
        time.sleep(interval)
