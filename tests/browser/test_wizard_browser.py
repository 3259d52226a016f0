"""The launch wizard in a real browser: with JavaScript (panels swapped by HTMX),
without it (whole pages), in two tabs at once, under double clicks, the Back
button and the keyboard, and a key pair generated in the Access step.

The wizard has seven steps: Details, Source, Flavor, Networking, Access &
Security, Configuration and Review. Choosing a boot source or a flavor posts the
form over HTMX with ``nav=preview`` (same step, new figures); without JavaScript
the flavor table's "Update figures" button does the same with a whole page.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers.browser import IMAGE_IDS
from tests.helpers.browser import SERVER
from tests.helpers.browser import WIZARD
from tests.helpers.browser import choose
from tests.helpers.browser import expect_chosen
from tests.helpers.browser import expect_new_panel
from tests.helpers.browser import expect_states
from tests.helpers.browser import expect_step
from tests.helpers.browser import flavor
from tests.helpers.browser import flavor_row
from tests.helpers.browser import htmx_swap
from tests.helpers.browser import is_post
from tests.helpers.browser import launch
from tests.helpers.browser import log_in
from tests.helpers.browser import mark_panel
from tests.helpers.browser import page_move
from tests.helpers.browser import posted
from tests.helpers.browser import preview
from tests.helpers.browser import quota
from tests.helpers.browser import source
from tests.helpers.browser import states_at
from tests.helpers.browser import status
from tests.helpers.browser import step_button
from tests.helpers.browser import walk
from tests.helpers.browser import wizard_button

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

pytestmark = pytest.mark.browser

# -- a. the whole journey with JavaScript -----------------------------------------


def test_wizard_with_javascript_swaps_panels_and_follows_the_build(page, live_server, screenshot):
    log_in(page, live_server)
    expect(page.locator("#panel-title")).to_be_focused()
    expect_states(page, *states_at("details"))
    # Launch is on every step; primary only on the last.
    expect(wizard_button(page, "Launch")).to_have_class("secondary")
    screenshot(page, "01-details")

    # A mistake: no name. It comes back with the error, and what was entered kept.
    page.get_by_label("Description").fill("from the browser test")
    page.get_by_label("Availability zone").select_option("nova")
    response = htmx_swap(page, wizard_button(page, "Next").click, "details")
    assert posted(response.request)["nav"] == "next"
    # errors: the same step, at the URL of the wizard this first post made
    assert re.search(r"/launch/[^/]+/details$", response.header_value("hx-push-url"))
    expect(page.locator("#name-errors")).to_have_text("This field is required.")
    expect(page.get_by_label("Instance name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Instance name")).to_have_attribute("aria-describedby", "name-errors")
    expect(page.get_by_label("Description")).to_have_value("from the browser test")
    expect(page.get_by_label("Availability zone")).to_have_value("nova")
    # fields without errors are not marked (no aria-invalid, no dangling describedby)
    assert page.get_by_label("Description").get_attribute("aria-invalid") is None
    assert page.get_by_label("Description").get_attribute("aria-describedby") is None
    # the step shown has the errors: current, and marked "!" too
    expect_states(page, "current error", *states_at("details")[1:])
    screenshot(page, "02-details-errors")

    # Fixed, and on with Next: a new panel and its URL in the history.
    page.get_by_label("Instance name").fill("web-js")
    response = htmx_swap(page, wizard_button(page, "Next").click, "source")
    assert response.header_value("hx-push-url").endswith("/source")
    expect(page.locator(".errors")).to_have_count(0)
    expect_states(page, *states_at("source"))
    preview(page, source(page, "cirros").check)
    expect(source(page, "cirros")).to_be_checked()
    screenshot(page, "03-source")
    htmx_swap(page, wizard_button(page, "Next").click, "flavor")
    expect_states(page, *states_at("flavor"))
    expect(quota(page, "vCPUs")).to_contain_text("0 used + 0 this launch")
    preview(page, flavor(page, "m1.tiny").click)
    expect(flavor(page, "m1.tiny")).to_be_checked()
    expect(quota(page, "vCPUs")).to_contain_text("0 used + 1 this launch")

    # Another mistake: Back to a bigger image, which m1.tiny is too small for.
    htmx_swap(page, wizard_button(page, "Back").click, "source")
    expect(source(page, "cirros")).to_be_checked()  # Back shows what was entered
    preview(page, source(page, "ubuntu-24.04-server").check)
    htmx_swap(page, wizard_button(page, "Next").click, "flavor")
    expect(flavor(page, "m1.tiny")).to_be_disabled()
    expect(flavor_row(page, "m1.tiny")).to_have_class(re.compile(r"\bunusable\b"))
    expect(flavor_row(page, "m1.tiny").locator("td").last).to_have_text(
        "No: the source needs 1 GB of RAM; it has 512 MB"
    )
    expect(flavor_row(page, "m1.small").locator("td").last).to_have_text("Yes")
    # m1.tiny cannot be sent any more: Next says a flavor is needed.
    response = htmx_swap(page, wizard_button(page, "Next").click, "flavor")
    assert response.header_value("hx-push-url") is None
    expect(page.locator("#flavor-errors")).to_have_text("Choose a flavor.")
    expect(page.locator("fieldset.flavors")).to_have_attribute("aria-describedby", "flavor-errors")
    expect(page.locator("#wizard-steps li").nth(2)).to_have_class("current error")
    screenshot(page, "04-flavor-errors")

    # The quota bars follow the flavor chosen, over HTMX, without leaving the step.
    preview(page, flavor(page, "m1.medium").click)
    expect(flavor(page, "m1.medium")).to_be_checked()
    expect(flavor(page, "m1.medium")).to_be_focused()  # the focus stays on the radio
    expect(quota(page, "vCPUs")).to_contain_text("0 used + 2 this launch, 18 of 20 left")
    expect(quota(page, "RAM")).to_contain_text("0 used + 4,096 this launch")
    preview(page, flavor(page, "m1.small").click)
    expect(flavor(page, "m1.small")).to_be_checked()
    expect(flavor_row(page, "m1.small")).to_have_class(re.compile(r"\bchosen\b"))
    expect(quota(page, "vCPUs")).to_contain_text("0 used + 1 this launch, 19 of 20 left")
    expect(quota(page, "RAM")).to_contain_text("0 used + 2,048 this launch")
    screenshot(page, "05-flavor")

    response = htmx_swap(page, wizard_button(page, "Next").click, "network")
    assert response.header_value("hx-push-url").endswith("/network")
    expect(page.locator(".errors")).to_have_count(0)
    expect_states(page, *states_at("network"))
    choose(page, "#nic_1", "private")
    screenshot(page, "06-network")

    htmx_swap(page, wizard_button(page, "Next").click, "access")
    expect_states(page, *states_at("access"))
    expect(page.get_by_label("Key pair", exact=True)).to_have_value("demo-key")  # the only one
    expect(page.get_by_label("default", exact=True)).to_be_checked()
    page.get_by_label("web", exact=True).check()
    screenshot(page, "07-access")

    htmx_swap(page, wizard_button(page, "Next").click, "config")
    expect_states(page, *states_at("config"))
    page.get_by_label("Customisation script").fill("#!/bin/sh\necho hello\n")
    screenshot(page, "08-config")

    htmx_swap(page, wizard_button(page, "Next").click, "review")
    expect_states(page, *states_at("review"))
    expect(wizard_button(page, "Next")).to_have_count(0)
    expect(wizard_button(page, "Launch")).to_have_class("primary")
    review = page.locator("dl.review")
    expect(review).to_contain_text("web-js")
    expect(review).to_contain_text("ubuntu-24.04-server (image)")
    expect(review).to_contain_text("m1.small: 1 vCPU, 2 GB RAM, 20 GB disk")
    expect(review).to_contain_text("demo-key")
    expect(review).to_contain_text("default, web")
    expect(review).to_contain_text(re.compile(r"script of \d+ bytes"))
    screenshot(page, "09-review")

    # Back shows what was entered on the step before.
    htmx_swap(page, wizard_button(page, "Back").click, "config")
    expect(page.get_by_label("Customisation script")).to_have_value("#!/bin/sh\necho hello\n")
    expect(page.locator("#wizard-steps li").nth(5)).to_have_class("current")
    # The step list (buttons outside the form) jumps back and forth, saving input.
    htmx_swap(page, step_button(page, "details").click, "details")
    expect(page.get_by_label("Instance name")).to_have_value("web-js")
    expect(page.get_by_label("Description")).to_have_value("from the browser test")
    htmx_swap(page, step_button(page, "flavor").click, "flavor")
    expect(flavor(page, "m1.small")).to_be_checked()
    expect(flavor(page, "m1.tiny")).to_be_disabled()
    htmx_swap(page, step_button(page, "access").click, "access")
    expect(page.get_by_label("web", exact=True)).to_be_checked()
    htmx_swap(page, step_button(page, "review").click, "review")
    # Review's "Change ..." buttons lead to their step, and the list back to Review.
    htmx_swap(page, page.get_by_role("button", name="Change networks").click, "network")
    expect_chosen(page, "#nic_1", "private")
    htmx_swap(page, step_button(page, "review").click, "review")
    expect_states(page, *states_at("review"))

    # Launch: htmx is told to load the server page (HX-Redirect), a whole page.
    launch(page)
    expect(page.locator("h1")).to_have_text("web-js")
    expect(page.locator("#messages")).to_contain_text('Requested 1 server(s) named "web-js"')
    expect(status(page)).to_contain_text("Building")
    screenshot(page, "10-server-build")

    # The status is polled over HTMX until ACTIVE, without reloading the page...
    polls = []
    page.on("request", lambda r: polls.append(r.url) if r.headers.get("hx-request") else None)
    page.evaluate("window.__marker = 'server'")
    expect(status(page)).to_contain_text("Running")
    expect(status(page)).not_to_contain_text("Building")
    assert page.evaluate("window.__marker") == "server", "the server page was reloaded"
    assert polls and all(url.startswith(page.url + "/status?") for url in polls)
    # ...and the polling stops: the final fragment has no hx-trigger.
    expect(page.locator("#server-status[hx-trigger]")).to_have_count(0)
    seen = len(polls)
    page.wait_for_timeout(2500)  # more than one polling period (2 s)
    assert len(polls) == seen, "still polling after ACTIVE"
    screenshot(page, "11-server-active")

    [server] = live_server.servers()
    assert server["name"] == "web-js"
    assert server["description"] == "from the browser test"
    assert server["availability_zone"] == "nova"
    assert server["image_id"] == IMAGE_IDS["ubuntu-24.04-server"]
    assert server["flavor_id"] == "3"  # m1.small
    assert server["networks"].startswith('["private: ')
    assert server["key_name"] == "demo-key"
    assert server["security_groups"] == ["default", "web"]
    # the script's lines (their ends: see test_typed_script_reaches_the_cloud_with_unix_newlines)
    assert server["user_data"] == "#!/bin/sh\necho hello\n"
    assert server["status"] == "ACTIVE"


def test_browser_back_inside_the_wizard_shows_what_was_entered(page, live_server):
    """htmx keeps no snapshot of wizard pages (hx-history=false): Back reloads the
    step from the saved wizard, so it shows the values typed, not the first render."""
    log_in(page, live_server)
    walk(page, "access", js=True, name="typed-name", size="m1.small", network="shared-net")
    page.get_by_label("ssh", exact=True).check()
    htmx_swap(page, wizard_button(page, "Next").click, "config")

    page.go_back()
    expect_step(page, "access")
    expect(page.get_by_label("ssh", exact=True)).to_be_checked()
    page.go_back()
    expect_step(page, "network")
    expect_chosen(page, "#nic_1", "shared-net")
    page.go_back()
    expect_step(page, "flavor")
    expect(flavor(page, "m1.small")).to_be_checked()
    expect(quota(page, "RAM")).to_contain_text("0 used + 2,048 this launch")
    # and the wizard goes on from there
    htmx_swap(page, wizard_button(page, "Next").click, "network")
    expect_states(page, "done", "done", "done", "current", "done", "todo", "todo")
    htmx_swap(page, step_button(page, "details").click, "details")
    expect(page.get_by_label("Instance name")).to_have_value("typed-name")


# -- b. the same journey without JavaScript ---------------------------------------


def test_wizard_without_javascript_uses_whole_pages_and_reaches_active(nojs_page, live_server):
    page = nojs_page
    log_in(page, live_server)
    expect_states(page, *states_at("details"))

    page.get_by_label("Description").fill("no script here")
    page_move(page, wizard_button(page, "Next").click, "details")
    expect(page.locator("#name-errors")).to_have_text("This field is required.")
    expect(page.get_by_label("Description")).to_have_value("no script here")

    page.get_by_label("Instance name").fill("web-nojs")
    page_move(page, wizard_button(page, "Next").click, "source")
    expect_states(page, *states_at("source"))
    source(page, "ubuntu-24.04-server").check()
    page_move(page, wizard_button(page, "Next").click, "flavor")
    expect(flavor(page, "m1.tiny")).to_be_disabled()
    expect(flavor_row(page, "m1.tiny")).to_contain_text("No: the source needs 1 GB of RAM")
    page_move(page, wizard_button(page, "Next").click, "flavor")
    expect(page.locator("#flavor-errors")).to_have_text("Choose a flavor.")

    # The radios work without JavaScript; "Update figures" redraws the quota bars.
    flavor(page, "m1.medium").check()
    page_move(page, page.get_by_role("button", name="Update figures").click, "flavor")
    expect(flavor(page, "m1.medium")).to_be_checked()
    expect(quota(page, "vCPUs")).to_contain_text("0 used + 2 this launch")
    flavor(page, "m1.small").check()
    page_move(page, wizard_button(page, "Next").click, "network")
    expect_states(page, *states_at("network"))
    choose(page, "#nic_1", "shared-net")
    page_move(page, wizard_button(page, "Next").click, "access")
    page.get_by_label("ssh", exact=True).check()
    page_move(page, wizard_button(page, "Next").click, "config")
    page.get_by_label("Customisation script").fill("#cloud-config\n")
    page_move(page, wizard_button(page, "Next").click, "review")
    expect_states(page, *states_at("review"))
    expect(page.locator("dl.review")).to_contain_text("m1.small")
    expect(page.locator("#quota")).to_contain_text("0 used + 2,048 this launch")

    page_move(page, wizard_button(page, "Back").click, "config")
    expect(page.get_by_label("Customisation script")).to_have_value("#cloud-config\n")
    page_move(page, step_button(page, "network").click, "network")
    expect_chosen(page, "#nic_1", "shared-net")
    page_move(page, step_button(page, "details").click, "details")
    expect(page.get_by_label("Instance name")).to_have_value("web-nojs")
    page_move(page, step_button(page, "flavor").click, "flavor")
    expect(flavor(page, "m1.small")).to_be_checked()
    page_move(page, step_button(page, "access").click, "access")
    expect(page.get_by_label("ssh", exact=True)).to_be_checked()
    page_move(page, step_button(page, "review").click, "review")

    loads = []
    page.on("load", lambda p: loads.append(p.url))
    launch(page)
    expect(page.locator("h1")).to_have_text("web-nojs")
    expect(status(page)).to_contain_text("Building")
    # <noscript><meta http-equiv="refresh"> reloads the page until the build is over
    expect(status(page)).to_contain_text("Running")
    assert len([url for url in loads if SERVER.search(url)]) >= 2

    [server] = live_server.servers()
    assert server["name"] == "web-nojs"
    assert server["description"] == "no script here"
    assert server["image_id"] == IMAGE_IDS["ubuntu-24.04-server"]
    assert server["flavor_id"] == "3"  # m1.small
    assert server["networks"].startswith('["shared-net: ')
    assert server["security_groups"] == ["default", "ssh"]
    assert server["user_data"] == "#cloud-config\n"
    assert server["status"] == "ACTIVE"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_typed_script_reaches_the_cloud_with_unix_newlines(request, live_server, javascript):
    page = request.getfixturevalue("page" if javascript else "nojs_page")
    log_in(page, live_server)
    walk(page, "config", js=javascript, name="script")
    page.get_by_label("Customisation script").fill("#!/bin/sh\necho hello\n")
    launch(page)  # Launch is on every step, not only on Review
    [server] = live_server.servers()
    assert server["user_data"] == "#!/bin/sh\necho hello\n"


# -- c. two tabs, two wizards -------------------------------------------------------


def test_two_tabs_launch_two_servers_with_their_own_names(context, live_server):
    first = context.new_page()
    log_in(first, live_server)
    second = context.new_page()
    second.goto(live_server.url + "/launch/")
    second.wait_for_url(WIZARD)

    def on(tab):
        """Switch to ``tab``, as its user would (background tabs are throttled)."""
        tab.bring_to_front()
        return tab

    def next_(tab, slug):
        htmx_swap(on(tab), wizard_button(tab, "Next").click, slug)

    # Interleaved, so that each step of one tab is saved between two of the other.
    on(first).get_by_label("Instance name").fill("tab-one")
    on(second).get_by_label("Instance name").fill("tab-two")
    next_(first, "source")
    next_(second, "source")
    assert first.url != second.url  # every tab got its own wizard at its first post
    preview(on(first), source(first, "cirros").check)
    preview(on(second), source(second, "debian").check)
    next_(first, "flavor")
    next_(second, "flavor")
    preview(on(first), flavor(first, "m1.tiny").click)
    preview(on(second), flavor(second, "m1.small").click)
    next_(second, "network")
    next_(first, "network")
    choose(on(first), "#nic_1", "private")
    choose(on(second), "#nic_1", "shared-net")
    next_(first, "access")
    next_(second, "access")
    on(second).get_by_label("web", exact=True).check()
    next_(second, "config")
    next_(first, "config")
    next_(first, "review")
    next_(second, "review")
    # each tab still shows its own wizard's values
    htmx_swap(on(first), step_button(first, "details").click, "details")
    expect(first.get_by_label("Instance name")).to_have_value("tab-one")
    htmx_swap(first, step_button(first, "flavor").click, "flavor")
    expect(flavor(first, "m1.tiny")).to_be_checked()
    htmx_swap(first, step_button(first, "review").click, "review")
    expect(on(second).locator("dl.review")).to_contain_text("debian-12-generic")
    expect(first.locator("dl.review")).to_contain_text("cirros-0.6.3")

    launch(on(second))
    launch(on(first))
    expect(first.locator("h1")).to_have_text("tab-one")
    expect(second.locator("h1")).to_have_text("tab-two")
    assert first.url != second.url

    servers = {s["name"]: s for s in live_server.servers()}
    assert sorted(servers) == ["tab-one", "tab-two"]
    assert servers["tab-one"]["image_id"] == IMAGE_IDS["cirros-0.6.3"]
    assert servers["tab-one"]["flavor_id"] == "2"  # m1.tiny
    assert servers["tab-one"]["security_groups"] == ["default"]
    assert servers["tab-one"]["networks"].startswith('["private: ')
    assert servers["tab-two"]["image_id"] == IMAGE_IDS["debian-12-generic"]
    assert servers["tab-two"]["flavor_id"] == "3"  # m1.small
    assert servers["tab-two"]["security_groups"] == ["default", "web"]
    assert servers["tab-two"]["networks"].startswith('["shared-net: ')


# -- d. double submits --------------------------------------------------------------


def test_double_click_on_launch_creates_one_server(page, live_server):
    log_in(page, live_server)
    walk(page, "review", js=True, name="dbl-click")
    launches = []
    page.on("request", lambda r: launches.append(r) if r.method == "POST" else None)
    launch(page, wizard_button(page, "Launch").dblclick)
    expect(page.locator("h1")).to_have_text("dbl-click")
    # hx-disabled-elt disabled the buttons after the first click
    assert len(launches) == 1
    assert posted(launches[0])["nav"] == "launch"
    assert [s["name"] for s in live_server.servers()] == ["dbl-click"]
    page.goto(live_server.url + "/servers/")
    expect(page.locator("#server-table tbody tr")).to_have_count(1)


def test_double_submit_without_javascript_creates_one_server(nojs_context, live_server):
    page = nojs_context.new_page()
    log_in(page, live_server)
    walk(page, "review", js=False, name="dbl-nojs")
    # The same form in a second tab, to post it again after the first launch.
    stale = nojs_context.new_page()
    stale.goto(page.url)
    expect_step(stale, "review")

    launch(page, wizard_button(page, "Launch").dblclick)
    expect(page.locator("h1")).to_have_text("dbl-nojs")
    launch(stale)  # the submit guard answers with the first launch's server
    assert stale.url == page.url
    assert [s["name"] for s in live_server.servers()] == ["dbl-nojs"]


# -- e. Back after launch -----------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_back_after_launch_does_not_launch_again(request, live_server, javascript):
    page = request.getfixturevalue("page" if javascript else "nojs_page")
    log_in(page, live_server)
    walk(page, "review", js=javascript, name="no-relaunch")
    launch(page)
    server_url = page.url

    page.go_back()
    # The wizard's steps lead to what it launched, saying so. (This needs the
    # pages to be sent with Cache-Control: no-store: otherwise Chromium takes the
    # server page of the redirect from its cache on a history navigation, showing
    # the old "Requested..." message and leaving the new one for a later page.)
    assert page.url == server_url
    expect(page.locator("h1")).to_have_text("no-relaunch")
    # read at once: the page as it came, before any refresh (no JS) could fix it
    assert "already been submitted" in page.locator("#messages").inner_text()
    assert len(live_server.servers()) == 1
    page.goto(live_server.url + "/servers/")
    expect(page.locator("#messages")).to_be_empty()


# -- f. the keyboard ------------------------------------------------------------------


def tab_to(page, selector, limit=40):
    """Press Tab until ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def press(page, key, nav="next"):
    """Press ``key``, check the POST it sends (the button it stands for) and wait
    for the panel that answers it."""
    return keys(page, lambda: page.keyboard.press(key), nav)


def keys(page, typing, nav):
    mark_panel(page)
    with page.expect_response(is_post) as info:
        typing()
    assert posted(info.value.request)["nav"] == nav
    expect_new_panel(page)
    return info.value


def focused_text(page):
    return page.evaluate("document.activeElement.textContent")


def test_keyboard_focus_moves_to_the_new_panel_heading(page, live_server):
    page.goto(live_server.url + "/launch/")
    expect(page.get_by_label("User name")).to_be_focused()  # autofocus
    page.keyboard.type("demo")
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    page.wait_for_url(WIZARD)
    heading = page.locator("#panel-title")
    expect(heading).to_be_focused()
    page.evaluate("window.__marker = 1")

    # Enter in the (empty) name field means Next: validated, errors shown, the
    # focus on the field to correct.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Instance name")).to_be_focused()
    press(page, "Enter")
    expect(page.locator("#name-errors")).to_have_text("This field is required.")
    expect(page.get_by_label("Instance name")).to_be_focused()
    page.keyboard.type("kbd-1")
    press(page, "Enter")
    expect_step(page, "source")
    expect(heading).to_be_focused()
    # the focused heading is the new panel's, so a screen reader reads the new step
    assert focused_text(page) == "Source"

    # Choose the source with the keyboard: the panel is redrawn (preview), the
    # focus stays on the row's radio.
    tab_to(page, "input[name=source_id]")
    press(page, "Space", nav="preview")
    expect(source(page, "cirros")).to_be_checked()
    expect(source(page, "cirros")).to_be_focused()
    tab_to(page, '#wizard-form button[value="next"]')
    press(page, "Space")
    expect_step(page, "flavor")
    expect(heading).to_be_focused()
    assert focused_text(page) == "Flavor"

    # Flavors with the arrow keys: each one redraws the quota bars, the focus stays
    # on the radio, so the next arrow goes on from there.
    tab_to(page, "input[name=flavor]")
    press(page, "ArrowDown", nav="preview")
    expect(flavor(page, "m1.tiny")).to_be_checked()
    expect(flavor(page, "m1.tiny")).to_be_focused()
    expect(quota(page, "RAM")).to_contain_text("0 used + 512 this launch")
    press(page, "ArrowDown", nav="preview")
    expect(flavor(page, "m1.small")).to_be_checked()
    expect(flavor(page, "m1.small")).to_be_focused()
    expect(quota(page, "RAM")).to_contain_text("0 used + 2,048 this launch")
    press(page, "ArrowUp", nav="preview")
    expect(flavor(page, "m1.tiny")).to_be_checked()
    expect(flavor(page, "m1.tiny")).to_be_focused()
    tab_to(page, '#wizard-form button[value="next"]')
    press(page, "Enter")
    expect_step(page, "network")
    expect(heading).to_be_focused()
    assert focused_text(page) == "Networking"

    # Enter in a text field of a later step means Next too.
    tab_to(page, "#nic_1")
    page.keyboard.type("private")
    expect_chosen(page, "#nic_1", "private")
    tab_to(page, "#ip_1")
    press(page, "Enter")
    expect_step(page, "access")
    expect(heading).to_be_focused()
    assert focused_text(page) == "Access & Security"

    tab_to(page, '#wizard-form button[value="back"]')
    press(page, "Enter", nav="back")
    expect_step(page, "network")
    expect(heading).to_be_focused()
    expect_chosen(page, "#nic_1", "private")
    assert page.evaluate("window.__marker") == 1  # all of it HTMX swaps


# -- g. a key pair generated in the wizard --------------------------------------------


def test_generated_private_key_is_shown_once(page, live_server):
    log_in(page, live_server)
    walk(page, "access", js=True, name="gen-key")
    page.get_by_text("Import or generate a key pair").click()  # opens the <details>
    page.get_by_label("Name of the key pair to import").fill("browser-key")
    response = htmx_swap(
        page, page.get_by_role("button", name="Generate a new key pair now").click, "access"
    )
    assert posted(response.request)["nav"] == "generate_key"
    assert response.header_value("hx-push-url") is None
    assert "no-store" in response.header_value("cache-control")

    key_box = page.locator(".private-key textarea")
    expect(key_box).to_have_attribute("aria-label", "Private key of browser-key")
    expect(key_box).to_have_value(re.compile(r"^-----BEGIN OPENSSH PRIVATE KEY-----"))
    expect(page.get_by_role("link", name="Download browser-key.pem")).to_be_visible()
    # the new key pair is the one chosen
    expect(page.get_by_label("Key pair", exact=True)).to_have_value("browser-key")
    expect_chosen(page, "#keypair", "browser-key")

    # Moving away and back: the key pair stays chosen, its private key is gone.
    htmx_swap(page, wizard_button(page, "Next").click, "config")
    htmx_swap(page, wizard_button(page, "Back").click, "access")
    expect(page.get_by_label("Key pair", exact=True)).to_have_value("browser-key")
    expect(page.locator(".private-key")).to_have_count(0)
    assert "PRIVATE KEY" not in page.content()
    # nor does the browser's Back bring it back (no copy in htmx's history cache)
    htmx_swap(page, step_button(page, "review").click, "review")
    expect(page.locator("dl.review")).to_contain_text("browser-key")
    page.go_back()
    expect_step(page, "access")
    expect(page.get_by_label("Key pair", exact=True)).to_have_value("browser-key")
    assert "PRIVATE KEY" not in page.content()
    assert "PRIVATE" not in page.evaluate("localStorage.getItem('htmx-history-cache') || ''")

    htmx_swap(page, step_button(page, "review").click, "review")
    launch(page)
    expect(page.locator("h1")).to_have_text("gen-key")
    [server] = live_server.servers()
    assert server["key_name"] == "browser-key"
