"""The launch wizard in a real browser: with JavaScript (panels swapped by HTMX),
without it (whole pages), in two tabs at once, under double clicks, the Back
button and the keyboard."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

pytestmark = pytest.mark.browser

WIZARD = re.compile(r"/launch/[^/]+/details$")
SERVER = re.compile(r"/servers/[0-9a-f-]{36}$")
STEP_NAMES = {
    "details": "Details",
    "access": "Access & Security",
    "network": "Networking",
    "post": "Post-creation",
}


# -- helpers --------------------------------------------------------------------


def log_in(page, live, username="demo", password="demo"):
    """Log in through the form; the portal then opens a new wizard on Details."""
    page.goto(live.url + "/launch/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(WIZARD)


def wizard_button(page, name):
    """A button of the step form (Next, Back, Launch...), not of the step list."""
    return page.locator("#wizard-form").get_by_role("button", name=name, exact=True)


def step_button(page, slug):
    """An entry of the step list (a submit button of the step form, outside it)."""
    return page.locator(f'#wizard-steps button[value="step:{slug}"]')


def choose(page, select, text):
    """Select the option of ``select`` whose label contains ``text``."""
    value = page.locator(f"{select} option", has_text=text).first.get_attribute("value")
    page.locator(select).select_option(value)


def expect_chosen(page, select, text):
    expect(page.locator(f"{select} option:checked")).to_contain_text(text)


def expect_step(page, slug):
    """The page shows step ``slug``: its URL and its panel."""
    page.wait_for_url(re.compile(f"/launch/[^/]+/{slug}$"))
    expect(page.locator("#panel-title")).to_have_text(STEP_NAMES[slug])


def expect_states(page, *states):
    """The step list's states, in order (current, done, todo, error)."""
    expect(page.locator("#wizard-steps li")).to_have_class(list(states))


def htmx_swap(page, action, slug):
    """Do ``action`` (a click) and check that it was answered by an HTMX swap: an
    XHR with HX-Request answered 200 (a panel, not a redirect), the page itself
    not reloaded (the marker set on ``window`` survives), then step ``slug``."""
    page.evaluate("window.__marker = window.__marker || 1")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        action()
    response = info.value
    assert response.request.header_value("hx-request") == "true"
    assert response.status == 200
    expect_step(page, slug)
    # the new panel is in place once focus moved to its heading
    expect(page.locator("#panel-title")).to_be_focused()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    return response


def page_move(page, action, slug):
    """Do ``action`` without JavaScript: a whole-page POST (then 303 and GET when it
    moves to another step), and see step ``slug``."""
    with page.expect_navigation():
        action()
    expect_step(page, slug)


def walk_to_post(page, move, name="web-1", image="cirros", flavor="m1.tiny"):
    """From Details, fill every step with valid values up to Post-creation."""
    page.get_by_label("Instance name").fill(name)
    choose(page, "#source_id", image)
    choose(page, "#flavor", flavor)
    move(page, wizard_button(page, "Next").click, "access")
    move(page, wizard_button(page, "Next").click, "network")
    choose(page, "#nic_1", "private")
    move(page, wizard_button(page, "Next").click, "post")


def launch(page, click=None):
    """Press Launch (or do ``click``) and wait for the server page."""
    (click or wizard_button(page, "Launch").click)()
    page.wait_for_url(SERVER)


def status(page):
    return page.locator("#server-status .status")


# -- a. the whole journey with JavaScript -----------------------------------------


def test_wizard_with_javascript_swaps_panels_and_follows_the_build(page, live_server, screenshot):
    log_in(page, live_server)
    expect(page.locator("#panel-title")).to_be_focused()
    expect_states(page, "current", "todo", "todo", "todo")
    screenshot(page, "01-details")

    # A mistake: no name, and a flavor too small for the image.
    page.get_by_label("Description").fill("from the browser test")
    choose(page, "#source_id", "ubuntu-24.04-server")
    choose(page, "#flavor", "m1.tiny")
    response = htmx_swap(page, wizard_button(page, "Next").click, "details")
    assert "HX-Push-Url" not in response.headers  # errors: same step, same URL
    expect(page.locator("#name-errors")).to_have_text("This field is required.")
    flavor_field = page.locator(".field.has-errors", has=page.locator("#flavor"))
    expect(flavor_field.locator(".errors")).to_have_text(
        "ubuntu-24.04-server needs a disk of at least 10 GB; m1.tiny has 1 GB."
    )
    expect(page.locator("#flavor")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#flavor")).to_have_attribute("aria-describedby", "flavor-errors")
    # what was entered is kept
    expect(page.get_by_label("Description")).to_have_value("from the browser test")
    expect_chosen(page, "#source_id", "ubuntu-24.04-server")
    expect_chosen(page, "#flavor", "m1.tiny")
    expect_states(page, "current", "todo", "todo", "todo")
    screenshot(page, "02-details-errors")

    # Fixed, and on through every step with Next.
    page.get_by_label("Instance name").fill("web-js")
    choose(page, "#flavor", "m1.small")
    response = htmx_swap(page, wizard_button(page, "Next").click, "access")
    assert response.headers["hx-push-url"].endswith("/access")
    expect(page.locator(".errors")).to_have_count(0)
    expect_states(page, "done", "current", "todo", "todo")
    expect(page.get_by_label("Key pair")).to_have_value("demo-key")  # the only one
    expect(page.get_by_label("default", exact=True)).to_be_checked()
    page.get_by_label("web", exact=True).check()
    screenshot(page, "03-access")

    htmx_swap(page, wizard_button(page, "Next").click, "network")
    expect_states(page, "done", "done", "current", "todo")
    choose(page, "#nic_1", "private")
    screenshot(page, "04-network")

    htmx_swap(page, wizard_button(page, "Next").click, "post")
    expect_states(page, "done", "done", "done", "current")
    page.get_by_label("Customisation script").fill("#!/bin/sh\necho hello\n")
    screenshot(page, "05-post")

    # Back shows what was entered, and keeps what was typed here.
    htmx_swap(page, wizard_button(page, "Back").click, "network")
    expect_chosen(page, "#nic_1", "private")
    expect(page.locator("#wizard-steps li").nth(2)).to_have_class("current")
    # The step list (buttons outside the form) jumps back and forth, saving input.
    htmx_swap(page, step_button(page, "details").click, "details")
    expect(page.get_by_label("Instance name")).to_have_value("web-js")
    expect_chosen(page, "#source_id", "ubuntu-24.04-server")
    expect_chosen(page, "#flavor", "m1.small")
    htmx_swap(page, step_button(page, "access").click, "access")
    expect(page.get_by_label("web", exact=True)).to_be_checked()
    htmx_swap(page, step_button(page, "post").click, "post")
    expect(page.get_by_label("Customisation script")).to_have_value("#!/bin/sh\necho hello\n")

    # Launch: htmx is told to load the server page (HX-Redirect), a whole page.
    launch(page)
    expect(page.locator("h1")).to_have_text("web-js")
    expect(page.locator("#messages")).to_contain_text('Requested 1 server(s) named "web-js"')
    expect(status(page)).to_contain_text("BUILD")
    expect(status(page)).to_contain_text("building")
    screenshot(page, "06-server-build")

    # The status is polled over HTMX until ACTIVE, without reloading the page...
    polls = []
    page.on("request", lambda r: polls.append(r.url) if r.headers.get("hx-request") else None)
    page.evaluate("window.__marker = 'server'")
    expect(status(page)).to_contain_text("ACTIVE")
    expect(status(page)).not_to_contain_text("building")
    assert page.evaluate("window.__marker") == "server", "the server page was reloaded"
    assert polls and all(url == page.url for url in polls)
    # ...and the polling stops: the final fragment has no hx-trigger.
    expect(page.locator("#server-status[hx-trigger]")).to_have_count(0)
    seen = len(polls)
    page.wait_for_timeout(2500)  # more than one polling period (2 s)
    assert len(polls) == seen, "still polling after ACTIVE"
    screenshot(page, "07-server-active")

    [server] = live_server.servers()
    assert server["name"] == "web-js"
    assert server["description"] == "from the browser test"
    assert server["flavor_id"] == "3"  # m1.small
    assert server["key_name"] == "demo-key"
    assert server["security_groups"] == ["default", "web"]
    assert server["user_data"] == "#!/bin/sh\necho hello\n"
    assert server["status"] == "ACTIVE"


def test_browser_back_inside_the_wizard_shows_what_was_entered(page, live_server):
    """htmx keeps no snapshot of wizard pages (hx-history=false): Back reloads the
    step from the saved wizard, so it shows the values typed, not the first render."""
    log_in(page, live_server)
    page.get_by_label("Instance name").fill("typed-name")
    choose(page, "#source_id", "cirros")
    choose(page, "#flavor", "m1.tiny")
    htmx_swap(page, wizard_button(page, "Next").click, "access")
    page.get_by_label("ssh", exact=True).check()
    htmx_swap(page, wizard_button(page, "Next").click, "network")

    page.go_back()
    expect_step(page, "access")
    expect(page.get_by_label("ssh", exact=True)).to_be_checked()
    page.go_back()
    expect_step(page, "details")
    expect(page.get_by_label("Instance name")).to_have_value("typed-name")
    expect_chosen(page, "#flavor", "m1.tiny")
    # and the wizard goes on from there
    htmx_swap(page, wizard_button(page, "Next").click, "access")
    expect_states(page, "done", "current", "todo", "todo")


# -- b. the same journey without JavaScript ---------------------------------------


def test_wizard_without_javascript_uses_whole_pages_and_reaches_active(nojs_page, live_server):
    page = nojs_page
    log_in(page, live_server)
    expect_states(page, "current", "todo", "todo", "todo")

    choose(page, "#source_id", "ubuntu-24.04-server")
    choose(page, "#flavor", "m1.tiny")
    page_move(page, wizard_button(page, "Next").click, "details")
    expect(page.locator("#name-errors")).to_have_text("This field is required.")
    expect(page.locator("#flavor-errors")).to_contain_text("needs a disk of at least 10 GB")
    expect_chosen(page, "#source_id", "ubuntu-24.04-server")

    page.get_by_label("Instance name").fill("web-nojs")
    choose(page, "#flavor", "m1.small")
    page_move(page, wizard_button(page, "Next").click, "access")
    expect_states(page, "done", "current", "todo", "todo")
    page.get_by_label("ssh", exact=True).check()
    page_move(page, wizard_button(page, "Next").click, "network")
    choose(page, "#nic_1", "shared-net")
    page_move(page, wizard_button(page, "Next").click, "post")
    expect_states(page, "done", "done", "done", "current")

    page_move(page, wizard_button(page, "Back").click, "network")
    expect_chosen(page, "#nic_1", "shared-net")
    page_move(page, step_button(page, "details").click, "details")
    expect(page.get_by_label("Instance name")).to_have_value("web-nojs")
    page_move(page, step_button(page, "access").click, "access")
    expect(page.get_by_label("ssh", exact=True)).to_be_checked()
    page_move(page, step_button(page, "post").click, "post")

    loads = []
    page.on("load", lambda p: loads.append(p.url))
    launch(page)
    expect(page.locator("h1")).to_have_text("web-nojs")
    expect(status(page)).to_contain_text("BUILD")
    # <noscript><meta http-equiv="refresh"> reloads the page until the build is over
    expect(status(page)).to_contain_text("ACTIVE")
    assert len([url for url in loads if SERVER.search(url)]) >= 2

    [server] = live_server.servers()
    assert server["name"] == "web-nojs"
    assert server["security_groups"] == ["default", "ssh"]
    assert server["status"] == "ACTIVE"


# -- c. two tabs, two wizards -------------------------------------------------------


def test_two_tabs_launch_two_servers_with_their_own_names(context, live_server):
    first = context.new_page()
    log_in(first, live_server)
    second = context.new_page()
    second.goto(live_server.url + "/launch/")
    second.wait_for_url(WIZARD)
    assert first.url != second.url  # every tab gets its own wizard

    def on(tab):
        """Switch to ``tab``, as its user would (background tabs are throttled)."""
        tab.bring_to_front()
        return tab

    # Interleaved, so that each step of one tab is saved between two of the other.
    on(first).get_by_label("Instance name").fill("tab-one")
    choose(first, "#source_id", "cirros")
    choose(first, "#flavor", "m1.tiny")
    on(second).get_by_label("Instance name").fill("tab-two")
    choose(second, "#source_id", "debian")
    choose(second, "#flavor", "m1.small")
    htmx_swap(on(first), wizard_button(first, "Next").click, "access")
    htmx_swap(on(second), wizard_button(second, "Next").click, "access")
    second.get_by_label("web", exact=True).check()
    htmx_swap(on(first), wizard_button(first, "Next").click, "network")
    choose(first, "#nic_1", "private")
    htmx_swap(on(second), wizard_button(second, "Next").click, "network")
    choose(second, "#nic_1", "shared-net")
    htmx_swap(second, wizard_button(second, "Next").click, "post")
    htmx_swap(on(first), wizard_button(first, "Next").click, "post")
    # each tab still shows its own wizard's values
    htmx_swap(first, step_button(first, "details").click, "details")
    expect(first.get_by_label("Instance name")).to_have_value("tab-one")
    htmx_swap(first, step_button(first, "post").click, "post")

    launch(on(second))
    launch(on(first))
    expect(first.locator("h1")).to_have_text("tab-one")
    expect(second.locator("h1")).to_have_text("tab-two")
    assert first.url != second.url

    servers = {s["name"]: s for s in live_server.servers()}
    assert sorted(servers) == ["tab-one", "tab-two"]
    assert servers["tab-one"]["flavor_id"] == "2"  # m1.tiny
    assert servers["tab-one"]["security_groups"] == ["default"]
    assert servers["tab-one"]["networks"].startswith('["private: ')
    assert servers["tab-two"]["flavor_id"] == "3"  # m1.small
    assert servers["tab-two"]["security_groups"] == ["default", "web"]
    assert servers["tab-two"]["networks"].startswith('["shared-net: ')


# -- d. double submits --------------------------------------------------------------


def test_double_click_on_launch_creates_one_server(page, live_server):
    log_in(page, live_server)
    walk_to_post(page, htmx_swap, name="dbl-click")
    launches = []
    page.on("request", lambda r: launches.append(r) if r.method == "POST" else None)
    launch(page, wizard_button(page, "Launch").dblclick)
    expect(page.locator("h1")).to_have_text("dbl-click")
    # hx-disabled-elt disabled the buttons after the first click
    assert len(launches) == 1
    assert [s["name"] for s in live_server.servers()] == ["dbl-click"]
    page.goto(live_server.url + "/servers/")
    expect(page.locator("#server-table tbody tr")).to_have_count(1)


def test_double_submit_without_javascript_creates_one_server(nojs_context, live_server):
    page = nojs_context.new_page()
    log_in(page, live_server)
    walk_to_post(page, page_move, name="dbl-nojs")
    # The same form in a second tab, to post it again after the first launch.
    stale = nojs_context.new_page()
    stale.goto(page.url)
    expect_step(stale, "post")

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
    walk_to_post(page, htmx_swap if javascript else page_move, name="no-relaunch")
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


def test_keyboard_focus_moves_to_the_new_panel_heading(page, live_server):
    page.goto(live_server.url + "/launch/")
    expect(page.get_by_label("User name")).to_be_focused()  # autofocus
    page.keyboard.type("demo")
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    page.wait_for_url(WIZARD)
    expect(page.locator("#panel-title")).to_be_focused()
    page.evaluate("window.__marker = 1")

    # Enter in the name field means Next: validated, errors shown, focus on top.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Instance name")).to_be_focused()
    page.keyboard.type("kbd-1")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.keyboard.press("Enter")
    assert "nav=next" in info.value.request.post_data
    expect(page.locator("#flavor-errors")).to_have_text("Choose a flavor.")
    expect(page.locator("#panel-title")).to_be_focused()

    # Choose from the lists by typing, then Next with the space bar.
    tab_to(page, "#source_id")
    page.keyboard.type("cirros")
    page.keyboard.press("Tab")
    expect(page.locator("#flavor")).to_be_focused()
    page.keyboard.type("m1.tiny")
    expect_chosen(page, "#source_id", "cirros")
    expect_chosen(page, "#flavor", "m1.tiny")
    tab_to(page, '#wizard-form button[value="next"]')
    page.keyboard.press("Space")
    expect_step(page, "access")
    heading = page.locator("#panel-title")
    expect(heading).to_be_focused()
    # the focused heading is the new panel's, so a screen reader reads the new step
    assert page.evaluate("document.activeElement.textContent") == "Access & Security"

    tab_to(page, '#wizard-form button[value="next"]')
    page.keyboard.press("Enter")
    expect_step(page, "network")
    expect(heading).to_be_focused()
    tab_to(page, '#wizard-form button[value="back"]')
    page.keyboard.press("Enter")
    expect_step(page, "access")
    expect(heading).to_be_focused()
    assert page.evaluate("window.__marker") == 1  # all of it HTMX swaps
