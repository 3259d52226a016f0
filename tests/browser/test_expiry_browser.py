"""Servers that expire, in a real browser: "Extend" in the list and on the
server's page updates in place with htmx and works without JavaScript, and the
pages with an expiring server fit any screen and pass axe-core."""

from __future__ import annotations

import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.helpers.axe import violations
from tests.helpers.browser import log_in
from tests.helpers.expiry import demo_server
from tests.helpers.expiry import demo_servers
from tests.helpers.expiry import expiring

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

pytestmark = pytest.mark.browser


def leased(live_server, name: str, hours: float = 5, action: str = "stop") -> str:
    """A server of the demo cloud that expires in ``hours``, once built (Nova
    changes no metadata while building, and the list refreshes itself); its id."""
    moment = datetime.now(UTC) + timedelta(hours=hours)
    server_id = demo_server(live_server.app, name=name, metadata=expiring(moment, action))
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while demo_servers(live_server.app)[server_id].status != "ACTIVE":
        assert time.monotonic() < deadline, f"{name} still building"
        time.sleep(0.2)
    return server_id


def test_extend_in_the_list_updates_the_row_in_place(page, live_server):
    first = leased(live_server, "lease-1")
    second = leased(live_server, "lease-2", action="delete")
    log_in(page, live_server)
    page.goto(live_server.url + "/servers/")
    page.evaluate("window.skiffMark = 1")  # gone if the page were loaded again
    cell = page.locator(f"#expiry-{first}")
    expect(cell.locator("time")).to_have_text("5 hours left")
    cell.get_by_text("Extend…").click()
    cell.get_by_label("How long to extend lease-1").fill("2")
    cell.get_by_label("Unit for lease-1").select_option("days")
    cell.get_by_role("button", name="Extend lease-1").click()
    expect(page.locator(f"#expiry-{first} time")).to_have_text("2 days left")
    expect(page.locator("#messages")).to_contain_text("lease-1 now expires 2 days from now.")
    assert page.evaluate("window.skiffMark") == 1
    expect(page.locator(f"#expiry-{second} time")).to_have_text("5 hours left")
    expect(page.locator(f"#expiry-{second}")).to_contain_text("then deleted")
    # refused beyond the maximum: said in the messages, the row as it was
    cell = page.locator(f"#expiry-{second}")
    cell.get_by_text("Extend…").click()
    cell.get_by_label("How long to extend lease-2").fill("31")
    cell.get_by_label("Unit for lease-2").select_option("days")
    cell.get_by_role("button", name="Extend lease-2").click()
    expect(page.locator("#messages")).to_contain_text("At most 30 days")
    expect(page.locator(f"#expiry-{second} time")).to_have_text("5 hours left")


def test_extend_on_the_page_in_place_then_never(page, live_server):
    server_id = leased(live_server, "lease-page")
    log_in(page, live_server)
    page.goto(f"{live_server.url}/servers/{server_id}")
    page.evaluate("window.skiffMark = 1")
    section = page.locator("#server-expiry")
    expect(section.locator(".badge")).to_have_text("5 hours left")
    section.get_by_label("Expire in").fill("3")
    section.get_by_label("Unit").select_option("days")
    section.get_by_role("button", name="Extend").click()
    expect(page.locator("#server-expiry .badge")).to_have_text("3 days left")
    expect(page.locator("#messages")).to_contain_text("lease-page now expires 3 days from now.")
    page.locator("#server-expiry").get_by_role("button", name="Never expire").click()
    expect(page.locator("#messages")).to_contain_text("lease-page no longer expires.")
    expect(page.locator("#server-expiry")).to_have_count(0)
    assert page.evaluate("window.skiffMark") == 1


def test_extend_without_javascript(nojs_page, live_server):
    first = leased(live_server, "plain-1")
    leased(live_server, "plain-2")
    page = nojs_page
    log_in(page, live_server)
    page.goto(live_server.url + "/servers/?name=plain")
    cell = page.locator(f"#expiry-{first}")
    cell.get_by_text("Extend…").click()
    cell.get_by_label("How long to extend plain-1").fill("4")
    cell.get_by_label("Unit for plain-1").select_option("days")
    with page.expect_navigation():
        cell.get_by_role("button", name="Extend plain-1").click()
    assert page.url == live_server.url + "/servers/?name=plain"
    expect(page.locator("#messages")).to_contain_text("plain-1 now expires 4 days from now.")
    expect(page.locator(f"#expiry-{first} time")).to_have_text("4 days left")
    page.goto(f"{live_server.url}/servers/{first}")
    page.get_by_label("Expire in").fill("5")
    page.locator("#server-expiry").get_by_label("Unit").select_option("days")
    with page.expect_navigation():
        page.locator("#server-expiry").get_by_role("button", name="Extend").click()
    expect(page.locator("#server-expiry .badge")).to_have_text("5 days left")


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 320, "height": 640}],
    ids=["wide", "small"],
)
def test_pages_with_an_expiring_server_fit_and_pass_axe(browser, live_server, viewport):
    server_id = leased(live_server, "expiring-" + "0123456789" * 5, action="delete")
    leased(live_server, "expired", hours=-1)
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        log_in(page, live_server)
        problems = []
        for url in ("/servers/", f"/servers/{server_id}"):
            page.goto(live_server.url + url)
            wide = page.evaluate(
                "document.documentElement.scrollWidth > window.innerWidth"
                " ? `${document.documentElement.scrollWidth} px wide` : null"
            )
            if wide:
                problems.append(f"{url}: {wide}")
            problems.extend(f"{url}: {violation}" for violation in violations(page))
        assert not problems, "\n".join(problems)
    finally:
        context.close()
