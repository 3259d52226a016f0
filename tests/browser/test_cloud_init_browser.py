"""The cloud-init helper in Chromium: with htmx, "Make the cloud-config" swaps
the panel in place and puts the focus on the document; without JavaScript the
same button gives the whole page; the open helper passes axe; the edited
document is what the server gets."""

from __future__ import annotations

import pytest
import yaml

from tests.helpers.axe import report
from tests.helpers.axe import violations
from tests.helpers.browser import launch
from tests.helpers.browser import log_in
from tests.helpers.browser import mark_panel
from tests.helpers.browser import walk

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

pytestmark = pytest.mark.browser


def fill_helper(page):
    page.get_by_text("cloud-init helper").click()  # the <details> opens
    page.get_by_label("Install the OS updates").check()
    page.get_by_label("Packages to install").fill("nginx git")
    page.get_by_label("User to create").fill("alice")
    page.get_by_label("The user may run any command as root").check()
    page.get_by_label("Time zone").fill("Asia/Shanghai")
    page.get_by_label("Commands to run at first boot, one per line").fill("echo hi\necho 'a: b'")


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-js"])
def test_make_the_cloud_config_then_edit_it_and_launch(browser, live_server, js):
    context = browser.new_context(java_script_enabled=js, viewport={"width": 900, "height": 720})
    page = context.new_page()
    log_in(page, live_server)
    walk(page, "config", js=js, name=f"helper-{'js' if js else 'nojs'}")
    fill_helper(page)
    make = page.get_by_role("button", name="Make the cloud-config")
    if js:
        url = page.url
        mark_panel(page)
        with page.expect_response(lambda r: r.request.method == "POST") as info:
            make.click()
        assert info.value.request.header_value("hx-request") == "true"
        expect(page.locator("#wizard-panel[data-stale]")).to_have_count(0)
        assert page.evaluate("window.__marker") == 1, "the page was reloaded"
        assert page.url == url
    else:
        with page.expect_navigation():
            make.click()
    document = page.get_by_label("Cloud-config")
    loaded = yaml.safe_load(document.input_value())
    assert loaded["timezone"] == "Asia/Shanghai"
    assert loaded["runcmd"] == ["echo hi", "echo 'a: b'"]
    if js:
        expect(document).to_be_focused()
        found = violations(page)
        assert not found, report(found)
    edited = document.input_value() + "write_files:\n- path: /etc/motd\n  content: hi\n"
    document.fill(edited)
    launch(page)
    [server] = live_server.servers()
    assert server["user_data"] == edited
    context.close()
