"""Fixtures for several hosts: a real Redis, two gunicorn processes of the portal
(each its own instance folder, both one secret key, one Redis and one demo cloud)
and a real haproxy in front of them; everything is stopped at the end, also when
the test fails."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.haproxy import HAProxy
from tests.helpers.portal_process import PortalProcess
from tests.helpers.redis_server import RedisServer


@dataclass
class Hosts:
    """The running pieces: Redis, the portal processes (by haproxy's server name),
    haproxy, and the demo cloud's state file they all share."""

    redis: RedisServer
    portals: dict[str, PortalProcess]
    balancer: HAProxy
    demo_database: Path


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A ``redis-server`` of this test only."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def hosts(tmp_path, redis_server) -> Iterator[Hosts]:
    """Two portal processes on one Redis, behind haproxy."""
    demo_database = tmp_path / "demo-cloud.sqlite"
    env = {
        "SKIFF_SECRET_KEY": "multihost-test-secret",
        "SKIFF_REDIS_URL": redis_server.url,
        "SKIFF_DEMO_DATABASE": str(demo_database),
        "SKIFF_DEMO_BUILD_SECONDS": "0",
    }
    portals = {name: PortalProcess(name, tmp_path / name, env) for name in ("app1", "app2")}
    # Made first: it skips (fails in CI) without haproxy, before anything starts.
    with HAProxy({name: p.address for name, p in portals.items()}) as balancer:
        try:
            for portal in portals.values():
                portal.start()
            balancer.start()
            yield Hosts(redis_server, portals, balancer, demo_database)
        finally:
            balancer.stop()
            for portal in portals.values():
                portal.stop()
