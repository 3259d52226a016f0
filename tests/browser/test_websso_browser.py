"""Single sign-on in a real browser, on the devcloud with WebSSO (``up.sh --websso``):
alice clicks "Sign in with …", types her password on the IdP's form, Keystone's
page posts the token to the portal with its own JavaScript, and she lands in the
launch wizard with her name shown. Chromium sends its own ``Origin`` and
``Sec-Fetch-*`` headers, which the portal's callback checks."""

from __future__ import annotations

import re

import pytest

from tests.helpers.browser import WIZARD
from tests.helpers.browser import expect
from tests.helpers.websso_dance import IDP_USERS
from tests.helpers.websso_dance import FixedPortServer
from tests.helpers.websso_dance import devcloud_keystone
from tests.helpers.websso_dance import keystone_origin
from tests.helpers.websso_dance import require_websso
from tests.helpers.websso_dance import websso_app

pytestmark = [pytest.mark.browser, pytest.mark.devcloud]

#: a real cloud's first wizard waits for its lists; Keystone issues a token
TIMEOUT_MS = 30_000


@pytest.fixture
def keystone():
    """The devcloud's Keystone v3 URL, once it is known to run with WebSSO."""
    auth_url = devcloud_keystone()
    require_websso(auth_url)
    return auth_url


@pytest.fixture
def sso(keystone, tmp_path):
    """The portal with WebSSO on the devcloud, on the port Keystone trusts."""
    with FixedPortServer(websso_app(keystone, tmp_path)) as server:
        yield server


def test_alice_signs_in_through_the_idp_in_chromium(page, sso, keystone, screenshot):
    page.set_default_timeout(TIMEOUT_MS)
    idp = keystone_origin(keystone)
    callbacks = []
    page.on(
        "request",
        lambda request: (
            callbacks.append(request) if request.url == sso.url + "/auth/websso/" else None
        ),
    )

    page.goto(sso.url + "/launch/")
    page.wait_for_url(re.compile(r"/auth/login\b"))
    choice = page.locator("a.websso-choice").first
    expect(choice).to_have_text(re.compile(r"^\s*Sign in with "))
    choice.click()

    page.wait_for_url(re.compile(re.escape(idp) + r"/devidp/login\?"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(IDP_USERS["alice"])
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(WIZARD, timeout=TIMEOUT_MS)
    assert page.url.startswith(sso.url + "/launch/"), page.url
    expect(page.locator("header .who")).to_have_text("alice")
    expect(page.locator("#project-select option:checked")).to_have_text("demo")
    # Keystone's own page posted the token, as a navigation of the whole page
    assert len(callbacks) == 1, [r.url for r in callbacks]
    posted = callbacks[0]
    assert posted.method == "POST"
    assert posted.header_value("origin") in (idp, "null")
    assert posted.header_value("sec-fetch-mode") == "navigate"
    assert posted.header_value("sec-fetch-dest") == "document"
    # the token never reaches the address bar
    assert "token" not in page.url
    # the wizard's lists come in: a working login of the project, not only a header
    expect(page.get_by_label("Instance name")).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(page, "websso-wizard")
