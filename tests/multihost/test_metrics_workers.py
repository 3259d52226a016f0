"""Metrics under a real gunicorn with two workers (``gunicorn.conf.py``'s
multi-process mode): a scrape, served by either worker, adds up what both counted;
the values' directory is made and removed per start, or emptied when given.

No haproxy or Redis: one gunicorn on a free loopback port (a few seconds)."""

from __future__ import annotations

import os
from pathlib import Path

import requests
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.mmap_dict import mmap_key

from tests.helpers.metrics import BEARER
from tests.helpers.metrics import TOKEN
from tests.helpers.metrics import parse
from tests.helpers.metrics import per_worker
from tests.helpers.metrics import value
from tests.helpers.portal_process import PortalProcess

HEALTHZ = {"endpoint": "ops.healthz", "method": "GET", "status": "200"}


def portal(tmp_path: Path, **env: str) -> PortalProcess:
    settings = {
        "SKIFF_SECRET_KEY": "metrics-workers-test",
        "SKIFF_METRICS_TOKEN": TOKEN,
        "SKIFF_DEMO_DATABASE": str(tmp_path / "demo.sqlite"),
        **env,
    }
    return PortalProcess("metrics", tmp_path / "instance", settings)


def probe_until_both_workers_counted(server: PortalProcess, directory: str) -> int:
    """GET /healthz, each on a new connection, until two worker processes have
    counted some; returns how many were sent."""
    sent = 0
    while len(per_worker(directory, "skiff_http_requests_total", **HEALTHZ)) < 2:
        assert sent < 500, "one worker served every request"
        response = requests.get(f"{server.url}/healthz", timeout=5)
        assert response.status_code == 200
        sent += 1
    return sent


def scraped_total(server: PortalProcess) -> float:
    response = requests.get(f"{server.url}/metrics", headers=BEARER, timeout=5)
    assert response.status_code == 200, response.text
    return value(parse(response.text), "skiff_http_requests_total", **HEALTHZ)


def test_a_scrape_adds_up_both_workers_in_a_directory_made_per_start(tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    # gunicorn.conf.py makes its directory with tempfile, which honours TMPDIR.
    server = portal(tmp_path, TMPDIR=str(temporary))
    assert "PROMETHEUS_MULTIPROC_DIR" not in server.env
    server.start()
    try:
        (made,) = temporary.glob("skiff-metrics-*")
        sent = probe_until_both_workers_counted(server, str(made))
        counted = per_worker(str(made), "skiff_http_requests_total", **HEALTHZ)
        assert all(n > 0 for n in counted.values()) and sum(counted.values()) == sent
        for _ in range(4):  # whichever worker answers the scrape, it tells the sum
            assert scraped_total(server) == sent
    finally:
        server.stop()
    assert not made.exists()


def test_a_given_directory_is_used_and_emptied_at_start(tmp_path):
    directory = tmp_path / "metrics"
    directory.mkdir()
    stale = directory / "counter_1.db"
    # A previous start's values: 1000 probes that this start never answered.
    previous = MmapedDict(str(stale))
    key = mmap_key(
        "skiff_http_requests",
        "skiff_http_requests_total",
        list(HEALTHZ),
        list(HEALTHZ.values()),
        "Requests answered, by Flask endpoint, method and status.",
    )
    previous.write_value(key, 1000.0, 0.0)
    previous.close()
    assert per_worker(str(directory), "skiff_http_requests_total", **HEALTHZ) == {1: 1000.0}
    server = portal(tmp_path, PROMETHEUS_MULTIPROC_DIR=str(directory))
    server.start()
    try:
        assert not stale.exists()
        sent = probe_until_both_workers_counted(server, str(directory))
        assert scraped_total(server) == sent
    finally:
        server.stop()
    assert directory.exists() and os.listdir(directory)  # the operator's: kept
