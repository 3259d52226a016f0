"""Health and metrics against a real OpenStack (the devcloud in CI): /readyz reads
the real Keystone's version document; a launch moves the upstream calls (Nova's
202), the launches and, once its page shows it ACTIVE, the time to ACTIVE from
Nova's own ``launched_at``."""

from __future__ import annotations

import uuid

import pytest

from tests.helpers.metrics import TOKEN
from tests.helpers.metrics import scrape
from tests.helpers.metrics import value
from tests.helpers.servers import wait_for_final

pytestmark = pytest.mark.devcloud


def test_readyz_asks_the_real_keystone(portal):
    ready = portal.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {"status": "ok", "checks": {"store": "ok", "cloud": "ok"}}


def test_a_launch_moves_the_upstream_launch_and_active_metrics(portal, cleanup):
    portal.client.application.config["METRICS_TOKEN"] = TOKEN
    before = scrape(portal.client)
    name = f"skiff-metrics-{uuid.uuid4().hex[:6]}"
    cleanup.append(name)
    portal.open()
    portal.fill_all(
        name=name, image="devcloud-tiny-raw", flavor="m1.nano", network="demo-net", keypair=""
    )
    url = portal.launch().headers["Location"]
    status, _ = wait_for_final(portal, url)
    assert status == "ACTIVE"
    after = scrape(portal.client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("skiff_upstream_requests_total", service="compute", status="202") >= 1
    assert moved("skiff_upstream_requests_total", service="compute", status="200") >= 1
    assert moved("skiff_upstream_request_duration_seconds_count", service="compute") >= 2
    assert moved("skiff_launches_total", outcome="launched") == 1
    assert moved("skiff_server_active_seconds_count") == 1
