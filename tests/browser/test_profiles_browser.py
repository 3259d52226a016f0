"""Launch profiles and "Launch and stay" in Chromium, with JavaScript (htmx) and
without: save a profile on Review (Enter in its name saves it), launch from it on
the launch page, then "Launch and stay", which launches once and opens the next
wizard, filled in the same way, at once. The profiles page renames and deletes;
axe finds nothing on the pages."""

from __future__ import annotations

import re

import pytest

from tests.helpers.axe import report
from tests.helpers.axe import violations
from tests.helpers.browser import SERVER
from tests.helpers.browser import expect_step
from tests.helpers.browser import htmx_swap
from tests.helpers.browser import log_in
from tests.helpers.browser import page_move
from tests.helpers.browser import walk
from tests.helpers.browser import wizard_button

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

pytestmark = pytest.mark.browser

MESSAGES = "#messages .message"


def save_profile(page, name, *, js):
    """Type a profile name on Review and press Enter in it: the profile is saved,
    and Review shown again (a swap with htmx, a whole page without)."""
    page.get_by_label("Profile name").fill(name)
    page.get_by_label("Description (optional)").fill("from the browser test")
    if js:
        htmx_swap(page, lambda: page.get_by_label("Profile name").press("Enter"), "review")
    else:
        page_move(page, lambda: page.get_by_label("Profile name").press("Enter"), "review")
    expect(page.locator(MESSAGES)).to_contain_text(f'Saved as the profile "{name}".')


def launch_from(page, live_server, name):
    """On a new launch's page, choose profile ``name`` and open it: its Review."""
    page.goto(live_server.url + "/launch/")
    page.get_by_label("Launch from profile").select_option(label=name)
    with page.expect_navigation():
        page.locator("form.profile-start").get_by_role("button", name="Open").click()
    expect_step(page, "review")
    expect(page.locator(MESSAGES)).to_contain_text(
        f'The profile "{name}", checked against the cloud as it is now.'
    )


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-js"])
def test_save_a_profile_launch_from_it_then_launch_and_stay(browser, live_server, js):
    context = browser.new_context(java_script_enabled=js, viewport={"width": 900, "height": 720})
    page = context.new_page()
    log_in(page, live_server)
    walk(page, "review", js=js, name="from-profile")
    first_wizard = page.url

    save_profile(page, "Browser web", js=js)
    assert page.url == first_wizard
    if js:
        assert violations(page) == [], report(violations(page))

    launch_from(page, live_server, "Browser web")
    assert page.url != first_wizard  # a new wizard, filled from the profile
    profile_wizard = page.url
    expect(page.locator("dl.review")).to_contain_text("from-profile")
    expect(page.locator("dl.review")).to_contain_text("cirros")

    # Launch and stay: the server is requested, and the next wizard is there at once.
    with page.expect_navigation():
        wizard_button(page, "Launch and stay").click()
    expect_step(page, "review")
    assert page.url not in (first_wizard, profile_wizard)
    messages = page.locator(MESSAGES)
    expect(messages.first).to_contain_text('Requested the server "from-profile".')
    expect(messages.nth(1)).to_contain_text("Here is a new launch like it")
    expect(page.locator("dl.review")).to_contain_text("from-profile-2")

    # its link goes to the server launched: one server, building
    messages.first.get_by_role("link", name="Follow its build").click()
    page.wait_for_url(SERVER)
    expect(page.locator("h1")).to_have_text("from-profile")
    page.goto(live_server.url + "/servers/")
    expect(page.locator("#server-list")).to_contain_text("from-profile")
    assert page.locator("#server-list tbody tr").count() == 1
    context.close()


def test_the_profiles_page_renames_and_deletes_without_javascript(nojs_page, live_server):
    page = nojs_page
    log_in(page, live_server)
    walk(page, "review", js=False, name="keep")
    save_profile(page, "Old name", js=False)

    page.get_by_role("link", name="Manage profiles").first.click()
    expect(page.locator("h1")).to_have_text("Launch profiles")
    page.get_by_text("Rename", exact=True).click()  # the <details> opens
    item = page.locator("li.profile")
    item.get_by_label("Profile name").fill("New name")
    with page.expect_navigation():
        item.get_by_role("button", name="Save").click()
    expect(page.locator(MESSAGES)).to_contain_text('The profile "New name" is saved.')
    expect(page.locator("li.profile h3")).to_have_text("New name")

    with page.expect_navigation():
        page.locator("li.profile").get_by_role("button", name="Delete").click()
    expect(page.locator(".confirm")).to_contain_text('Delete the profile "New name"?')
    with page.expect_navigation():
        page.locator(".confirm").get_by_role("button", name="Delete").click()
    expect(page.locator(MESSAGES)).to_contain_text('The profile "New name" is deleted.')
    expect(page.locator("li.profile")).to_have_count(0)
    page.goto(live_server.url + "/launch/")
    expect(page.locator("form.profile-start")).to_have_count(0)


def test_the_profiles_pages_pass_axe(page, live_server):
    log_in(page, live_server)
    walk(page, "review", js=True, name="axe")
    save_profile(page, "Axe", js=True)
    for url in ("/launch/", "/launch/profiles/"):
        page.goto(live_server.url + url)
        found = violations(page)
        assert found == [], f"{url}:\n{report(found)}"
    # the confirmation page (a plain POST, as without JavaScript)
    with page.expect_navigation():
        page.locator("li.profile").get_by_role("button", name="Delete").click()
    expect(page.locator(".confirm")).to_be_visible()
    assert re.search(r"/launch/profiles/\w+/delete$", page.url)
    found = violations(page)
    assert found == [], f"confirm page:\n{report(found)}"
