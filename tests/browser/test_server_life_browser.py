"""A server's whole life in a real browser, on a wide and a phone-sized screen:
launched through the wizard, followed to "Ready for SSH", rebooted, stopped and
started from its page (destructive actions confirmed in a panel swapped in by
HTMX), launched again like this, and both servers deleted, one from its page and
one from the list; then the list is empty and the quota is back.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.helpers.browser import SERVER
from tests.helpers.browser import WIZARD
from tests.helpers.browser import launch
from tests.helpers.browser import log_in
from tests.helpers.browser import quota
from tests.helpers.browser import walk
from tests.helpers.browser import wizard_button

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

pytestmark = pytest.mark.browser

SCREENS = {"wide": {"width": 1200, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(SCREENS))
def screen_page(request, browser):
    """A page with JavaScript in a fresh profile, on a wide and on a phone screen."""
    context = browser.new_context(viewport=SCREENS[request.param])
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def status(page):
    return page.locator("#server-status .status strong")


def action(page, label):
    return page.locator("#server-actions").get_by_role("button", name=label, exact=True)


def confirm(page, label):
    """Confirm a destructive action in the panel that took the buttons' place."""
    panel = page.locator("#server-actions.confirm")
    expect(panel).to_be_visible()
    panel.get_by_role("button", name=label, exact=True).click()


def test_a_server_from_launch_to_delete(screen_page, live_server, screenshot):
    page = screen_page
    wide = page.viewport_size["width"] > 800
    log_in(page, live_server)
    walk(page, "review", js=True, name="life")
    launch(page)
    original = page.url

    # Followed past ACTIVE until cloud-init reports, with the command to log in.
    expect(status(page)).to_have_text("Running")
    expect(page.locator("#server-status")).to_contain_text(re.compile(r"ACTIVE \d+ s after launch"))
    expect(page.locator("#server-status .ready")).to_contain_text(
        re.compile(r"Ready for SSH \d+ s after launch")
    )
    expect(page.locator("#server-status code.ssh")).to_have_text(
        re.compile(r"^ssh -i demo-key\.pem cirros@\d+\.\d+\.\d+\.\d+$")
    )
    page.locator("#console-log").get_by_role("link", name="Read again").click()
    expect(page.locator("#console-log pre")).to_contain_text("Cloud-init v.")
    if wide:
        screenshot(page, "20-server-ready")

    # A soft reboot asks nothing; the status follows it back to Running.
    action(page, "Reboot").click()
    expect(status(page)).to_have_text("Rebooting")
    expect(status(page)).to_have_text("Running")

    # Stop is confirmed first; cancelling changes nothing.
    action(page, "Stop").click()
    panel = page.locator("#server-actions.confirm")
    expect(panel).to_contain_text("Stop life?")
    panel.get_by_role("link", name="Cancel").click()
    expect(action(page, "Stop")).to_be_visible()
    expect(status(page)).to_have_text("Running")
    action(page, "Stop").click()
    confirm(page, "Stop")
    expect(status(page)).to_have_text("Stopped")
    expect(action(page, "Start")).to_be_visible()
    expect(action(page, "Stop")).to_have_count(0)
    action(page, "Start").click()
    expect(status(page)).to_have_text("Running")
    assert page.url == original  # all of it over HTMX, on the same page

    # Launch again like this: a new wizard with every step filled in, at Review.
    page.get_by_role("button", name="Launch again like this").click()
    page.wait_for_url(re.compile(r"/launch/[^/]+/review$"))
    expect(page.locator("dl.review")).to_contain_text("life-2")
    expect(page.locator("dl.review")).to_contain_text("cirros")
    launch(page, wizard_button(page, "Launch").click)
    expect(page.locator("h1")).to_have_text("life-2")
    expect(status(page)).to_have_text("Running")

    # The copy is deleted from its page, after a confirmation.
    action(page, "Delete").click()
    confirm(page, "Delete")
    page.wait_for_url(re.compile(r"/servers/$"))
    expect(page.locator("#messages")).to_contain_text("life-2")
    rows = page.locator("#server-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link", name="life", exact=True)).to_be_visible()

    # The first one from the list: ticked, "Delete selected", confirmed.
    rows.first.get_by_role("checkbox").check()
    page.get_by_role("button", name="Delete selected").click()
    page.locator("#bulk-confirm").get_by_role("button", name=re.compile("^Delete")).click()
    expect(page.locator("#server-table")).to_contain_text("No servers")
    assert live_server.servers() == []
    assert not SERVER.search(page.url)

    # The quota is back: a new launch counts nothing in use.
    page.goto(live_server.url + "/launch/")
    page.wait_for_url(WIZARD)
    walk(page, "flavor", js=True, name="after")
    expect(quota(page, "vCPUs")).to_contain_text("0 used")
    expect(quota(page, "RAM")).to_contain_text("0 used")
