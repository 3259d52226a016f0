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


def switch_language(page, language):
    """Choose ``language`` in the header's switcher and apply it (a whole page)."""
    page.locator("#language-select").select_option(language)
    with page.expect_navigation():
        page.locator(".language-switch").get_by_role("button").click()


def test_switching_language_in_the_middle_of_a_wizard_keeps_what_was_typed(page, live_server):
    log_in(page, live_server)  # English: the browser asks for nothing else
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # Typed on a new launch's page, not sent: the switch saves it (and so makes
    # the wizard), and comes back to it in Chinese.
    page.get_by_label("Instance name").fill("web-zh")
    switch_language(page, "zh_CN")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect_step(page, "details")
    expect(page.get_by_label(shown(page, "Instance name"))).to_have_value("web-zh")
    expect(page.locator("#language-select")).to_have_value("zh_CN")

    # Further on, after htmx swaps (the header is not drawn again), the switch
    # comes back to the step shown, with what was typed there.
    htmx_swap(page, wizard_button(page, "Next").click, "source")
    htmx_swap(page, wizard_button(page, "Back").click, "details")
    page.get_by_label(shown(page, "Description")).fill("typed, not sent")
    switch_language(page, "en")
    expect_step(page, "details")
    expect(page.get_by_label("Description")).to_have_value("typed, not sent")
    expect(page.get_by_label("Instance name")).to_have_value("web-zh")

    # Remembered: any page is in the chosen language.
    switch_language(page, "zh_CN")
    page.goto(live_server.url + "/servers/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/servers/")


def test_without_javascript_the_switcher_comes_back_to_the_same_page(nojs_page, live_server):
    page = nojs_page
    log_in(page, live_server)
    page.goto(live_server.url + "/servers/?status=ACTIVE")
    switch_language(page, "zh_CN")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert page.url.endswith("/servers/?status=ACTIVE")
    in_chinese(page)
