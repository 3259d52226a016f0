"""Submit guards: make a wizard's final submit happen at most once.

A double click, a second tab replaying the form or the browser's back button can
send the same final submit twice, possibly at the same moment to two worker
processes. The first request to :meth:`claim` a wizard id does the work and records
its outcome; every other one waits for that outcome instead of submitting again.
The claim must be atomic across processes, so it lives in SQLite (one host) or Redis
(several hosts), not in the session, whose last writer wins.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any
from typing import Protocol

__all__ = ["RedisSubmitGuard", "SQLiteSubmitGuard", "SubmitGuard", "wait_for_outcome"]

#: a claim older than this with no outcome is from a request that died
STALE_AFTER = 300.0


class SubmitGuard(Protocol):
    """Records which submits are running or done, atomically."""

    def claim(self, key: str) -> bool:
        """True for the first caller with this key, False for every later one."""

    def finish(self, key: str, outcome: dict[str, Any]) -> None:
        """Record the successful outcome of the claimed submit."""

    def release(self, key: str) -> None:
        """Forget a claim whose submit failed, so the user can try again."""

    def outcome(self, key: str) -> dict[str, Any] | None:
        """The recorded outcome, or None while running or when unknown."""


class SQLiteSubmitGuard:
    """A guard in a SQLite file, shared by the worker processes of one host."""

    def __init__(self, path: str) -> None:
        self.path = path
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS submits "
                "(key TEXT PRIMARY KEY, claimed_at REAL NOT NULL, outcome TEXT)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def claim(self, key: str) -> bool:
        now = time.time()
        with self._connect() as db:
            db.execute(
                "DELETE FROM submits WHERE key = ? AND outcome IS NULL AND claimed_at < ?",
                (key, now - STALE_AFTER),
            )
            cursor = db.execute(
                "INSERT OR IGNORE INTO submits (key, claimed_at) VALUES (?, ?)", (key, now)
            )
            return cursor.rowcount == 1

    def finish(self, key: str, outcome: dict[str, Any]) -> None:
        with self._connect() as db:
            db.execute("UPDATE submits SET outcome = ? WHERE key = ?", (json.dumps(outcome), key))

    def release(self, key: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM submits WHERE key = ? AND outcome IS NULL", (key,))

    def outcome(self, key: str) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT outcome FROM submits WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None


class RedisSubmitGuard:
    """A guard in Redis, for workers on several hosts (``SET NX`` is atomic)."""

    def __init__(self, client: Any, *, prefix: str = "skiff:submit:") -> None:
        self.client = client
        self.prefix = prefix

    def claim(self, key: str) -> bool:
        return bool(self.client.set(self.prefix + key, "", nx=True, ex=int(STALE_AFTER)))

    def finish(self, key: str, outcome: dict[str, Any]) -> None:
        self.client.set(self.prefix + key, json.dumps(outcome), ex=86400)

    def release(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def outcome(self, key: str) -> dict[str, Any] | None:
        value = self.client.get(self.prefix + key)
        return json.loads(value) if value else None


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
