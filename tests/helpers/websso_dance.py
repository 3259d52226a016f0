"""Keystone WebSSO on the devcloud (``up.sh --websso``): the portal served where
Keystone trusts it, and the whole redirect dance driven with ``requests`` like a
browser (portal → Keystone → the IdP's form → Keystone's auto-submitting form →
the portal's callback → the page the user lands on)."""

from __future__ import annotations

import html.parser
import os
import threading
import urllib.parse
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import flask
import pytest
import requests
from werkzeug.serving import make_server

from tests.helpers.skips import unavailable
from webapp import create_app

#: the portal's address: one of the devcloud's ``[federation] trusted_dashboard`` entries
PORTAL_HOST = "127.0.0.1"
PORTAL_PORT = 8800
PORTAL_URL = f"http://{PORTAL_HOST}:{PORTAL_PORT}"
#: the callback Keystone posts the token to (``<PUBLIC_URL>/auth/websso/``)
CALLBACK = PORTAL_URL + "/auth/websso/"
DEVCLOUD_CONFIG = "/opt/devcloud/clouds.yaml"
DEVCLOUD_AUTH_URL = "http://127.0.0.1:5000/v3"
#: the devcloud's fake IdP and its users (see ../shared/devcloud/README.md, "WebSSO")
IDP_USERS = {"alice": "alice-devidp", "carol": "carol-devidp", "bob": "bob-devidp"}
#: seconds any one request may take before the test fails instead of hanging
TIMEOUT = 30
#: the session cookie's name, and the prefix of a login kept on the server
COOKIE = "skiff_session"
SERVER_SESSION = "s-"


def keystone_origin(auth_url: str) -> str:
    """``scheme://host:port`` of a Keystone URL (what its pages send as ``Origin``)."""
    parts = urllib.parse.urlsplit(auth_url)
    return f"{parts.scheme}://{parts.netloc}"


def devcloud_keystone() -> str:
    """The test cloud's Keystone v3 URL, as ``tests/integration`` finds it
    (``SKIFF_TEST_OS_AUTH_URL``, else the devcloud's when it is installed); skips
    (fails on CI) without one."""
    auth_url = os.environ.get("SKIFF_TEST_OS_AUTH_URL")
    if not auth_url and os.path.exists(DEVCLOUD_CONFIG):
        auth_url = DEVCLOUD_AUTH_URL
    if not auth_url:
        unavailable("no OpenStack configured: run ../shared/devcloud/up.sh --websso")
    return auth_url


def require_websso(auth_url: str) -> None:
    """Skip (fail on CI) unless the cloud at ``auth_url`` has the devcloud's IdP,
    i.e. the devcloud was started with ``up.sh --websso``."""
    url = keystone_origin(auth_url) + "/devidp/"
    try:
        answer = requests.get(url, timeout=5)
    except requests.RequestException as exc:
        unavailable("the devcloud's IdP did not answer", f"{url}: {type(exc).__name__}")
    if answer.status_code != 200:
        unavailable(
            "the devcloud runs without WebSSO: start it with ../shared/devcloud/up.sh --websso",
            f"{url} answered {answer.status_code}",
        )


def websso_app(auth_url: str, instance: Path, **settings: Any) -> flask.Flask:
    """The portal on the real cloud with WebSSO on, its public URL the trusted one."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "CLOUD_AUTH_URL": auth_url,
            "DEMO_DATABASE": str(instance / "unused.sqlite"),
            "PUBLIC_URL": PORTAL_URL,
            "WEBSSO_ENABLED": True,
            "WEBSSO_KEYSTONE_URL": auth_url,
            **settings,
        },
        instance_path=str(instance),
    )


class FixedPortServer:
    """The app served from a thread on :data:`PORTAL_PORT`: Keystone only posts
    tokens to the dashboards it trusts, so a free port of the moment will not do."""

    def __init__(self, app: flask.Flask) -> None:
        self.app = app
        try:
            self._server = make_server(PORTAL_HOST, PORTAL_PORT, app, threaded=True)
        except (OSError, SystemExit):  # werkzeug exits when the address is in use
            pytest.fail(
                f"port {PORTAL_PORT} on {PORTAL_HOST} is taken: the WebSSO "
                "tests need it, the one port of the devcloud's trusted dashboards they use; "
                "stop whatever listens there",
                pytrace=False,
            )
        self.url = PORTAL_URL
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FixedPortServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Forms(html.parser.HTMLParser):
    """The forms of a page: each one's attributes and its inputs' values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[dict[str, str], dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append((values, {}))
        elif tag == "input" and self.forms and "name" in values:
            self.forms[-1][1][values["name"]] = values.get("value", "")


def first_form(page: str) -> tuple[dict[str, str], dict[str, str]]:
    """The first form of ``page``: its attributes and its inputs' values."""
    parser = _Forms()
    parser.feed(page)
    assert parser.forms, f"no form on the page: {page[:300]!r}"
    return parser.forms[0]


def browser_post_headers(keystone_url: str) -> dict[str, str]:
    """What a browser sends with the POST of Keystone's auto-submitting form: a
    top-level, cross-site navigation from Keystone's page."""
    origin = keystone_origin(keystone_url)
    return {
        "Origin": origin,
        "Referer": origin + "/",
        "Sec-Fetch-Mode": "navigate",
        "Sec-Fetch-Dest": "document",
        "Sec-Fetch-Site": "cross-site",
    }


@dataclass
class Dance:
    """What one sign-in through the IdP went through.

    ``keystone`` is Keystone's answer after the IdP (its auto-submitting form, or
    its refusal); ``token`` the token that form carried ("" when refused);
    ``landed`` the portal's page at the end (None when Keystone refused).
    """

    keystone: requests.Response
    token: str = ""
    callback: requests.Response | None = None
    landed: requests.Response | None = None
    hops: list[str] = field(default_factory=list)


def sign_in(
    http: requests.Session,
    portal: str,
    keystone_url: str,
    username: str,
    *,
    next_path: str = "/launch/",
    choice: int = 0,
) -> Dance:
    """Sign ``username`` in with the ``choice``-th "Sign in with …" link of the
    portal's login page, asserting every hop a browser would take."""
    login = http.get(
        f"{portal}/auth/login", params={"next": next_path}, timeout=TIMEOUT, allow_redirects=False
    )
    assert login.status_code == 200, login.status_code
    links = start_links(login.text)
    assert len(links) > choice, f"no WebSSO choice {choice} on the login page: {links}"
    start = urllib.parse.urljoin(portal + "/", links[choice])

    # the portal sends the browser to Keystone, with the trusted callback as origin
    to_keystone = http.get(start, timeout=TIMEOUT, allow_redirects=False)
    assert to_keystone.status_code in (302, 303), (to_keystone.status_code, start)
    websso_url = to_keystone.headers["Location"]
    assert websso_url.startswith(keystone_url.rstrip("/") + "/auth/OS-FEDERATION/"), websso_url
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(websso_url).query)
    assert query.get("origin") == [portal + "/auth/websso/"], query

    # Keystone (its web server) sends the browser on to the IdP's form
    to_idp = http.get(websso_url, timeout=TIMEOUT, allow_redirects=False)
    assert to_idp.status_code == 302, to_idp.status_code
    idp_form_url = urllib.parse.urljoin(websso_url, to_idp.headers["Location"])
    form_page = http.get(idp_form_url, timeout=TIMEOUT, allow_redirects=False)
    assert form_page.status_code == 200, form_page.status_code
    attributes, inputs = first_form(form_page.text)
    inputs.update(username=username, password=IDP_USERS[username])
    signed = http.post(
        urllib.parse.urljoin(idp_form_url, attributes["action"]),
        data=inputs,
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    assert signed.status_code == 302, (signed.status_code, signed.text[:300])

    # back at Keystone with the IdP's session: its form that posts the token, or a refusal
    back = urllib.parse.urljoin(idp_form_url, signed.headers["Location"])
    keystone = http.get(back, timeout=TIMEOUT, allow_redirects=False)
    dance = Dance(keystone=keystone, hops=[start, websso_url, idp_form_url, back])
    if keystone.status_code != 200:
        return dance
    attributes, inputs = first_form(keystone.text)
    assert attributes.get("action") == portal + "/auth/websso/", attributes
    dance.token = inputs["token"]
    dance.callback = http.post(
        attributes["action"],
        data={"token": dance.token},
        headers=browser_post_headers(keystone_url),
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    dance.landed = follow(http, portal, dance.callback, dance.hops)
    return dance


def start_trip(http: requests.Session, portal: str, choice: int = 0) -> str:
    """Begin a sign-in in this browser as its "Sign in with …" link does, without
    going on to Keystone (the portal binds the login to the browser that began
    it); the Keystone URL it sends the browser to."""
    response = http.get(
        f"{portal}/auth/websso/start/{choice}", timeout=TIMEOUT, allow_redirects=False
    )
    assert response.status_code == 303, response.status_code
    location: str = response.headers["Location"]
    return location


def post_token(
    http: requests.Session, portal: str, token: str, headers: dict[str, str]
) -> requests.Response:
    """POST ``token`` to the portal's callback as Keystone's form does (with
    ``headers``: :func:`browser_post_headers`, or others); its answer unfollowed."""
    return http.post(
        f"{portal}/auth/websso/",
        data={"token": token},
        headers=headers,
        timeout=TIMEOUT,
        allow_redirects=False,
    )


def follow(
    http: requests.Session, portal: str, response: requests.Response, hops: list[str]
) -> requests.Response:
    """Follow the portal's redirects (GETs, as a browser does after a 303) to a page."""
    for _ in range(10):
        if response.status_code not in (301, 302, 303, 307):
            return response
        location = urllib.parse.urljoin(portal + "/", response.headers["Location"])
        assert location.startswith(portal + "/"), f"the portal sent the browser off: {location}"
        hops.append(location)
        response = http.get(location, timeout=TIMEOUT, allow_redirects=False)
    raise AssertionError(f"too many redirects: {hops}")


def start_links(page: str) -> list[str]:
    """The ``href`` of each "Sign in with …" link (``a.websso-choice``) of a page."""

    class Links(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = {name: value or "" for name, value in attrs}
            if tag == "a" and "websso-choice" in values.get("class", "").split():
                self.found.append(values.get("href", ""))

    parser = Links()
    parser.feed(page)
    return parser.found


def federated_token(keystone_url: str, username: str) -> str:
    """An unscoped federated token of an IdP user, without a browser (the
    devcloud's HTTP Basic route to Keystone's ``openid`` method)."""
    answer = requests.post(
        f"{keystone_url}/OS-FEDERATION/identity_providers/devidp/protocols/openid/auth",
        auth=(username, IDP_USERS[username]),
        timeout=TIMEOUT,
    )
    assert answer.status_code == 201, (answer.status_code, answer.text[:300])
    return answer.headers["X-Subject-Token"]


def token_status(keystone_url: str, token: str, admin_token: str) -> int:
    """Keystone's answer to validating ``token`` (``GET /v3/auth/tokens``) as the admin:
    200 while it is valid, 404 once revoked."""
    answer = requests.get(
        f"{keystone_url}/auth/tokens",
        headers={"X-Auth-Token": admin_token, "X-Subject-Token": token},
        timeout=TIMEOUT,
    )
    return answer.status_code


def logged_in(http: requests.Session, portal: str) -> bool:
    """Whether this browser has a login at the portal: a server-side session
    whose launch page answers (else the portal sends it to log in)."""
    if not (http.cookies.get(COOKIE) or "").startswith(SERVER_SESSION):
        return False
    page = http.get(f"{portal}/servers/", timeout=TIMEOUT, allow_redirects=False)
    return page.status_code == 200
