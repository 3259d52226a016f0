"""Concurrent writers lose nothing: threads on every store, processes on SQLite."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable

from webapp.state.guard import SubmitGuard
from webapp.state.sqlite_store import SQLiteStore
from webapp.state.store import StateStore

THREADS = 8
INCREMENTS = 25


def together(threads: int, call: Callable[[int], object]) -> list[object]:
    """``call(n)`` in threads ``n = 0 .. threads-1`` started at the same moment;
    what each returned or raised, in no particular order."""
    start = threading.Barrier(threads)
    outcomes: list[object] = []

    def run(n: int) -> None:
        start.wait()
        try:
            outcomes.append(call(n))
        except BaseException as error:
            outcomes.append(error)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes


def increment(store: StateStore, key: str, times: int) -> int:
    """Add one to the counter ``key`` ``times`` times, reading it again after
    each conflict; how many conflicts there were."""
    conflicts = 0
    for _ in range(times):
        while True:
            current = store.versioned(key)
            count, version = (int(current[0]), current[1]) if current else (0, 0)
            if store.put_versioned(key, b"%d" % (count + 1), version=version, ttl=60) is not None:
                break
            conflicts += 1
    return conflicts


def increment_in_threads(store: StateStore, key: str) -> None:
    """:func:`increment` ``INCREMENTS`` times in ``THREADS`` threads."""
    outcomes = together(THREADS, lambda n: increment(store, key, INCREMENTS))
    assert all(isinstance(conflicts, int) for conflicts in outcomes), outcomes


def test_threads_incrementing_a_versioned_value_lose_nothing(store):
    increment_in_threads(store, "counter")
    total = THREADS * INCREMENTS
    assert store.versioned("counter") == (b"%d" % total, total)


def test_only_one_of_many_threads_adds_a_value(store):
    outcomes = together(10, lambda n: store.add("once", b"%d" % n, ttl=60))
    assert sorted(outcomes, key=repr) == [False] * 9 + [True]
    assert store.get("once") in {b"%d" % n for n in range(10)}


def test_the_first_of_ten_threads_wins_a_submit_claim(store):
    guard = SubmitGuard(store)
    assert sorted(together(10, lambda n: guard.claim("wizard")), key=repr) == [False] * 9 + [True]


def test_threads_updating_different_fields_lose_nothing(store):
    store.create_fields("s", {"start": b"1"}, ttl=60)

    def update(n: int) -> list[bool]:
        return [store.update_fields("s", {f"t{n}-{i}": b"x"}) for i in range(INCREMENTS)]

    assert together(THREADS, update) == [[True] * INCREMENTS] * THREADS
    assert len(store.fields("s")) == 1 + THREADS * INCREMENTS


def test_threads_opening_a_new_sqlite_file_together_all_succeed(tmp_path):
    # Switching a new file to WAL fails at once while another connection does it.
    for round in range(30):
        store = SQLiteStore(str(tmp_path / f"state-{round}.sqlite"))
        outcomes = together(10, lambda n, store=store: store.add("k", b"1", ttl=60))
        assert sorted(outcomes, key=repr) == [False] * 9 + [True]


def _increment_in_a_process(path: str, key: str) -> None:
    increment_in_threads(SQLiteStore(path), key)


def _increment_with_an_inherited_store(store: SQLiteStore, key: str) -> None:
    inherited = store._local.db
    assert inherited is not None
    increment(store, key, THREADS * INCREMENTS)
    assert store._local.db is not inherited, "the child used its parent's connection"


def test_processes_incrementing_a_sqlite_value_lose_nothing(tmp_path):
    path = str(tmp_path / "state.sqlite")
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_increment_in_a_process, args=(path, "counter")) for _ in range(2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0, 0]
    total = 2 * THREADS * INCREMENTS
    assert SQLiteStore(path).versioned("counter") == (b"%d" % total, total)


def test_forked_processes_open_their_own_connections(sqlite_store):
    # The parent's thread has a connection when it forks: the children must not use it.
    assert sqlite_store.put_versioned("counter", b"0", version=0, ttl=60) == 1
    context = multiprocessing.get_context("fork")
    processes = [
        context.Process(target=_increment_with_an_inherited_store, args=(sqlite_store, "counter"))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    increment_in_threads(sqlite_store, "counter")
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0, 0]
    total = 3 * THREADS * INCREMENTS
    assert sqlite_store.versioned("counter") == (b"%d" % total, total + 1)
