"""The default state store: one SQLite file that every worker of one host shares.

Each kind of record has its own table, and each row the time it expires. Every
query ignores expired rows, so an expired record is absent even before it is
removed; the rows themselves are deleted by a sweep that runs at most once every
``sweep_every`` seconds per process, after a write, so no request ever scans the
store. Writes that depend on what is stored are one conditional statement, or a
``BEGIN IMMEDIATE`` transaction, so they are atomic across threads and processes.

A record of fields is one row per field, so a record with no fields does not
exist: creating one with no values, or removing its last field, forgets it (as in
Redis, whose hashes cannot be empty either).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager

from webapp.state.store import StoreUnavailable

__all__ = ["SQLiteStore"]

log = logging.getLogger(__name__)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS fields (key TEXT NOT NULL, field TEXT NOT NULL,"
    " value BLOB NOT NULL, expires REAL NOT NULL, PRIMARY KEY (key, field)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS fields_expires ON fields (expires)",
    "CREATE TABLE IF NOT EXISTS versioned (key TEXT PRIMARY KEY, value BLOB NOT NULL,"
    " version INTEGER NOT NULL, expires REAL NOT NULL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS versioned_expires ON versioned (expires)",
    "CREATE TABLE IF NOT EXISTS plain (key TEXT PRIMARY KEY, value BLOB NOT NULL,"
    " expires REAL NOT NULL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS plain_expires ON plain (expires)",
)
_TABLES = ("fields", "versioned", "plain")

#: Connections a forked child inherited from its parent: never used, and never
#: closed either, since closing one could disturb the parent's locks.
_inherited: list[sqlite3.Connection] = []


class _Local(threading.local):
    db: sqlite3.Connection | None = None
    pid = 0
    file: tuple[int, int] | None = None


class SQLiteStore:
    """A :class:`~webapp.state.store.StateStore` in the SQLite file ``path``.

    The file is opened on first use, once per thread (and again after a fork), so
    making a store never fails; a store whose file cannot be used raises
    :class:`StoreUnavailable` on every call until it can be used again.

    :param sweep_every: seconds between two sweeps of the expired rows (per process).
    :param busy_timeout: seconds a write waits for another one before giving up.
    """

    def __init__(self, path: str, *, sweep_every: float = 60.0, busy_timeout: float = 5.0) -> None:
        self.path = path
        self.sweep_every = sweep_every
        self.busy_timeout = busy_timeout
        self._local = _Local()
        self._next_sweep = 0.0
        self._sweep_lock = threading.Lock()
        self._sweep_pid = os.getpid()

    # -- records of fields ------------------------------------------------------

    def fields(self, key: str) -> dict[str, bytes]:
        with self._answering() as db:
            rows = db.execute(
                "SELECT field, value FROM fields WHERE key = ? AND expires > ?", (key, time.time())
            ).fetchall()
        return {field: bytes(value) for field, value in rows}

    def create_fields(self, key: str, values: Mapping[str, bytes], *, ttl: float) -> None:
        expires = time.time() + ttl
        with self._transaction() as db:
            db.execute("DELETE FROM fields WHERE key = ?", (key,))
            db.executemany(
                "INSERT INTO fields (key, field, value, expires) VALUES (?, ?, ?, ?)",
                [(key, field, value, expires) for field, value in values.items()],
            )
        self._after_write()

    def update_fields(
        self, key: str, values: Mapping[str, bytes], *, remove: Iterable[str] = ()
    ) -> bool:
        removed = [(key, field) for field in remove]
        with self._transaction() as db:
            row = db.execute(
                "SELECT expires FROM fields WHERE key = ? AND expires > ? LIMIT 1",
                (key, time.time()),
            ).fetchone()
            if row is None:
                return False
            db.executemany(
                "INSERT INTO fields (key, field, value, expires) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (key, field) DO UPDATE SET value = excluded.value",
                [(key, field, value, row[0]) for field, value in values.items()],
            )
            db.executemany("DELETE FROM fields WHERE key = ? AND field = ?", removed)
        self._after_write()
        return True

    # -- versioned values -------------------------------------------------------

    def versioned(self, key: str) -> tuple[bytes, int] | None:
        with self._answering() as db:
            row = db.execute(
                "SELECT value, version FROM versioned WHERE key = ? AND expires > ?",
                (key, time.time()),
            ).fetchone()
        return None if row is None else (bytes(row[0]), int(row[1]))

    def put_versioned(self, key: str, value: bytes, *, version: int, ttl: float) -> int | None:
        now = time.time()
        with self._answering() as db:
            if version == 0:
                cursor = db.execute(
                    "INSERT INTO versioned (key, value, version, expires) VALUES (?, ?, 1, ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = 1,"
                    " expires = excluded.expires WHERE versioned.expires <= ?",
                    (key, value, now + ttl, now),
                )
            else:
                cursor = db.execute(
                    "UPDATE versioned SET value = ?, version = version + 1, expires = ?"
                    " WHERE key = ? AND version = ? AND expires > ?",
                    (value, now + ttl, key, version, now),
                )
            written = cursor.rowcount == 1
        self._after_write()
        return version + 1 if written else None

    # -- plain values -----------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        with self._answering() as db:
            row = db.execute(
                "SELECT value FROM plain WHERE key = ? AND expires > ?", (key, time.time())
            ).fetchone()
        return None if row is None else bytes(row[0])

    def put(self, key: str, value: bytes, *, ttl: float) -> None:
        with self._answering() as db:
            db.execute(
                "INSERT INTO plain (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key)"
                " DO UPDATE SET value = excluded.value, expires = excluded.expires",
                (key, value, time.time() + ttl),
            )
        self._after_write()

    def add(self, key: str, value: bytes, *, ttl: float) -> bool:
        now = time.time()
        with self._answering() as db:
            cursor = db.execute(
                "INSERT INTO plain (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key)"
                " DO UPDATE SET value = excluded.value, expires = excluded.expires"
                " WHERE plain.expires <= ?",
                (key, value, now + ttl, now),
            )
            added = cursor.rowcount == 1
        self._after_write()
        return added

    # -- any kind ---------------------------------------------------------------

    def delete(self, *keys: str) -> None:
        if not keys:
            return
        with self._transaction() as db:
            for table in _TABLES:
                db.executemany(f"DELETE FROM {table} WHERE key = ?", [(key,) for key in keys])

    def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the file can be read and written."""
        with self._transaction():
            pass

    # -- connections ------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use, and again in a forked child
        or when the file was removed or replaced (SQLite would go on using the
        removed file, and lose every write)."""
        local, pid, file = self._local, os.getpid(), self._file()
        if local.db is not None and local.pid == pid and file is not None and file == local.file:
            return local.db
        self._forget_connection()
        db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            self._set_up(db)
        except BaseException:
            db.close()
            raise
        local.db, local.pid, local.file = db, pid, self._file()
        return db

    def _set_up(self, db: sqlite3.Connection) -> None:
        """Switch a new connection to WAL and make the tables if need be. Switching
        the journal fails at once, without waiting, while another connection does
        the same: try again until the busy timeout."""
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    db.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError as error:
                busy = error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)
        db.execute("PRAGMA synchronous = NORMAL")
        for statement in _SCHEMA:
            db.execute(statement)

    def _file(self) -> tuple[int, int] | None:
        """The device and inode of the file, or None when there is none."""
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def _forget_connection(self) -> None:
        """Drop this thread's connection (closed, unless a parent process opened
        it): the next call opens another."""
        local = self._local
        if local.db is not None and local.pid != os.getpid():
            _inherited.append(local.db)
        elif local.db is not None:
            try:
                local.db.close()
            except sqlite3.Error:
                pass
        local.db = None

    @contextmanager
    def _answering(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection; its errors become :class:`StoreUnavailable`."""
        try:
            yield self._connection()
        except sqlite3.Error as error:
            self._forget_connection()
            raise StoreUnavailable(f"The state store {self.path} failed: {error}.") from error

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taking the file's write lock from its start."""
        with self._answering() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.rollback()
                raise
            db.execute("COMMIT")

    # -- sweep ------------------------------------------------------------------

    def _after_write(self) -> None:
        """Sweep the expired rows if the last sweep of this process is old enough."""
        pid = os.getpid()
        if self._sweep_pid != pid:  # a forked child: a thread it lacks may hold the lock
            self._sweep_lock, self._sweep_pid = threading.Lock(), pid
        if time.monotonic() < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            if time.monotonic() >= self._next_sweep:
                self._next_sweep = time.monotonic() + self.sweep_every
                self._sweep()
        finally:
            self._sweep_lock.release()

    def _sweep(self) -> None:
        """Delete the expired rows; a failure only waits for the next sweep."""
        try:
            with self._transaction() as db:
                now = time.time()
                for table in _TABLES:
                    db.execute(f"DELETE FROM {table} WHERE expires <= ?", (now,))
        except StoreUnavailable as error:
            log.warning("Could not sweep the expired state: %s", error)
