"""Skiff in Simplified Chinese, in Chromium: a browser that asks for zh-CN gets
every page in Chinese, walks the whole wizard (panels swapped by htmx), launches
and follows the server to ACTIVE, at both widths; the header's switcher changes
the language in the middle of a wizard without losing what was typed."""

from __future__ import annotations

import re

import pytest
from wtforms.i18n import get_translations

from tests.browser.conftest import TIMEOUT_MS
from tests.helpers import axe
from tests.helpers.browser import WIZARD
from tests.helpers.browser import expect_step
from tests.helpers.browser import htmx_swap
from tests.helpers.browser import launch
from tests.helpers.browser import log_in
from tests.helpers.browser import shown
from tests.helpers.browser import status
from tests.helpers.browser import walk
from tests.helpers.browser import wizard_button
from tests.helpers.i18n import english_words

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

pytestmark = pytest.mark.browser

WIDTHS = {"wide": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=WIDTHS, ids=list(WIDTHS))
def zh_page(request, browser):
    """A page of a browser whose language is Simplified Chinese."""
    context = browser.new_context(viewport=WIDTHS[request.param], locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def in_chinese(page) -> None:
    """The page says it is Chinese, shows Chinese, and no English word of ours."""
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    html = page.content()
    assert re.search(r"[\u4e00-\u9fff]", html)
    assert not english_words(html, also_allowed=frozenset({"web", "zh"})), page.url
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_whole_wizard_in_chinese_launches_a_server_that_becomes_active(
    zh_page, live_server, screenshot, request
):
    page = zh_page
    width = request.node.callspec.id
    page.goto(live_server.url + "/launch/")
    in_chinese(page)
    assert shown(page, "Log in") != "Log in"  # the catalog is there, and used
    log_in(page, live_server)
    page.wait_for_url(WIZARD)
    expect(page.locator("#panel-title")).to_have_text(shown(page, "Details"))
    in_chinese(page)

    # A mistake first: no name. WTForms' own message is in Chinese too.
    htmx_swap(page, wizard_button(page, "Next").click, "details")
    required = get_translations(["zh_CN"]).gettext("This field is required.")
    assert required != "This field is required."
    expect(page.locator("#name-errors")).to_have_text(required)
    in_chinese(page)

    walk(page, "flavor", js=True, name="web-zh")
    screenshot(page, f"zh-CN-flavor-{width}")
    walk(page, "review", js=True, start="flavor")
    expect_step(page, "review")
    in_chinese(page)
    assert axe.violations(page) == []
    launch(page)
    in_chinese(page)
    expect(page.locator("#server-status")).to_have_attribute("data-status", "ACTIVE")
    expect(status(page)).to_contain_text(shown(page, "Running"))
    in_chinese(page)
    screenshot(page, f"zh-CN-server-{width}")


def test_switching_language_in_the_middle_of_a_wizard_keeps_what_was_typed(page, live_server):
    log_in(page, live_server)  # English: the browser asks for nothing else
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Instance name").fill("web-zh")
    htmx_swap(page, wizard_button(page, "Next").click, "source")

    page.get_by_label("Language").select_option("zh_CN")
    with page.expect_navigation():
        page.locator(".language-switch").get_by_role("button").click()
    expect_step(page, "source")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_label("语言")).to_have_value("zh_CN")
    htmx_swap(page, wizard_button(page, "Back").click, "details")
    expect(page.get_by_label(shown(page, "Instance name"))).to_have_value("web-zh")

    # Remembered: a new page is in Chinese too, and back to English the same way.
    page.goto(live_server.url + "/servers/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_label("语言").select_option("en")
    with page.expect_navigation():
        page.locator(".language-switch").get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/servers/")
