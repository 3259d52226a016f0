"""Any screen, any user, in a real browser.

Every page (login, each wizard step, Review, a server's page, a confirmation
page, the server list, the 404 page) on a wide screen, a phone and a 320 px
screen, light and dark: no sideways scrolling (a long name wraps), and axe-core
finds no violation of any impact. Then what axe cannot see: the title follows
each swap, after an error the focus is on the first invalid field and the alert
reads the error, a skip link comes first, focus is always visible, one primary
button per step, "Working…" while an answer is awaited, checkboxes and selects
drawn alike, and the theme toggle, remembered across pages.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.helpers.axe import violations
from tests.helpers.browser import STEP_NAMES
from tests.helpers.browser import STEPS
from tests.helpers.browser import choose
from tests.helpers.browser import expect_step
from tests.helpers.browser import flavor
from tests.helpers.browser import htmx_swap
from tests.helpers.browser import launch
from tests.helpers.browser import log_in
from tests.helpers.browser import mark_panel
from tests.helpers.browser import preview
from tests.helpers.browser import source
from tests.helpers.browser import walk
from tests.helpers.browser import wizard_button

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

pytestmark = pytest.mark.browser

SCREENS = {
    "wide": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
    "small": {"width": 320, "height": 640},
}
#: the background of <html> in each scheme (``--bg`` in style.css)
BACKGROUNDS = {"light": "rgb(246, 247, 249)", "dark": "rgb(15, 20, 25)"}


def open_page(browser, screen="wide", scheme="light", **options):
    context = browser.new_context(viewport=SCREENS[screen], color_scheme=scheme, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


@pytest.fixture(
    params=[(screen, scheme) for screen in SCREENS for scheme in BACKGROUNDS], ids="-".join
)
def shown(request, browser):
    """A page with JavaScript on one screen size, in one colour scheme."""
    screen, scheme = request.param
    page = open_page(browser, screen, scheme)
    yield page, scheme
    page.context.close()


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.documentElement).backgroundColor")


def overflow(page) -> str | None:
    """What makes the page wider than the window, or None when nothing does."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          if (document.documentElement.scrollWidth <= width) return null;
          const wide = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 0.5)
            .slice(-3).map(e => e.outerHTML.slice(0, 80));
          return `${document.documentElement.scrollWidth} px wide in ${width} px: ${wide}`;
        }"""
    )


def primary_buttons(page) -> list[str]:
    """The wizard's buttons drawn filled in the accent colour."""
    return page.evaluate(
        """() => {
          const probe = document.createElement('span');
          probe.style.color = 'var(--accent)';
          document.body.append(probe);
          const accent = getComputedStyle(probe).color;
          probe.remove();
          return [...document.querySelectorAll('#wizard-form .wizard-actions button')]
            .filter(b => getComputedStyle(b).backgroundColor === accent)
            .map(b => b.textContent.trim());
        }"""
    )


#: a long name without a space, which must wrap rather than widen any page
LONG_NAME = "screens-" + "0123456789" * 6


def fill(page, slug, name="screens-1"):
    """Make step ``slug`` valid, as a user would."""
    if slug == "details":
        page.get_by_label("Instance name").fill(name)
    elif slug == "source":
        preview(page, source(page, "cirros").check)
    elif slug == "flavor":
        preview(page, flavor(page, "m1.tiny").click)
    elif slug == "network":
        choose(page, "#nic_1", "private")


def test_every_page_fits_the_screen_and_passes_axe(shown, live_server):
    page, scheme = shown
    problems = []

    def look(name):
        assert background(page) == BACKGROUNDS[scheme], f"{name} is not in the {scheme} scheme"
        wide = overflow(page)
        if wide:
            problems.append(f"{name}: {wide}")
        problems.extend(f"{name}: {violation}" for violation in violations(page))

    page.goto(live_server.url + "/launch/")
    look("login")
    log_in(page, live_server)
    # the first wizard after a login may show its loading panel a moment first
    expect(wizard_button(page, "Next")).to_be_visible()
    for here, there in zip(STEPS, STEPS[1:], strict=False):
        look(here)
        assert primary_buttons(page) == ["Next"], here
        fill(page, here, name=LONG_NAME)
        htmx_swap(page, wizard_button(page, "Next").click, there)
    look("review")
    assert primary_buttons(page) == ["Launch"]

    launch(page)
    expect(page.locator("#server-status .ready")).to_be_visible()
    look("server page")
    # The confirmation page a browser without JavaScript gets: form.submit()
    # sends the form without htmx's handler (axe itself needs JavaScript).
    with page.expect_navigation():
        page.evaluate("document.querySelector('#server-actions form:has(button.danger)').submit()")
    expect(page.locator(".confirm")).to_be_visible()
    look("confirm page")

    page.goto(live_server.url + "/servers/")
    look("server list")
    if page.viewport_size["width"] <= 640:
        # stacked: no header row on screen, each cell led by its column's name
        assert page.locator("table.stack thead").bounding_box()["height"] <= 1
        label = page.locator("table.stack td[data-label=Name]").first.evaluate(
            "td => getComputedStyle(td, '::before').content"
        )
        assert label.startswith('"Name"'), label
    page.goto(live_server.url + "/nothing-here")
    expect(page.locator("h1")).to_have_text("Not found")
    look("404 page")

    assert not problems, "\n".join(problems)


def test_the_title_follows_each_swap(page, live_server):
    log_in(page, live_server)
    expect(page).to_have_title("Details · Launch instance · Skiff")
    fill(page, "details")
    htmx_swap(page, wizard_button(page, "Next").click, "source")
    expect(page).to_have_title("Source · Launch instance · Skiff")
    htmx_swap(page, wizard_button(page, "Back").click, "details")
    expect(page).to_have_title("Details · Launch instance · Skiff")


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-js"])
def test_after_an_error_the_focus_is_on_the_field_and_the_alert_reads_it(browser, live_server, js):
    page = open_page(browser, java_script_enabled=js)
    log_in(page, live_server)
    if js:
        mark_panel(page)
    wizard_button(page, "Next").click()
    expect(page.locator("#name-errors")).to_have_text("This field is required.")
    name = page.get_by_label("Instance name")
    expect(name).to_be_focused()
    expect(page.get_by_role("alert")).to_contain_text("Instance name: This field is required.")
    # Fixed, the next step's heading has the focus again.
    name.fill("fixed")
    wizard_button(page, "Next").click()
    expect_step(page, "source")
    expect(page.locator("#panel-title")).to_be_focused()
    if js:
        assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    page.context.close()


def test_the_skip_link_comes_first_and_focus_is_always_visible(page, live_server):
    log_in(page, live_server)
    page.goto(live_server.url + "/servers/")  # a page without autofocus
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 10, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")

    # Every control reached with Tab, from the first to the last, shows the focus.
    page.goto(live_server.url + "/launch/")
    page.locator(".skip-link").focus()  # from the top, not from the focused heading
    reached, unmarked = 0, []
    while True:
        page.keyboard.press("Tab")
        focus = page.evaluate(
            """() => { const e = document.activeElement, s = getComputedStyle(e);
                 return e === document.body ? null
                   : [e.outerHTML.slice(0, 60), s.outlineStyle !== 'none' && s.outlineWidth !== '0px']; }"""
        )
        if focus is None or reached > 60:
            break
        reached += 1
        if not focus[1]:
            unmarked.append(focus[0])
    assert reached > 12 and not unmarked, unmarked
    # and so does the heading htmx focuses after a swap
    fill(page, "details")
    htmx_swap(page, wizard_button(page, "Next").click, "source")
    outline = page.locator("#panel-title").evaluate("h => getComputedStyle(h).outlineStyle")
    assert outline != "none"


def test_working_is_shown_while_an_answer_is_awaited(page, live_server):
    held = []

    def hold(route):
        held.append(route)

    def release():
        held.pop().continue_()
        page.unroute_all()

    log_in(page, live_server)
    fill(page, "details")
    page.route(lambda url: True, lambda route: hold(route))
    wizard_button(page, "Next").click()
    expect(page.locator("#wizard-panel .busy")).to_be_visible()
    expect(page.locator("#wizard-panel")).to_have_attribute("aria-busy", "true")
    expect(wizard_button(page, "Next")).to_be_disabled()  # no double click
    release()
    expect_step(page, "source")
    expect(page.locator("#wizard-panel")).not_to_have_attribute("aria-busy", "true")

    walk_from_source(page)
    launch(page)
    expect(page.locator("#server-status .status strong")).to_have_text("Running")
    page.route(re.compile(r"/reboot$"), hold)
    page.locator("#server-actions").get_by_role("button", name="Reboot", exact=True).click()
    expect(page.locator("#server-actions .busy")).to_have_text("Working…")
    expect(page.locator("#server-actions")).to_have_attribute("aria-busy", "true")
    release()
    expect(page.locator("#server-actions .busy")).to_be_hidden()

    page.goto(live_server.url + "/servers/")
    page.route(re.compile(r"/servers/\?name=nothing"), hold)
    page.get_by_label("Name contains").fill("nothing")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".server-filters .busy")).to_be_visible()
    expect(page.locator("#server-table")).to_have_attribute("aria-busy", "true")
    release()
    expect(page.locator("#server-list")).to_contain_text("No server matches this filter.")
    expect(page.locator(".server-filters .busy")).to_be_hidden()


def walk_from_source(page):
    """From Source, every step made valid and passed with Next, up to Review."""
    for here, there in zip(STEPS[1:], STEPS[2:], strict=False):
        fill(page, here)
        htmx_swap(page, wizard_button(page, "Next").click, there)


def test_checkboxes_and_selects_are_drawn_alike_and_whole(page, live_server):
    page.set_viewport_size(SCREENS["wide"])
    log_in(page, live_server)
    walk(page, "config", js=True)
    # a lone checkbox: the box, then its label, on one line (as in checkbox lists)
    for panel_label in ("Use a configuration drive",):
        box = page.get_by_label(panel_label).bounding_box()
        label = page.locator("#wizard-panel label", has_text=panel_label).bounding_box()
        assert box["x"] + box["width"] <= label["x"]
        assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < 8
    # every select shows its longest option whole
    cut = page.evaluate(
        """() => [...document.querySelectorAll('#wizard-panel select')].filter(select => {
              const ctx = document.createElement('canvas').getContext('2d');
              ctx.font = getComputedStyle(select).font;
              const widest = Math.max(...[...select.options].map(o => ctx.measureText(o.text).width));
              return select.clientWidth < widest + 16;
            }).map(select => select.id)"""
    )
    assert cut == []
    assert STEP_NAMES["config"] == page.locator("#panel-title").text_content()


def test_the_theme_toggle_is_remembered_and_set_before_the_page_is_drawn(page, live_server):
    # what the theme was when <body> began: the script in <head> ran before it
    page.add_init_script(
        """new MutationObserver((_, observer) => { if (document.body) {
             window.__themeAtBody = document.documentElement.dataset.theme || 'none';
             observer.disconnect(); } }).observe(document, {childList: true, subtree: true});"""
    )
    page.goto(live_server.url + "/auth/login")
    toggle = page.get_by_role("button", name="Dark theme")
    root = page.locator("html")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert background(page) == BACKGROUNDS["light"]

    toggle.click()
    expect(root).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert background(page) == BACKGROUNDS["dark"]
    log_in(page, live_server)  # another page, and a reload of it
    page.reload()
    expect(root).to_have_attribute("data-theme", "dark")
    assert page.evaluate("window.__themeAtBody") == "dark"
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert background(page) == BACKGROUNDS["dark"]

    toggle.click()
    page.reload()
    expect(root).to_have_attribute("data-theme", "light")
    assert background(page) == BACKGROUNDS["light"]


def test_without_javascript_the_os_scheme_applies_and_there_is_no_toggle(browser, live_server):
    page = open_page(browser, scheme="dark", java_script_enabled=False)
    page.goto(live_server.url + "/auth/login")
    expect(page.get_by_role("button", name="Dark theme")).to_be_hidden()
    assert background(page) == BACKGROUNDS["dark"]
    page.context.close()
