"""Time from a launch to ACTIVE and to ready, measured by the server pages.

A server page (its first load, each status poll) calls :func:`server_seen` with
what it found. The first time a server is seen ACTIVE its time from ``created`` to
Nova's ``launched_at`` is observed (``skiff_server_active_seconds``; when the cloud
gives no ``launched_at``, the time until it was seen so), and the first time it is
seen ready, the time from ``created`` to cloud-init's report in its console log
(``skiff_server_ready_seconds``). Both come from the cloud's own times, so they do
not depend on when someone looked.

Each server is counted once, not once per worker: a process remembers the servers
it counted (the last :data:`REMEMBERED`), and before counting one it adds a mark
``metrics:<event>:<server id>`` to the state store, which only one worker of all
hosts can add (an atomic add, living ``METRICS_SERVER_WINDOW_SECONDS``). Servers
older than that window are not counted at all, so a restart or an expired mark
never counts an old server again. When the store does not answer, nothing is
counted (the page is a 503 anyway).
"""

from __future__ import annotations

import collections
import threading
from datetime import datetime

from flask import current_app
from prometheus_client import Histogram

from webapp.blueprints.servers import readiness
from webapp.cloud.models import Server
from webapp.ops.metrics import REGISTRY
from webapp.state import state
from webapp.state.store import StoreUnavailable

__all__ = ["ACTIVE_SECONDS", "READY_SECONDS", "server_seen"]

_BUCKETS = (5.0, 10.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 300.0, 600.0, 1200.0, 3600.0)

ACTIVE_SECONDS = Histogram(
    "skiff_server_active_seconds",
    "Time from a server's creation to ACTIVE, counted once per server.",
    buckets=_BUCKETS,
    registry=REGISTRY,
)
READY_SECONDS = Histogram(
    "skiff_server_ready_seconds",
    "Time from a server's creation to cloud-init's report that it finished,"
    " counted once per server.",
    buckets=_BUCKETS,
    registry=REGISTRY,
)

#: how many (event, server) pairs a process remembers having counted
REMEMBERED = 4096

_counted: collections.OrderedDict[tuple[str, str], None] = collections.OrderedDict()
_lock = threading.Lock()


def server_seen(server: Server, ready: readiness.Readiness, *, now: datetime) -> None:
    """Observe ``server``'s times to ACTIVE and to ready, if this is the first page
    of any worker to see them (call it with what the page found)."""
    created = readiness.parse_time(server.created)
    window = float(current_app.config["METRICS_SERVER_WINDOW_SECONDS"])
    if created is None or (now - created).total_seconds() > window:
        return
    if server.status == "ACTIVE" and not server.task_state:
        active: float | None = ready.active_after
        if active is None:
            active = max(0.0, (now - created).total_seconds())
        _observe_once(ACTIVE_SECONDS, "active", server.id, active, window)
    if ready.state == readiness.READY and ready.ready_after is not None:
        _observe_once(READY_SECONDS, "ready", server.id, float(ready.ready_after), window)


def _observe_once(
    histogram: Histogram, event: str, server_id: str, seconds: float, ttl: float
) -> None:
    key = (event, server_id)
    with _lock:
        if key in _counted:
            return
        _counted[key] = None
        while len(_counted) > REMEMBERED:
            _counted.popitem(last=False)
    try:
        first = state().store.add(f"metrics:{event}:{server_id}", b"", ttl=ttl)
    except StoreUnavailable:
        with _lock:
            _counted.pop(key, None)  # maybe another time
        return
    if first:
        histogram.observe(seconds)
