"""The wizard's page at once while a slow cloud lists its images, flavors and
networks, in a real browser at 1280x800 and 390x844: the step list and a loading
panel first, then the Details panel swapped in by htmx (same URL, no reload, the
focus on its heading); without JavaScript the Details page arrives whole."""

from __future__ import annotations

import re

import pytest

from tests.helpers.axe import report
from tests.helpers.axe import violations
from tests.helpers.browser import expect_states
from tests.helpers.browser import htmx_swap
from tests.helpers.browser import log_in
from tests.helpers.browser import page_move
from tests.helpers.browser import states_at
from tests.helpers.browser import wizard_button
from tests.helpers.cloud_lists import cloud_lists
from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.errors import Unauthorized

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
#: seconds each list call of the slow cloud takes (they run at once)
SLOW = 1.5
#: long enough for axe to look at the loading page twice
SLOWER = 6
LOADING = "Loading your cloud's images, flavors and networks…"


def loading_panel(page):
    return page.locator("#wizard-panel.loading")


def no_overflow(page):
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"the page is {width} px wider than the window"


def is_launch_page(response):
    """An answer to ``GET /launch/`` (plain or htmx) other than a redirect."""
    return (
        response.request.method == "GET"
        and response.url.split("?")[0].endswith("/launch/")
        and response.status == 200
    )


@pytest.mark.parametrize("size", SIZES)
def test_with_javascript_the_loading_panel_comes_first_then_details(
    page, live_server, screenshot, size
):
    page.set_viewport_size(SIZES[size])
    answers = []
    page.on("response", lambda response: is_launch_page(response) and answers.append(response))
    with cloud_lists(live_server.app, delay=SLOW):
        log_in(page, live_server)
        expect(loading_panel(page).get_by_role("status")).to_have_text(LOADING)
        expect(loading_panel(page).get_by_role("heading")).to_have_text("Details")
        expect(loading_panel(page).locator(".spinner")).to_be_visible()
        # The way out shows only after a while (or when the lists could not load).
        expect(loading_panel(page).get_by_role("link", name="Load the page again")).to_be_hidden()
        expect_states(page, *states_at("details"))
        expect(page).to_have_title(re.compile("^Details"))
        no_overflow(page)
        screenshot(page, f"wizard-loading-{size}")
        page.evaluate("window.__marker = 1")

        expect(page.locator("#panel-title")).to_have_text("Details", timeout=SLOW * 1000 + 5000)
    expect(loading_panel(page)).to_have_count(0)
    expect(page.locator("#panel-title")).to_be_focused()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert page.url == f"{live_server.url}/launch/"
    expect_states(page, *states_at("details"))
    no_overflow(page)
    # The page, then its panel over htmx from the same URL.
    page_answer, panel_answer = answers
    assert page_answer.request.header_value("hx-request") is None
    assert panel_answer.request.header_value("hx-request") == "true"
    assert "HX-Request" in panel_answer.header_value("vary")

    # And the wizard goes on as usual.
    page.get_by_label("Instance name").fill("after-the-wait")
    htmx_swap(page, wizard_button(page, "Next").click, "source")


@pytest.mark.parametrize("size", SIZES)
def test_without_javascript_the_details_page_arrives_whole(nojs_page, live_server, size):
    page = nojs_page
    page.set_viewport_size(SIZES[size])
    answers = []
    page.on("response", lambda response: is_launch_page(response) and answers.append(response))
    with cloud_lists(live_server.app, delay=SLOW):
        log_in(page, live_server)
        page.wait_for_url(re.compile(r"/launch/\?wait=1$"))
        expect(page.locator("#panel-title")).to_have_text("Details")
    expect(loading_panel(page)).to_have_count(0)
    expect_states(page, *states_at("details"))
    no_overflow(page)
    # The loading page went on by itself (<noscript> refresh) to the page that waits.
    assert [a.url.removeprefix(live_server.url) for a in answers] == ["/launch/", "/launch/?wait=1"]

    page.get_by_label("Instance name").fill("no-script")
    page_move(page, wizard_button(page, "Next").click, "source")


def test_the_loading_page_passes_axe_in_light_and_dark(page, live_server):
    with cloud_lists(live_server.app, delay=SLOWER):
        log_in(page, live_server)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            expect(loading_panel(page)).to_be_visible()
            found = violations(page)
            assert found == [], f"{scheme}:\n{report(found)}"
            expect(loading_panel(page)).to_be_visible()  # it was the loading page
        expect(page.locator("#panel-title")).to_have_text("Details", timeout=SLOWER * 1000 + 5000)


def test_a_cloud_that_does_not_answer_stops_the_spinner_and_offers_a_retry(page, live_server):
    down = {"features": CloudUnavailable("The cloud did not answer.")}
    with cloud_lists(live_server.app, errors=down):
        log_in(page, live_server)
        expect(page.locator("#messages")).to_contain_text("The cloud did not answer.")
    expect(loading_panel(page).locator(".spinner")).to_be_hidden()
    retry = loading_panel(page).get_by_role("link", name="Load the page again")
    expect(retry).to_be_visible()
    retry.click()  # the cloud answers again
    expect(page.locator("#panel-title")).to_have_text("Details")


def test_an_expired_login_while_the_lists_load_goes_to_log_in(page, live_server):
    expired = {"list_flavors": Unauthorized("The token has expired.")}
    with cloud_lists(live_server.app, errors=expired):
        log_in(page, live_server)
        page.wait_for_url(re.compile(r"/auth/login\?next=/launch/$"))
    expect(page.locator("#messages")).to_contain_text("Your login has expired")
    log_in(page, live_server)  # and back to the wizard, whose lists now load
    expect(page.locator("#panel-title")).to_have_text("Details")
