"""Quota that guides, in Chromium at 1280x800 and at 390x844: a launch pressed
early over the instances quota lands on Count with the reason in words and the
step marked "!", one button lowers Count to what fits, and a bar over the limit
is red and says so in words (with and without JavaScript)."""

from __future__ import annotations

import re

import pytest

from tests.helpers.axe import violations
from tests.helpers.browser import IMAGE_IDS
from tests.helpers.browser import expect_new_panel
from tests.helpers.browser import expect_step
from tests.helpers.browser import flavor
from tests.helpers.browser import flavor_row
from tests.helpers.browser import htmx_swap
from tests.helpers.browser import is_post
from tests.helpers.browser import log_in
from tests.helpers.browser import mark_panel
from tests.helpers.browser import page_move
from tests.helpers.browser import quota
from tests.helpers.browser import wizard_button
from tests.helpers.quota import colour_name
from tests.helpers.quota import drawn_colour
from tests.helpers.quota import set_quota

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
OVER_INSTANCES = "3 instances would go over the project's limit of 2; 0 are in use."


@pytest.fixture(
    params=[(size, scheme) for size in VIEWPORTS for scheme in ("light", "dark")], ids="-".join
)
def screen(request, browser):
    """A browser profile with JavaScript at each of the two sizes, light and dark."""
    size, scheme = request.param
    context = browser.new_context(viewport=VIEWPORTS[size], color_scheme=scheme)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def nojs_screen(browser):
    """A phone-sized browser profile without JavaScript."""
    context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def swap_to(page, action, slug):
    """Do ``action`` and see step ``slug`` swapped in by HTMX, the page kept (the
    focus is another test's business: here the step may show errors)."""
    mark_panel(page)
    with page.expect_response(is_post) as info:
        action()
    assert info.value.request.header_value("hx-request") == "true"
    expect_new_panel(page)
    expect_step(page, slug)
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"


def steps_item(page, slug):
    return page.locator("#wizard-steps li", has=page.locator(f'button[value="step:{slug}"]'))


def expect_over_on_count(page):
    """Details shown, Count's error in words, the step current and marked "!"."""
    expect(page.locator("#panel-title")).to_have_text("Details")
    expect(page.locator("#count-errors")).to_have_text(OVER_INSTANCES)
    expect(page.get_by_label("Count")).to_have_attribute("aria-invalid", "true")
    expect(steps_item(page, "details")).to_have_class("current error")
    expect(steps_item(page, "details").locator("button")).to_have_attribute("aria-current", "step")
    expect(steps_item(page, "details")).to_contain_text("(has errors)")
    expect(page.locator("#flavor-errors")).to_have_count(0)


def test_launch_early_over_quota_lands_on_count_and_one_click_lowers_it(
    screen, live_server, monkeypatch
):
    set_quota(monkeypatch, instances=2)
    page = screen.new_page()
    log_in(page, live_server)
    expect(page.locator("#count-hint")).to_have_text(
        "At most 2 more servers fit in the project's quotas."
    )
    page.get_by_label("Instance name").fill("web")
    page.get_by_label("Count").fill("3")
    # Launch before any flavor or network is chosen
    swap_to(page, wizard_button(page, "Launch").click, "details")
    expect_over_on_count(page)
    expect(page.locator("#messages")).to_contain_text(
        'Could not launch "web": see Details, marked "!".'
    )
    # the "!" is drawn in the colour of errors, not the current step's
    mark = steps_item(page, "details").locator(".state")
    assert mark.evaluate("e => getComputedStyle(e, '::before').content") == '"!"'
    assert violations(page) == []

    swap_to(page, page.get_by_role("button", name="Lower Count to 2").click, "details")
    expect(page.get_by_label("Count")).to_have_value("2")
    expect(page.locator("#count-errors")).to_have_count(0)
    expect(steps_item(page, "details")).to_have_class("current")
    expect(page.get_by_role("button", name=re.compile("^Lower Count"))).to_have_count(0)
    expect(page.get_by_label("Instance name")).to_have_value("web")
    htmx_swap(page, wizard_button(page, "Next").click, "source")


def test_without_javascript_the_same_in_whole_pages(nojs_screen, live_server, monkeypatch):
    set_quota(monkeypatch, instances=2)
    page = nojs_screen.new_page()
    log_in(page, live_server)
    page.get_by_label("Instance name").fill("web")
    page.get_by_label("Count").fill("3")
    with page.expect_navigation():
        wizard_button(page, "Launch").click()
    expect_over_on_count(page)
    expect(page.locator("#messages")).to_contain_text('see Details, marked "!"')
    with page.expect_navigation():
        page.get_by_role("button", name="Lower Count to 2").click()
    expect(page.get_by_label("Count")).to_have_value("2")
    expect(page.locator("#count-errors")).to_have_count(0)
    page_move(page, wizard_button(page, "Next").click, "source")


def test_a_bar_over_the_limit_is_red_and_says_so(screen, live_server, monkeypatch):
    set_quota(monkeypatch, cores=3)
    page = screen.new_page()
    log_in(page, live_server)
    # a link that chooses the source and flavor m1.tiny (1 vCPU) beforehand
    page.goto(f"{live_server.url}/launch/?image={IMAGE_IDS['cirros-0.6.3']}&flavor=2&name=web")
    expect(page.locator("#count-hint")).to_have_text(
        "At most 3 more servers fit in the project's quotas with the flavor chosen."
    )
    page.get_by_label("Count").fill("4")
    htmx_swap(page, wizard_button(page, "Next").click, "source")
    htmx_swap(page, wizard_button(page, "Next").click, "flavor")

    expect(flavor_row(page, "m1.tiny").locator("td").last).to_have_text(
        "No: 4 vCPUs for 4 servers would go over the project's limit of 3 vCPUs; 0 are in use"
    )
    expect(flavor(page, "m1.nano")).to_be_disabled()  # every flavor has a vCPU
    over = page.locator("#quota .quota-row.over")
    expect(over).to_have_count(1)
    expect(over.locator(".quota-label")).to_have_text("vCPUs")
    expect(quota(page, "vCPUs")).to_have_text(
        "0 used + 4 this launch, 3 allowed: over the limit by 1"
    )
    meter = over.locator("meter")
    expect(meter).to_have_attribute("value", "4")
    assert colour_name(drawn_colour(screen, meter)) == "red"
    fits = page.locator("#quota .quota-row", has_text="Instances").locator("meter")
    assert colour_name(drawn_colour(screen, fits)) == "green"
    assert violations(page) == []

    # each row: label, bar and figures side by side on a desktop; on a phone, the
    # label, then the figures, then the bar, each on its own line
    label = over.locator(".quota-label").bounding_box()
    figures = over.locator(".quota-figures").bounding_box()
    bar = meter.bounding_box()
    assert label and figures and bar
    if page.viewport_size["width"] < 640:
        assert label["y"] + label["height"] <= figures["y"] + 1
        assert figures["y"] + figures["height"] <= bar["y"] + 1
    else:
        assert abs(label["y"] - figures["y"]) < 12 and label["x"] < bar["x"] < figures["x"]
    expect_step(page, "flavor")
