"""The server pages against a real OpenStack (the devcloud in CI): one page of the
list within its call budget, the server page with Nova's console log and remote
console, an action followed to its end, and the plain "no cloud-init report" for
an image whose console never says cloud-init finished (the fake driver's)."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from tests.helpers.servers import wait_for_final
from webapp.cloud.openstack import session as os_session

pytestmark = pytest.mark.devcloud

#: upstream calls of one page of the server list (issue 11)
LIST_BUDGET = 3


@pytest.fixture
def server_url(portal, cleanup):
    """A server launched through the portal, ACTIVE: its page's URL."""
    name = f"skiff-page-{uuid.uuid4().hex[:6]}"
    cleanup.append(name)
    portal.open()
    portal.fill_all(
        name=name, image="devcloud-tiny-raw", flavor="m1.nano", network="demo-net", keypair=""
    )
    url = portal.launch().headers["Location"]
    status, _ = wait_for_final(portal, url)
    assert status == "ACTIVE"
    return url


def test_one_page_of_the_list_costs_at_most_three_calls(portal, server_url):
    """Servers with details, flavors and images; then only the servers, the
    flavors and images being cached by the worker."""
    with os_session.recording() as calls:
        html = portal.client.get("/servers/").get_data(as_text=True)
    by_service = calls.by_service()
    assert calls.count() <= LIST_BUDGET, by_service
    assert calls.count("identity") == 0, by_service
    server_id = server_url.rsplit("/", 1)[1]
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{server_id}(?:(?!</tr>).)*</tr>", html, re.S)
    assert row, "the server is not listed"
    assert "m1.nano" in row.group(0) and "devcloud-tiny-raw" in row.group(0)

    with os_session.recording() as again:
        assert portal.client.get("/servers/").status_code == 200
    assert again.count() == 1, again.by_service()
    assert again.count("compute") == 1


def test_server_page_shows_the_console_log_and_opens_the_console(portal, server_url):
    html = portal.client.get(server_url).get_data(as_text=True)
    # the fake virt driver's console log, as Nova gives it
    assert "FAKE CONSOLE OUTPUT" in html
    assert "m1.nano" in html and "devcloud-tiny-raw" in html
    # The devcloud's Nova gives a noVNC URL (its proxy is not running: the
    # URL is what is tested).
    console = portal.client.get(server_url + "/console")
    assert console.status_code in (302, 303)
    assert re.match(r"http://127\.0\.0\.1:6080/vnc_auto\.html\?path=", console.headers["Location"])


def test_stop_and_start_followed_on_the_page(portal, server_url):
    html = portal.client.get(server_url).get_data(as_text=True)
    token = portal.csrf(html)
    stopped = portal.client.post(server_url + "/stop", data={"csrf_token": token, "confirmed": "1"})
    assert stopped.status_code == 303
    assert _until(portal, server_url, "Stopped")
    started = portal.client.post(server_url + "/start", data={"csrf_token": token})
    assert started.status_code == 303
    assert _until(portal, server_url, "Running")


def test_no_cloud_init_report_is_said_plainly(portal, server_url):
    """The fake driver's console never has cloud-init's final line; after the
    configured wait the page says so instead of waiting for ever."""
    portal.client.application.config["READY_TIMEOUT_SECONDS"] = 0
    html = portal.client.get(server_url).get_data(as_text=True)
    assert "No cloud-init report: the image may not use cloud-init." in html
    assert "Ready for SSH" not in html


def _until(portal, url, words, timeout=60):
    """Whether the status fragment says ``words`` (no task left) within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = portal.client.get(url + "/status", headers={"HX-Request": "true"})
        if re.search(rf'class="badge[^"]*">{words}</strong>', html.get_data(as_text=True)):
            return True
        time.sleep(0.5)
    return False
