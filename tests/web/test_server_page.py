"""One server's page: what it was launched with, its fault explained, its status
followed over HTMX (0.5 s, then backing off, none once settled), readiness for
SSH, the console log and the graphical console."""

from __future__ import annotations

import re

import pytest

from tests.helpers.servers import HTMX
from tests.helpers.servers import Servers
from tests.helpers.servers import counted_calls
from tests.helpers.servers import poll_trigger
from tests.helpers.servers import poll_url
from webapp.cloud.models import Features


@pytest.fixture
def servers(wizard):
    return Servers(wizard)


def test_the_page_shows_what_the_launch_set(servers):
    server_id = servers.launch(name="full", description="for the docs", flavor="m1.small")
    page = servers.page(server_id)
    assert "m1.small: 1 vCPU, 2.0 GB RAM, 20 GB disk" in page
    assert "cirros-0.6.3" in page
    assert "private: 10.0.0." in page
    assert "demo-key" in page and "for the docs" in page and "default" in page
    # focusable: once long, the log scrolls, and a keyboard must reach it
    assert '<pre class="console" tabindex="0" aria-label="Console log">' in page
    assert "Cloud-init v." in page


def test_a_fault_is_explained_with_cause_and_remedy(servers):
    server_id = servers.launch(name="huge", flavor="r1.huge")
    page = servers.page(server_id)
    assert "No valid host was found." in page
    assert "<strong>Likely cause:</strong> No compute host had room" in page
    assert "<strong>What to do:</strong> Delete it, then launch again" in page
    assert poll_trigger(page) is None  # ERROR is final


def test_ready_for_ssh_with_the_command(servers):
    server_id = servers.launch(name="deb", image="debian", flavor="m1.small")
    page = servers.page(server_id)
    assert "ACTIVE 0 s after launch." in page
    assert re.search(r"Ready for SSH \d+ s after launch\.", page)
    assert re.search(r"ssh -i demo-key\.pem debian@10\.0\.0\.\d+", page)
    assert poll_trigger(page) is None  # final and ready: nothing to follow


def test_waiting_for_cloud_init_keeps_polling_then_gives_up(app, servers):
    app.extensions["skiff.cloud"].store.boot_seconds = 3600
    server_id = servers.launch()
    page = servers.page(server_id)
    assert "Waiting for cloud-init" in page
    assert poll_trigger(page) == "load delay:500ms"
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    app.config["READY_TIMEOUT_SECONDS"] = 0
    fragment = servers.client.get(poll_url(page), headers=HTMX).get_data(as_text=True)
    assert "No cloud-init report: the image may not use cloud-init." in fragment
    assert poll_trigger(fragment) is None


def test_an_image_without_cloud_init_says_so(app, servers):
    app.config["READY_TIMEOUT_SECONDS"] = 0
    server_id = servers.launch(name="box", image="router-appliance", flavor="m1.small")
    page = servers.page(server_id)
    assert "No cloud-init report" in page
    assert "ssh -i demo-key.pem &lt;user&gt;@10.0.0." in page  # no user known


def test_polling_cadence_fast_then_backing_off_then_none(app, servers, monkeypatch):
    app.extensions["skiff.cloud"].build_seconds = 3600
    server_id = servers.launch()
    page = servers.page(server_id)
    assert poll_trigger(page) == "load delay:500ms"
    assert "seen=BUILD" in poll_url(page)
    url = poll_url(page)
    delays = []
    for n in range(1, 30):
        fragment = servers.client.get(re.sub(r"poll=\d+", f"poll={n}", url), headers=HTMX)
        delays.append(poll_trigger(fragment.get_data(as_text=True)))
    assert delays[:19] == ["load delay:500ms"] * 19
    assert delays[19] == "load delay:750ms"
    assert delays[-1] == "load delay:5000ms"

    with counted_calls(app, monkeypatch) as calls:
        servers.client.get(url, headers=HTMX)
    assert dict(calls) == {"get_server": 1}  # a poll stays cheap

    app.extensions["skiff.cloud"].build_seconds = 0
    settled = servers.launch(name="settled")
    url = f"/servers/{settled}/status?poll=1&seen=BUILD/spawning"
    with counted_calls(app, monkeypatch) as calls:
        done = servers.client.get(url, headers=HTMX).get_data(as_text=True)
    assert poll_trigger(done) is None
    assert set(calls) == {"get_server", "console_output"}
    assert 'id="server-actions" class="server-actions" hx-swap-oob="true"' in done  # new buttons


def test_a_status_poll_of_a_deleted_server_says_so_in_place(servers):
    """No redirect: the delete's own answer, from this page, may still be on its
    way, and its redirect (with its message) must not be cut short."""
    server_id = servers.launch(name="short-lived")
    assert servers.act(server_id, "delete", confirmed=True).status_code == 303
    response = servers.client.get(f"/servers/{server_id}/status?poll=3", headers=HTMX)
    assert response.status_code == 200
    assert "HX-Redirect" not in response.headers
    fragment = response.get_data(as_text=True)
    assert 'id="server-status"' in fragment and "This server no longer exists." in fragment
    assert poll_trigger(fragment) is None  # the polling stops
    assert '<div id="server-actions" class="server-actions" hx-swap-oob="true"></div>' in fragment


def test_a_status_poll_without_htmx_goes_to_the_page(servers):
    server_id = servers.launch()
    response = servers.client.get(f"/servers/{server_id}/status?poll=3")
    assert response.status_code == 303 and response.headers["Location"] == f"/servers/{server_id}"


def test_console_log_reads_again(servers):
    server_id = servers.launch()
    fragment = servers.client.get(f"/servers/{server_id}/console-log", headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="console-log"') and "<html" not in html
    assert "Cloud-init v." in html


def test_the_demo_console_is_simulated(servers):
    server_id = servers.launch()
    assert f'href="/servers/{server_id}/console"' in servers.page(server_id)
    page = servers.client.get(f"/servers/{server_id}/console").get_data(as_text=True)
    assert "This console is simulated" in page


def test_no_console_link_when_the_cloud_has_none(app, servers, monkeypatch):
    server_id = servers.launch()
    from webapp.cloud.demo import DemoConnection
    from webapp.cloud.errors import InvalidRequest

    monkeypatch.setattr(DemoConnection, "features", lambda self: Features(remote_console=False))
    assert "Open console" not in servers.page(server_id)

    def none(self, sid):
        raise InvalidRequest("No console available")

    monkeypatch.setattr(DemoConnection, "remote_console", none)
    response = servers.client.get(f"/servers/{server_id}/console")
    assert response.status_code == 404
    assert "This cloud offers no graphical console" in response.get_data(as_text=True)


def test_a_server_that_is_gone_is_a_404(servers):
    assert servers.client.get("/servers/no-such-server").status_code == 404
