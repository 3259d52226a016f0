"""Whether the portal can serve: ``/healthz`` (the process answers) and ``/readyz``
(the state store and the cloud answer), for load balancers and orchestrators.

Readiness makes two cheap checks: the state store's ping (SQLite or Redis), and the
cloud's: a GET of Keystone's version document (the configured auth URL; any answer
below 500 counts, even a 401, since Keystone did answer), or, for the demo cloud,
one query of its state file. The answer is kept ``HEALTH_CACHE_SECONDS`` per app
and process, so a balancer polling every second costs one check every few seconds;
one request checks while the others of the process wait for its result.

What a check reports is a fixed word ("ok", "unavailable", "error 503"), never an
exception's text, a URL or a host: nothing that could carry the Redis URL's
password or the Keystone host reaches a client.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

import requests
from flask import Flask
from flask import current_app

from webapp.cloud.base import CloudProvider
from webapp.cloud.errors import CloudUnavailable
from webapp.state.store import StateStore
from webapp.state.store import StoreUnavailable

__all__ = ["Check", "Readiness", "ReadinessCache", "check_cloud", "check_store", "readiness"]

#: where each app keeps its cached readiness
EXTENSION = "skiff.readiness"


@dataclasses.dataclass(frozen=True)
class Check:
    """One dependency's answer: ``ok``, and ``result`` in a word for operators."""

    name: str
    ok: bool
    result: str


@dataclasses.dataclass(frozen=True)
class Readiness:
    """Every check's answer; ready when all of them are ok."""

    checks: tuple[Check, ...]

    @property
    def ready(self) -> bool:
        """Whether every dependency answered."""
        return all(check.ok for check in self.checks)

    def as_json(self) -> dict[str, object]:
        """The body of ``/readyz``: ``{"status": "ok" | "unavailable", "checks":
        {"store": "ok", "cloud": "unavailable"}}``."""
        return {
            "status": "ok" if self.ready else "unavailable",
            "checks": {check.name: check.result for check in self.checks},
        }


def check_store(store: StateStore) -> Check:
    """The state store's ping."""
    try:
        store.ping()
    except StoreUnavailable:
        return Check("store", False, "unavailable")
    return Check("store", True, "ok")


def check_cloud(provider: CloudProvider, *, timeout: float, http: requests.Session) -> Check:
    """Keystone's version document for a real cloud, the state file for the demo."""
    from webapp.cloud.demo import DemoProvider
    from webapp.cloud.openstack import OpenStackProvider

    if isinstance(provider, DemoProvider):
        try:
            with provider.store.db() as db:
                db.execute("SELECT 1").fetchone()
        except CloudUnavailable:
            return Check("cloud", False, "unavailable")
        return Check("cloud", True, "ok")
    if isinstance(provider, OpenStackProvider):
        try:
            # Through no counting session: a balancer's polls are not user traffic.
            answer = http.get(provider.auth_url, timeout=timeout, verify=provider.verify)
        except requests.Timeout:
            return Check("cloud", False, "timeout")
        except requests.RequestException:
            return Check("cloud", False, "unavailable")
        answer.close()
        if answer.status_code >= 500:
            return Check("cloud", False, f"error {answer.status_code}")
        return Check("cloud", True, "ok")
    return Check("cloud", True, "unchecked")  # a provider of a test, say


class ReadinessCache:
    """One app's readiness, checked at most once every ``ttl`` seconds per process.

    :param check: what makes a fresh :class:`Readiness`.
    """

    def __init__(self, check: Callable[[], Readiness], *, ttl: float) -> None:
        self._check = check
        self._ttl = ttl
        self._lock = threading.Lock()
        self._kept: tuple[float, Readiness] | None = None

    def get(self) -> Readiness:
        """The kept answer while fresh, else a new one (one thread checks; the
        others of the process wait for its result instead of checking too)."""
        with self._lock:
            now = time.monotonic()
            if self._kept is not None and now < self._kept[0]:
                return self._kept[1]
            found = self._check()
            # Fresh from when the check ended: a slow check is not stale at once.
            self._kept = (time.monotonic() + self._ttl, found)
            return found


def init_app(app: Flask) -> None:
    """Give ``app`` its readiness cache (after its store and provider exist)."""
    from webapp import cloud
    from webapp import state

    # keep-alive to Keystone; proxies from the environment, as the cloud calls use them
    http = requests.Session()
    timeout = float(app.config["HEALTH_TIMEOUT_SECONDS"])

    def check() -> Readiness:
        provider = cloud.get_provider()
        return Readiness(
            (
                check_store(state.state().store),
                check_cloud(provider, timeout=timeout, http=http),
            )
        )

    app.extensions[EXTENSION] = ReadinessCache(check, ttl=float(app.config["HEALTH_CACHE_SECONDS"]))


def readiness() -> Readiness:
    """The current app's readiness, at most ``HEALTH_CACHE_SECONDS`` old."""
    cache: ReadinessCache = current_app.extensions[EXTENSION]
    return cache.get()
