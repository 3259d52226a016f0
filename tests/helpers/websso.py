"""Single sign-on in tests: a portal on the fake cloud with WebSSO on, a Keystone
that validates the federated token, and a browser's trip through the callback."""

from __future__ import annotations

from typing import Any

import flask

from tests.helpers.fake_cloud import FakeCloud
from webapp import create_app
from webapp.blueprints.auth.websso import HANDOFF_COOKIE
from webapp.blueprints.auth.websso import START_COOKIE

#: the unscoped token Keystone's WebSSO page hands over in these tests
TOKEN = "gAAAAAB-federated-unscoped-token-0123456789"
PUBLIC_URL = "https://portal.example.test"
#: Keystone as browsers see it (another host than the portal's CLOUD_AUTH_URL)
BROWSER_KEYSTONE = "https://login.example.test:5443"
KEYSTONE_ORIGIN = BROWSER_KEYSTONE
COOKIE = "skiff_session"

__all__ = [
    "COOKIE",
    "HANDOFF_COOKIE",
    "START_COOKIE",
    "TOKEN",
    "callback",
    "cookie",
    "keystone_websso",
    "session_of",
    "set_cookies",
    "sso_app",
    "sso_login",
]


def sso_app(tmp_path, **config: Any) -> flask.Flask:
    """A portal on the fake cloud with single sign-on on (``config`` wins)."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "CLOUD_AUTH_URL": FakeCloud.auth_url,
        "DEMO_DATABASE": str(tmp_path / "unused.sqlite"),
        "RATE_LIMITS_ENABLED": False,
        "WEBSSO_ENABLED": True,
        "WEBSSO_KEYSTONE_URL": f"{BROWSER_KEYSTONE}/identity/v3",
        "WEBSSO_CHOICES": [
            {"label": "Single sign-on", "protocol": "openid"},
            {"label": {"en": "University", "zh_CN": "大学"}, "idp": "uni", "protocol": "saml2"},
        ],
        "PUBLIC_URL": PUBLIC_URL,
        "AUDIT_LOG": str(tmp_path / "audit.log"),
        **config,
    }
    return create_app(settings, instance_path=str(tmp_path))


def keystone_websso(cloud: FakeCloud, *, valid: tuple[str, ...] = (TOKEN,), **keystone) -> None:
    """The fake Keystone: password logins, listing and rescoping (``keystone``
    goes to :meth:`FakeCloud.keystone`), plus validating the tokens in ``valid``
    (``GET /v3/auth/tokens``, a token validating itself); any other is a 401."""
    cloud.keystone(**keystone)

    def validate(request, context):
        token = request.headers.get("X-Subject-Token")
        context.headers["x-openstack-request-id"] = "req-validate"
        if token not in valid or request.headers.get("X-Auth-Token") != token:
            context.status_code = 401
            return {"error": {"code": 401, "message": "Not authorized.", "title": "Unauthorized"}}
        context.headers["X-Subject-Token"] = token
        return cloud.token()

    cloud.http.get(f"{cloud.auth_url}/auth/tokens", json=validate)


def callback(client, token: str = TOKEN, *, headers: dict[str, str] | None = None):
    """Keystone's auto-submitted form, posted by the browser to the callback."""
    sent = {
        "Origin": KEYSTONE_ORIGIN,
        "Sec-Fetch-Mode": "navigate",
        "Sec-Fetch-Dest": "document",
        "Sec-Fetch-Site": "cross-site",
    }
    sent.update(headers or {})
    return client.post("/auth/websso/", data={"token": token}, headers=sent)


def sso_login(client, choice: int = 0, next_url: str = "/launch/", token: str = TOKEN):
    """The whole trip as a browser makes it (Keystone and the IdP left out):
    start, callback, done; returns ``done``'s answer."""
    started = client.get(f"/auth/websso/start/{choice}", query_string={"next": next_url})
    assert started.status_code == 303, started.status_code
    posted = callback(client, token)
    assert posted.status_code == 303, (posted.status_code, posted.get_data(as_text=True)[:300])
    assert posted.headers["Location"] == "/auth/websso/done"
    return client.get("/auth/websso/done")


def cookie(client, name: str = COOKIE, path: str = "/") -> str | None:
    """The value of a cookie the browser holds, or None."""
    found = client.get_cookie(name, path=path)
    return found.value if found else None


def set_cookies(response) -> list[str]:
    """The Set-Cookie headers of an answer."""
    return response.headers.getlist("Set-Cookie")


def session_of(app: flask.Flask, client) -> dict[str, Any]:
    """The session (unsealed) the app reads for this browser's session cookie."""
    with app.test_request_context(headers={"Cookie": f"{COOKIE}={cookie(client) or ''}"}):
        opened = app.session_interface.open_session(app, flask.request)
        assert opened is not None
        return dict(opened)
