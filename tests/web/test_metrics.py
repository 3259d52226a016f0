"""``/metrics``: guarded by a bearer token (404 without one configured), a valid
exposition of ``skiff_`` metrics that move with requests (by endpoint, never by
path), launches, OpenStack calls and servers reaching ACTIVE and ready (each once)."""

from __future__ import annotations

import pytest

from tests.helpers.fake_cloud import FakeCloud
from tests.helpers.metrics import BEARER
from tests.helpers.metrics import TOKEN
from tests.helpers.metrics import label_values
from tests.helpers.metrics import parse
from tests.helpers.metrics import scrape
from tests.helpers.metrics import value
from tests.helpers.servers import Servers
from tests.helpers.wizard import Wizard
from webapp import create_app
from webapp import events
from webapp.ops import server_times


@pytest.fixture
def app(tmp_path):
    """The demo cloud with the metrics token set."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DEMO_BUILD_SECONDS": 0,
            "DEMO_DATABASE": str(tmp_path / "demo.sqlite"),
            "METRICS_TOKEN": TOKEN,
        },
        instance_path=str(tmp_path),
    )


def test_no_token_configured_means_no_metrics(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t"}, instance_path=str(tmp_path))
    client = app.test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=BEARER).status_code == 404


@pytest.mark.parametrize(
    "authorization, status",
    [
        (None, 401),
        ("Basic bWV0cmljczp0ZXN0", 401),
        ("Bearer ", 401),
        ("Bearer wrong-token", 403),
        (f"Bearer {TOKEN}x", 403),
        (f"Bearer {TOKEN[:-1]}", 403),
    ],
)
def test_a_missing_or_wrong_token_is_refused(client, authorization, status):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == status
    assert "skiff_" not in response.get_data(as_text=True)
    assert ("WWW-Authenticate" in response.headers) == (status == 401)


def test_the_exposition_parses_without_login_session_or_cache(client):
    response = client.get("/metrics", headers={"Authorization": f"bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    samples = parse(response.get_data(as_text=True))
    names = {name for name, _labels in samples}
    assert "skiff_http_requests_total" in names


def test_requests_are_counted_by_endpoint_and_status_never_by_path(client):
    before = scrape(client)
    client.get("/servers/some-server-id")  # anonymous: a redirect to the login page
    client.get("/no/such/page/42")
    after = scrape(client)

    def moved(**labels):
        return value(after, "skiff_http_requests_total", **labels) - value(
            before, "skiff_http_requests_total", **labels
        )

    assert moved(endpoint="servers.detail", method="GET", status="303") == 1
    assert moved(endpoint="none", method="GET", status="404") == 1
    seen = label_values(after, "endpoint")
    assert not any("some-server-id" in v or "no/such" in v for v in seen), seen
    assert (
        value(after, "skiff_http_request_duration_seconds_count", endpoint="servers.detail")
        - value(before, "skiff_http_request_duration_seconds_count", endpoint="servers.detail")
        == 1
    )


def test_a_launch_moves_the_wizard_and_launch_metrics(client):
    """The final submit is counted and timed as a launch, the steps before as
    step swaps; ``skiff_launches_total`` moves once the views send the launch
    signal (webapp.events.launch)."""
    wizard = Wizard(client)
    wizard.login()
    before = scrape(client)
    wizard.open()
    wizard.fill_all()
    assert wizard.launch().status_code == 303
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    wizard_count = "skiff_wizard_request_duration_seconds_count"
    assert moved(wizard_count, kind="launch") == 1
    assert moved(wizard_count, kind="step_post") >= 5  # one per step, and the source's tab
    assert moved(wizard_count, kind="step_get") >= 1
    assert moved("skiff_http_requests_total", endpoint="launch.submit", status="303") >= 6
    assert moved("skiff_launches_total", outcome="launched") == 1
    assert moved("skiff_launched_servers_total") == 1
    assert moved("skiff_launch_duration_seconds_count", outcome="launched") == 1


def test_the_launch_signal_is_counted_by_outcome(app, client):
    before = scrape(client)
    events.launch.send(
        app, identity=None, outcome="launched", server_ids=["a", "b"], details={}, seconds=1.5
    )
    events.launch.send(
        app, identity=None, outcome="refused", server_ids=[], details={}, seconds=0.2
    )
    events.launch.send(app, identity=None, outcome="something new", server_ids=[], details={})
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("skiff_launches_total", outcome="launched") == 1
    assert moved("skiff_launches_total", outcome="refused") == 1
    assert moved("skiff_launches_total", outcome="other") == 1
    assert moved("skiff_launched_servers_total") == 2
    assert moved("skiff_launch_duration_seconds_sum", outcome="launched") == pytest.approx(1.5)
    assert moved("skiff_launch_duration_seconds_bucket", outcome="refused", le="0.25") == 1


def test_openstack_calls_are_counted_by_service_and_status(tmp_path, requests_mock):
    cloud = FakeCloud(requests_mock)
    cloud.keystone()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "CLOUD_AUTH_URL": cloud.auth_url,
            "METRICS_TOKEN": TOKEN,
        },
        instance_path=str(tmp_path),
    )
    client = app.test_client()
    before = scrape(client)
    Wizard(client).login(cloud.user_name, "wrong password")
    Wizard(client).login(cloud.user_name, cloud.password)
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("skiff_upstream_requests_total", service="identity", status="401") == 1
    assert moved("skiff_upstream_requests_total", service="identity", status="201") >= 2
    assert moved("skiff_upstream_request_duration_seconds_count", service="identity") >= 3
    assert "keystone.example.test" not in str(after)


def test_time_to_active_and_ready_is_observed_once_per_server(app, client, tmp_path):
    wizard = Wizard(client)
    wizard.login()
    servers = Servers(wizard)
    before = scrape(client)
    server_id = servers.launch()
    servers.page(server_id)  # ACTIVE and ready at once (no build or boot time)
    after_first = scrape(client)
    servers.page(server_id)
    client.get(f"/servers/{server_id}/status?poll=3", headers={"HX-Request": "true"})
    # Another worker (its own memory: forgotten here; the same store): not again.
    server_times._counted.clear()
    other = Wizard(create_app(dict(app.config), instance_path=str(tmp_path)).test_client())
    other.login()
    Servers(other).page(server_id)
    after_more = scrape(client)

    for name in ("skiff_server_active_seconds_count", "skiff_server_ready_seconds_count"):
        assert value(after_first, name) - value(before, name) == 1, name
        assert value(after_more, name) == value(after_first, name), name
