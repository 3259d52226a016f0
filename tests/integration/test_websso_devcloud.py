"""Single sign-on through Keystone WebSSO on the devcloud (``up.sh --websso``):
the IdP's users go through the whole redirect dance (portal → Keystone → the
IdP's form → Keystone's auto-submitting form → the portal's callback), driven with
``requests``; alice lands in the wizard of project demo and launches, bob is
refused by Keystone's mapping, tokens Keystone did not hand over and posts from
another origin are refused, and logout revokes the token."""

from __future__ import annotations

import re
import secrets
import time
import uuid
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from tests.helpers.http_wizard import HttpWizard
from tests.helpers.http_wizard import csrf_token
from tests.helpers.http_wizard import project_ids
from tests.helpers.http_wizard import selected_project
from tests.helpers.websso_dance import COOKIE
from tests.helpers.websso_dance import TIMEOUT
from tests.helpers.websso_dance import FixedPortServer
from tests.helpers.websso_dance import browser_post_headers
from tests.helpers.websso_dance import federated_token
from tests.helpers.websso_dance import follow
from tests.helpers.websso_dance import logged_in
from tests.helpers.websso_dance import post_token
from tests.helpers.websso_dance import require_websso
from tests.helpers.websso_dance import sign_in
from tests.helpers.websso_dance import start_trip
from tests.helpers.websso_dance import token_status
from tests.helpers.websso_dance import websso_app

pytestmark = pytest.mark.devcloud


@pytest.fixture(scope="module")
def keystone(os_config) -> str:
    """Keystone's v3 URL, once the devcloud is known to run with WebSSO."""
    require_websso(os_config.auth_url)
    return os_config.auth_url


@pytest.fixture(scope="module")
def admin_token(os_config, keystone) -> str:
    """A token of the cloud admin, who may validate anyone's token."""
    auth = v3.Password(
        auth_url=keystone,
        username=os_config.admin_username,
        password=os_config.admin_password,
        user_domain_name="Default",
        project_name=os_config.admin_project,
        project_domain_name="Default",
    )
    return str(ks_session.Session(auth=auth, timeout=TIMEOUT).get_token())


@pytest.fixture
def sso(keystone, os_config, tmp_path):
    """The portal with WebSSO on, served on the port Keystone trusts; its audit log
    in ``tmp_path/audit.log``."""
    app = websso_app(
        keystone,
        tmp_path,
        CLOUD_REGION=os_config.region_name,
        AUDIT_LOG=str(tmp_path / "audit.log"),
    )
    with FixedPortServer(app) as server:
        yield server


@pytest.fixture
def http():
    """A browser: one cookie jar for the portal, Keystone and the IdP."""
    with requests.Session() as session:
        session.trust_env = False  # no proxy for loopback addresses
        yield session


def _audit(tmp_path: Path) -> str:
    path = tmp_path / "audit.log"
    return path.read_text() if path.exists() else ""


def _assert_refused(response: requests.Response) -> None:
    """A callback that logged nobody in: an error status, not a way into the portal."""
    assert 400 <= response.status_code < 500, (response.status_code, response.headers)
    assert "Location" not in response.headers


def test_alice_signs_in_through_the_idp_and_launches(sso, http, nova, keystone, tmp_path):
    dance = sign_in(http, sso.url, keystone, "alice")

    assert dance.keystone.status_code == 200, dance.keystone.text[:300]
    assert dance.callback is not None and dance.callback.status_code == 303
    landed = dance.landed
    assert landed is not None and landed.status_code == 200, dance.hops
    # in the launch wizard, in project demo, her name in the header
    assert re.search(r"/launch/([^/]+/details)?(\?wait=1)?$", dance.hops[-1]), dance.hops
    assert '<span class="who">alice</span>' in landed.text
    assert selected_project(landed.text) == project_ids(landed.text)["demo"]
    assert http.cookies.get(COOKIE, "").startswith("s-"), "a login kept on the server"
    # the token went from Keystone's form to the callback, and nowhere else
    assert dance.token
    assert all(dance.token not in hop for hop in dance.hops)
    assert all(dance.token not in (cookie.value or "") for cookie in http.cookies)
    assert dance.token not in landed.text
    assert "alice" in _audit(tmp_path), "the login is in the audit log"
    assert dance.token not in _audit(tmp_path)

    wizard = HttpWizard(sso.url, http)
    name = f"skiff-sso-{uuid.uuid4().hex[:6]}"
    wizard.open()
    wizard.save("details", name=name, count="1", availability_zone="nova", description="")
    wizard.save("source", source_id=wizard.option("source", "devcloud-tiny-raw"))
    wizard.save("flavor", flavor=wizard.option("flavor", "m1.nano"))
    wizard.save("network", nic_1=wizard.option("network", "demo-net"))
    wizard.save("access", keypair="", security_groups=["default"])
    location = wizard.launch()
    server_id = location.rsplit("/", 1)[1]
    try:
        status = _wait_for_final(wizard, location)
        assert status == "ACTIVE"
        server = nova.servers.get(server_id)  # the demo user sees it: the same project
        assert server.name == name
        assert server.status == "ACTIVE"
    finally:
        nova.servers.delete(server_id)


def _wait_for_final(wizard: HttpWizard, location: str, timeout: float = 90) -> str:
    """Read the server's page as alice until ACTIVE or ERROR; the status."""
    deadline = time.monotonic() + timeout
    status = "?"
    while time.monotonic() < deadline:
        page = wizard.get(location, htmx=True)
        assert page.status_code == 200, page.status_code
        found = re.search(r'data-status="(\w+)"', page.text)
        status = found.group(1) if found else "?"
        if status in ("ACTIVE", "ERROR"):
            return status
        time.sleep(1)
    raise AssertionError(f"{location} still {status} after {timeout} s")


def test_bob_gets_keystones_refusal_and_no_session(sso, http, keystone):
    dance = sign_in(http, sso.url, keystone, "bob")

    # the IdP knows bob, Keystone's mapping does not: no token, no form to the portal
    assert dance.keystone.status_code == 401, dance.keystone.text[:300]
    assert dance.token == ""
    assert dance.callback is None
    assert not logged_in(http, sso.url)
    page = http.get(f"{sso.url}/launch/", timeout=TIMEOUT, allow_redirects=False)
    assert page.status_code in (302, 303)
    assert "/auth/login" in page.headers["Location"]


def _revoked(keystone: str) -> str:
    token = federated_token(keystone, "alice")
    answer = requests.delete(
        f"{keystone}/auth/tokens",
        headers={"X-Auth-Token": token, "X-Subject-Token": token},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 204, answer.status_code
    return token


TOKENS = {
    # anything at all: not even Keystone's format
    "forged": lambda keystone: secrets.token_urlsafe(120),
    # Keystone's format (Fernet), sealed with keys this Keystone does not have
    "foreign": lambda keystone: Fernet(Fernet.generate_key()).encrypt(secrets.token_bytes(80)),
    # issued by this Keystone to alice, then revoked
    "revoked": _revoked,
}


@pytest.mark.parametrize("kind", TOKENS)
def test_a_token_keystone_does_not_vouch_for_is_refused(sso, http, keystone, kind):
    token = TOKENS[kind](keystone)
    token = token.decode() if isinstance(token, bytes) else token
    start_trip(http, sso.url)  # only the token is wrong

    response = post_token(http, sso.url, token, browser_post_headers(keystone))

    _assert_refused(response)
    assert token not in response.text
    assert not logged_in(http, sso.url)


FOREIGN = {
    "another origin": {"Origin": "http://evil.example.org"},
    "the portal's own origin": {"Origin": "http://127.0.0.1:8800"},
    "not a navigation": {"Sec-Fetch-Mode": "cors"},
    "not a page": {"Sec-Fetch-Dest": "iframe"},
}


@pytest.mark.parametrize("change", FOREIGN)
def test_a_post_that_keystones_page_did_not_send_is_refused(sso, http, keystone, change):
    # a good token (alice's, just issued): only the request's headers are wrong
    token = federated_token(keystone, "alice")
    headers = {**browser_post_headers(keystone), **FOREIGN[change]}
    start_trip(http, sso.url)

    refused = post_token(http, sso.url, token, headers)

    assert refused.status_code == 403, refused.status_code
    assert not logged_in(http, sso.url)
    # the same token, posted as Keystone's page does, is taken
    taken = post_token(http, sso.url, token, browser_post_headers(keystone))
    assert taken.status_code == 303, taken.status_code
    assert follow(http, sso.url, taken, []).status_code == 200
    assert logged_in(http, sso.url)


def test_a_token_posted_into_a_browser_that_did_not_sign_in_logs_nobody_in(sso, http, keystone):
    """Login CSRF: another site posts a token of its own (alice's) into this
    browser, which began no sign-in: Keystone vouches for the token, yet the
    portal makes no login of it."""
    token = federated_token(keystone, "alice")

    response = post_token(http, sso.url, token, browser_post_headers(keystone))

    landed = follow(http, sso.url, response, [])
    assert 400 <= landed.status_code < 500, landed.status_code
    assert not logged_in(http, sso.url)


def test_logout_revokes_the_token(sso, http, keystone, admin_token):
    dance = sign_in(http, sso.url, keystone, "alice")
    assert dance.landed is not None and dance.landed.status_code == 200, dance.hops
    assert token_status(keystone, dance.token, admin_token) == 200

    response = http.post(
        f"{sso.url}/auth/logout",
        data={"csrf_token": csrf_token(dance.landed.text)},
        timeout=TIMEOUT,
        allow_redirects=False,
    )

    assert response.status_code == 303, response.status_code
    assert not logged_in(http, sso.url)
    assert token_status(keystone, dance.token, admin_token) in (401, 404)
    # and alice herself can no longer use it
    answer = requests.get(
        f"{keystone}/auth/projects", headers={"X-Auth-Token": dance.token}, timeout=TIMEOUT
    )
    assert answer.status_code == 401, answer.status_code


def test_password_logins_keep_working_beside_websso(sso, os_config):
    wizard = HttpWizard(sso.url)
    try:
        wizard.login(os_config.username, os_config.password)
        page = wizard.get("/servers/")
        assert page.status_code == 200
        assert f'<span class="who">{os_config.username}</span>' in page.text
    finally:
        wizard.close()
