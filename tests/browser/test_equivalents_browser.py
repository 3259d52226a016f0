"""Review's equivalents in Chromium: the Copy button puts the command shown on
the clipboard (and says so); without JavaScript there is no Copy button, the text
is there to select, and the download link works."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.browser import htmx_swap
from tests.helpers.browser import log_in
from tests.helpers.browser import walk
from tests.helpers.browser import wizard_button

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

pytestmark = pytest.mark.browser


def test_copy_puts_the_command_on_the_clipboard(context, live_server):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    log_in(page, live_server)
    walk(page, "config", js=True, name="copy-me")
    htmx_swap(page, wizard_button(page, "Next").click, "review")
    command = page.locator("#equivalent-command")
    expect(command).to_contain_text("openstack server create")
    copy = page.locator('button[data-copy="equivalent-command"]')
    expect(copy).to_be_visible()
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == command.text_content()


def test_without_javascript_the_text_and_its_download_are_there(nojs_page, live_server):
    page = nojs_page
    log_in(page, live_server)
    walk(page, "review", js=False, name="no-js")
    expect(page.locator('button[data-copy="equivalent-command"]')).to_be_hidden()
    expect(page.locator("#equivalent-command")).to_contain_text("openstack server create")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download launch-no-js.sh").click()
    assert info.value.suggested_filename == "launch-no-js.sh"
    assert "openstack server create" in Path(info.value.path()).read_text()
