"""What only the SQLite store does: its file, its sweep, its failures."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time

import pytest

from webapp.state.sqlite_store import SQLiteStore
from webapp.state.store import StoreUnavailable


def rows(path: str) -> dict[str, int]:
    """How many rows each table of the file holds, expired or not."""
    db = sqlite3.connect(path)
    try:
        return {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("fields", "versioned", "plain")
        }
    finally:
        db.close()


def write_expiring_records(store: SQLiteStore) -> None:
    store.create_fields("f", {"a": b"1", "b": b"2"}, ttl=0.1)
    store.put_versioned("v", b"1", version=0, ttl=0.1)
    store.put("p", b"1", ttl=0.1)


def in_a_thread(call):
    """What ``call()`` returns or raises in a new thread (which opens a new connection)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return outcome[0]


def test_the_file_is_in_wal_mode(tmp_path):
    path = str(tmp_path / "state.sqlite")
    SQLiteStore(path).put("p", b"1", ttl=60)
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_making_a_store_touches_no_file(tmp_path):
    SQLiteStore(str(tmp_path / "state.sqlite"))
    assert list(tmp_path.iterdir()) == []


def test_the_sweep_removes_the_expired_rows(tmp_path):
    path = str(tmp_path / "state.sqlite")
    store = SQLiteStore(path, sweep_every=0)
    write_expiring_records(store)
    store.put("kept", b"1", ttl=60)
    assert rows(path) == {"fields": 2, "versioned": 1, "plain": 2}
    time.sleep(0.2)
    store.put("kept", b"2", ttl=60)
    assert rows(path) == {"fields": 0, "versioned": 0, "plain": 1}
    assert store.get("kept") == b"2"


def test_the_sweep_waits_sweep_every_seconds(tmp_path):
    path = str(tmp_path / "state.sqlite")
    store = SQLiteStore(path, sweep_every=3600)
    write_expiring_records(store)  # the first write sweeps, before anything expired
    time.sleep(0.2)
    store.put("kept", b"1", ttl=60)
    store.create_fields("other", {"a": b"1"}, ttl=60)
    assert rows(path) == {"fields": 3, "versioned": 1, "plain": 2}
    assert (store.fields("f"), store.versioned("v"), store.get("p")) == ({}, None, None)
    # Another process (here: another store) sweeps on its own first write.
    SQLiteStore(path, sweep_every=3600).put("kept", b"2", ttl=60)
    assert rows(path) == {"fields": 1, "versioned": 0, "plain": 1}


def test_the_sweep_runs_at_most_once_per_period(tmp_path, monkeypatch):
    store = SQLiteStore(str(tmp_path / "state.sqlite"), sweep_every=3600)
    sweeps: list[float] = []
    monkeypatch.setattr(store, "_sweep", lambda: sweeps.append(time.monotonic()))
    for n in range(20):
        store.put(f"p{n}", b"1", ttl=60)
    assert store.get("p0") == b"1"
    assert len(sweeps) == 1


def test_reads_do_not_sweep(tmp_path, monkeypatch):
    store = SQLiteStore(str(tmp_path / "state.sqlite"), sweep_every=0)
    sweeps: list[float] = []
    monkeypatch.setattr(store, "_sweep", lambda: sweeps.append(time.monotonic()))
    assert (store.fields("f"), store.versioned("v"), store.get("p")) == ({}, None, None)
    assert sweeps == []


def test_a_removed_folder_makes_the_store_unavailable(tmp_path):
    folder = tmp_path / "instance"
    folder.mkdir()
    store = SQLiteStore(str(folder / "state.sqlite"))
    store.put("p", b"1", ttl=60)
    shutil.rmtree(folder)
    with pytest.raises(StoreUnavailable, match="state.sqlite"):
        store.put("p", b"2", ttl=60)
    with pytest.raises(StoreUnavailable):
        store.ping()
    assert isinstance(in_a_thread(lambda: store.get("p")), StoreUnavailable)
    # Once the folder is back, the store works again (on a new file).
    folder.mkdir()
    assert store.get("p") is None
    store.put("p", b"3", ttl=60)
    assert in_a_thread(lambda: store.get("p")) == b"3"


def test_a_file_locked_too_long_makes_writes_unavailable(tmp_path):
    path = str(tmp_path / "state.sqlite")
    store = SQLiteStore(path, busy_timeout=0.2)
    store.put("p", b"1", ttl=60)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreUnavailable, match="locked"):
            store.put("p", b"2", ttl=60)
        with pytest.raises(StoreUnavailable, match="locked"):
            store.create_fields("f", {"a": b"1"}, ttl=60)
        assert store.get("p") == b"1"  # readers do not wait for the writer (WAL)
        other.execute("ROLLBACK")
    finally:
        other.close()
    store.put("p", b"3", ttl=60)
    assert store.get("p") == b"3"


def test_a_failed_transaction_writes_nothing(tmp_path):
    store = SQLiteStore(str(tmp_path / "state.sqlite"))
    store.create_fields("f", {"a": b"1"}, ttl=60)
    with pytest.raises(StoreUnavailable):
        store.update_fields("f", {"b": b"2", "c": object()})
    assert store.fields("f") == {"a": b"1"}
