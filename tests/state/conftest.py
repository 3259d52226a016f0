"""Fixtures for the state stores: a SQLite store on a temporary file, a Redis store
on a real ``redis-server`` (one per session, emptied before each test), a
``store`` that is each of them in turn, and an ``unavailable_store`` of each kind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.processes import free_port
from tests.helpers.redis_server import RedisServer
from webapp.state.redis_store import RedisStore
from webapp.state.sqlite_store import SQLiteStore
from webapp.state.store import StateStore


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A ``redis-server`` shared by the tests of the session."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def sqlite_store(tmp_path) -> SQLiteStore:
    """A SQLite store on a new file."""
    return SQLiteStore(str(tmp_path / "state.sqlite"))


@pytest.fixture
def redis_store(redis_server) -> Iterator[RedisStore]:
    """A Redis store on the session's server, emptied first."""
    store = RedisStore.from_url(redis_server.url)
    store.client.flushall()
    yield store
    store.client.close()


@pytest.fixture(params=["sqlite", "redis"])
def store(request) -> StateStore:
    """Each store in turn."""
    store: StateStore = request.getfixturevalue(f"{request.param}_store")
    return store


@pytest.fixture(params=["sqlite", "redis"])
def unavailable_store(request, tmp_path) -> Iterator[StateStore]:
    """Each store where it cannot work: a file in a folder that does not exist, a
    Redis URL where no one listens."""
    if request.param == "sqlite":
        yield SQLiteStore(str(tmp_path / "missing" / "state.sqlite"))
        return
    store = RedisStore.from_url(f"redis://127.0.0.1:{free_port()}/0")
    yield store
    store.client.close()
