"""Prometheus metrics: what the portal serves, what it asks OpenStack, how launches go.

Every metric is named ``skiff_…`` and kept in :data:`REGISTRY`:

- ``skiff_http_requests_total{endpoint,method,status}`` and
  ``skiff_http_request_duration_seconds{endpoint}``: every request, by Flask
  endpoint (``launch.submit``; never the raw path, whose ids would make a series
  each; ``none`` when no route matched);
- ``skiff_wizard_request_duration_seconds{kind}``: the launch wizard's requests,
  ``step_get`` (a step shown), ``step_post`` (a step swap: Next, Back, a preview)
  and ``launch`` (the final submit);
- ``skiff_upstream_requests_total{service,status}`` and
  ``skiff_upstream_request_duration_seconds{service}``: every OpenStack call, from
  :func:`webapp.cloud.openstack.session.add_observer` (``status="none"``: no answer);
- ``skiff_launches_total{outcome}``, ``skiff_launched_servers_total`` and
  ``skiff_launch_duration_seconds{outcome}``: from the :data:`webapp.events.launch`
  signal;
- ``skiff_server_active_seconds`` and ``skiff_server_ready_seconds``: from a
  server's creation to ACTIVE and to cloud-init's report (:mod:`.server_times`).

Under gunicorn, ``gunicorn.conf.py`` sets ``PROMETHEUS_MULTIPROC_DIR`` before any
worker starts: prometheus_client then keeps each worker's values in files there,
and :func:`exposition` adds up every worker's (``MultiProcessCollector``). Without
it (``flask run``, the tests), the values live in this process, as usual.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from typing import Any

from flask import Flask
from flask import g
from flask import request
from flask import request_finished
from flask import request_started
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Histogram
from prometheus_client import PlatformCollector
from prometheus_client import ProcessCollector
from prometheus_client import disable_created_metrics
from prometheus_client import generate_latest
from prometheus_client import multiprocess
from werkzeug.wrappers import Response

from webapp import events
from webapp.cloud.openstack import session as os_session

__all__ = ["REGISTRY", "exposition", "init_app", "token_status"]

LOG = logging.getLogger(__name__)

#: the environment variable that switches prometheus_client to multi-process mode
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"

# No "<name>_created" series beside every counter and histogram: they double a
# scrape's size and say nothing a restart's reset does not (multi-process mode never
# has them). prometheus_client's switch is for the whole process.
disable_created_metrics()

#: the portal's own metrics (not prometheus_client's default registry, which any
#: library may fill)
REGISTRY = CollectorRegistry()

#: methods counted under their name; any other is "other" (clients choose it)
METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
#: the outcomes a launch signal may carry (see webapp.events); any other is "other"
OUTCOMES = frozenset({"launched", "invalid", "refused", "error"})
#: the final submit's buttons (see webapp.limits)
LAUNCH_BUTTONS = frozenset({"launch", "launch_stay"})

_LAUNCH_BUCKETS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)

REQUESTS = Counter(
    "skiff_http_requests",
    "Requests answered, by Flask endpoint, method and status.",
    ("endpoint", "method", "status"),
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "skiff_http_request_duration_seconds",
    "Time to answer a request, by Flask endpoint.",
    ("endpoint",),
    registry=REGISTRY,
)
WIZARD_SECONDS = Histogram(
    "skiff_wizard_request_duration_seconds",
    "Time to answer the launch wizard: step_get (a step shown), step_post (a step"
    " swap) and launch (the final submit).",
    ("kind",),
    buckets=_LAUNCH_BUCKETS,
    registry=REGISTRY,
)
UPSTREAM = Counter(
    "skiff_upstream_requests",
    "OpenStack API calls, by service type and status (none: no answer).",
    ("service", "status"),
    registry=REGISTRY,
)
UPSTREAM_SECONDS = Histogram(
    "skiff_upstream_request_duration_seconds",
    "Time an OpenStack API call took, by service type.",
    ("service",),
    registry=REGISTRY,
)
LAUNCHES = Counter(
    "skiff_launches",
    "Final submits of the launch wizard, by outcome (launched, invalid, refused, error).",
    ("outcome",),
    registry=REGISTRY,
)
LAUNCHED_SERVERS = Counter(
    "skiff_launched_servers",
    "Servers created by launches.",
    registry=REGISTRY,
)
LAUNCH_SECONDS = Histogram(
    "skiff_launch_duration_seconds",
    "Time a final submit took, by outcome.",
    ("outcome",),
    buckets=_LAUNCH_BUCKETS,
    registry=REGISTRY,
)

if MULTIPROC_DIR not in os.environ:
    # One process: its own figures (in multi-process mode there are none to add up).
    ProcessCollector(registry=REGISTRY)
    PlatformCollector(registry=REGISTRY)


def init_app(app: Flask) -> None:
    """Count ``app``'s requests, and this process's OpenStack calls and launches."""
    request_started.connect(_started, app)
    request_finished.connect(_finished, app)
    os_session.add_observer(_upstream)  # once per process, however many apps
    events.launch.connect(_launched)


def exposition() -> tuple[bytes, str]:
    """The text format of every metric (every worker's, in multi-process mode),
    and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST

    if MULTIPROC_DIR in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def token_status(expected: str | None, authorization: str | None) -> int | None:
    """None when ``authorization`` is ``Bearer <expected>``; else the status to
    answer: 404 when no token is configured, 401 without a bearer token, 403 for
    a wrong one. Compared in constant time."""
    if not expected:
        return 404
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return 401
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        return 403
    return None


# -- the receivers ----------------------------------------------------------------


def _started(sender: Flask, **_extra: Any) -> None:
    g.skiff_started = time.perf_counter()


def _finished(sender: Flask, response: Response, **_extra: Any) -> None:
    """Count the request (Flask sends this once the answer is final, error pages
    included)."""
    started = g.get("skiff_started")
    endpoint = request.endpoint or "none"
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    if started is None:
        return
    seconds = time.perf_counter() - started
    REQUEST_SECONDS.labels(endpoint).observe(seconds)
    kind = _wizard_kind(endpoint)
    if kind is not None:
        WIZARD_SECONDS.labels(kind).observe(seconds)


def _wizard_kind(endpoint: str) -> str | None:
    """step_get, step_post or launch for the wizard's pages and posts, else None."""
    if endpoint in ("launch.index", "launch.step") and request.method == "GET":
        return "step_get"
    if endpoint in ("launch.create", "launch.submit") and request.method == "POST":
        # Only a form the view has read: parsing one here could raise (too large).
        form = request.__dict__.get("form")
        button = form.get("nav", "").partition(":")[0] if form is not None else ""
        return "launch" if button in LAUNCH_BUTTONS else "step_post"
    return None


def _upstream(call: os_session.Call) -> None:
    service = call.service_type or "unknown"
    UPSTREAM.labels(service, str(call.status) if call.status is not None else "none").inc()
    if call.seconds > 0:  # a redirect's first legs carry none (the last one has it all)
        UPSTREAM_SECONDS.labels(service).observe(call.seconds)


def _launched(sender: object, **payload: Any) -> None:
    """Count one final submit (a signal's receiver must never raise)."""
    try:
        outcome = payload.get("outcome")
        label = outcome if outcome in OUTCOMES else "other"
        LAUNCHES.labels(label).inc()
        if outcome == "launched":
            LAUNCHED_SERVERS.inc(len(payload.get("server_ids") or ()))
        seconds = payload.get("seconds")
        if isinstance(seconds, int | float) and seconds >= 0:
            LAUNCH_SECONDS.labels(label).observe(float(seconds))
    except Exception:  # noqa: BLE001 - a metric must never break a launch
        LOG.exception("Launch metrics not recorded")
