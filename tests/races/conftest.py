"""Fixtures of the race tests: the app served over HTTP from a thread (werkzeug's
threaded server, so requests overlap as they do behind a real server), on the
SQLite store and on Redis in turn, with a slow demo cloud (every cloud call
sleeps :data:`LATENCY`) and builds long enough that a server page keeps polling;
and what the store holds, read from outside the app.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from collections.abc import Iterator

import pytest
import redis

import webapp
from tests.helpers.http_wizard import HttpWizard
from tests.helpers.live_server import LiveServer
from tests.helpers.redis_server import RedisServer
from tests.helpers.state import sqlite_bytes as state_file_bytes

#: seconds each demo cloud call sleeps: what makes requests overlap (0.3 s when the
#: races were measured; 0.2 s is still twenty times a step save, and keeps the run short)
LATENCY = 0.2
#: seconds a demo server stays in BUILD: its page polls for the whole test
BUILD_SECONDS = 60

#: what the store holds: one entry per SQLite row or Redis key, to its value
Entries = dict[tuple[str, ...], object]


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """A ``redis-server`` for the tests of one module."""
    with RedisServer() as server:
        yield server


@pytest.fixture(params=["sqlite", "redis"])
def store(request) -> str:
    """Which state store the app uses: "sqlite" (the default) or "redis"."""
    kind: str = request.param
    return kind


@pytest.fixture
def redis_client(store, request) -> Iterator[redis.Redis | None]:
    """A client of the module's Redis, emptied first; None on SQLite."""
    if store != "redis":
        yield None
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    client = redis.Redis.from_url(server.url)
    client.flushall()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def live(store, redis_client, request, tmp_path) -> Iterator[LiveServer]:
    """The app on a free port, its instance folder in ``tmp_path``, its state in
    ``store``; stopped (and its Redis connections closed) at the end."""
    database = str(tmp_path / "demo.sqlite")
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DEMO_BUILD_SECONDS": BUILD_SECONDS,
        "DEMO_LATENCY": LATENCY,
        "DEMO_DATABASE": database,
        "SUBMIT_WAIT": 5,
        # Twelve users log in from one address in the flood test: not a brute force.
        "RATE_LIMITS_ENABLED": False,
    }
    if store == "redis":
        config["REDIS_URL"] = request.getfixturevalue("redis_server").url
    app = webapp.create_app(config, instance_path=str(tmp_path))
    # Thousands of requests: werkzeug's access log would drown the output.
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)
    server = LiveServer(app, database).start()
    try:
        yield server
    finally:
        server.stop()
        werkzeug_log.setLevel(level)
        client = getattr(app.extensions["skiff.state"].store, "client", None)
        if client is not None:
            client.close()


@pytest.fixture
def browsers(live) -> Iterator[Callable[[], HttpWizard]]:
    """Makes new browsers (an :class:`HttpWizard` with its own cookies) on the
    served app; all closed at the end."""
    made: list[HttpWizard] = []

    def new() -> HttpWizard:
        made.append(HttpWizard(live.url))
        return made[-1]

    try:
        yield new
    finally:
        for browser in made:
            browser.close()


@pytest.fixture
def store_entries(live, redis_client) -> Callable[[], Entries]:
    """Reads every entry of the app's store from outside the app: SQLite, every
    row of every table (the file opened read-only); Redis, every key with its
    type and value."""
    path = os.path.join(live.app.instance_path, "state.sqlite")

    def sqlite_entries() -> Entries:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = [
                name
                for (name,) in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            ]
            entries: Entries = {}
            for table in tables:
                columns = db.execute(f'PRAGMA table_info("{table}")').fetchall()
                keys = [column[0] for column in columns if column[5]] or [0]
                for row in db.execute(f'SELECT * FROM "{table}"'):
                    entries[(table, *(str(row[i]) for i in keys))] = tuple(row)
            return entries
        finally:
            db.close()

    def redis_entries() -> Entries:
        assert redis_client is not None
        entries: Entries = {}
        for key in sorted(redis_client.keys("*")):
            kind = redis_client.type(key).decode()
            if kind == "string":
                value: object = redis_client.get(key)
            elif kind == "hash":
                value = tuple(sorted(redis_client.hgetall(key).items()))
            else:
                value = f"<{kind}>"
            entries[(key.decode(), kind)] = value
        return entries

    return redis_entries if redis_client is not None else sqlite_entries


@pytest.fixture
def store_bytes(live, redis_client, request) -> Callable[[], bytes]:
    """Everything the app's store keeps at rest, as bytes: SQLite, the file and its
    write-ahead log; Redis, every value (hash fields too) and the files of its
    append-only log."""

    def sqlite_bytes() -> bytes:
        return state_file_bytes(live.app)

    def redis_bytes() -> bytes:
        assert redis_client is not None
        data = b""
        for key in redis_client.keys("*"):
            kind = redis_client.type(key)
            if kind == b"string":
                data += key + b"=" + redis_client.get(key) + b"\n"
            elif kind == b"hash":
                for field, value in redis_client.hgetall(key).items():
                    data += key + b"." + field + b"=" + value + b"\n"
            else:
                raise AssertionError(f"unexpected Redis type {kind!r} of {key!r}")
        folder = request.getfixturevalue("redis_server").folder
        for root, _, files in os.walk(folder):
            for name in files:
                if name not in ("redis.conf", "redis.log"):
                    with open(os.path.join(root, name), "rb") as file:
                        data += file.read()
        return data

    return redis_bytes if redis_client is not None else sqlite_bytes
