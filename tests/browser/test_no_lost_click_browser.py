"""No click is lost on a slow network: a button pressed while a preview (the
figures following a flavor just chosen) is still on its way is sent at once,
and carries the choice that started the preview.

The network is slowed in Chromium itself (DevTools' network emulation), so the
requests are htmx's real ones, in flight for as long as a slow link keeps them.
"""

from __future__ import annotations

import pytest

from tests.helpers.browser import expect_step
from tests.helpers.browser import flavor
from tests.helpers.browser import is_post
from tests.helpers.browser import log_in
from tests.helpers.browser import posted
from tests.helpers.browser import walk
from tests.helpers.browser import wizard_button

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

pytestmark = pytest.mark.browser

#: long enough that the click lands while the preview is surely in flight
LATENCY_MS = 1500


def slow_network(page, latency_ms):
    """Every request of ``page`` takes ``latency_ms`` more, as on a slow link."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": latency_ms,
            "downloadThroughput": -1,
            "uploadThroughput": -1,
        },
    )


def test_next_pressed_during_a_preview_is_sent_and_keeps_the_choice(page, live_server):
    log_in(page, live_server)
    walk(page, "flavor", js=True, name="slow-link")
    slow_network(page, LATENCY_MS)
    posts = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)

    # Choosing a flavor starts the preview; Next is clicked where it is on
    # screen (a user's click, not one that waits for the button to be enabled).
    flavor(page, "m1.small").check()
    page.wait_for_function("document.querySelector('#wizard-panel.htmx-request') !== null")
    # Measured now, in view: checking the radio may have scrolled the page.
    wizard_button(page, "Next").scroll_into_view_if_needed()
    next_box = wizard_button(page, "Next").bounding_box()
    with page.expect_response(lambda r: is_post(r) and posted(r.request)["nav"] == "next"):
        page.mouse.click(next_box["x"] + next_box["width"] / 2, next_box["y"] + 5)

    expect_step(page, "network")
    navs = [posted(request)["nav"] for request in posts]
    assert navs == ["preview", "next"], navs
    chosen = posted(posts[1])["flavor"]
    assert chosen == posted(posts[0])["flavor"]
    # The step list's Flavor is done, with m1.small kept.
    page.locator('#wizard-steps button[value="step:flavor"]').click()
    expect_step(page, "flavor")
    expect(flavor(page, "m1.small")).to_be_checked()
