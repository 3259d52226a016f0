"""Behind a proxy (``PROXIES``): the forwarded scheme, host, port and client address
are believed only from trusted proxies, and cookies and HSTS follow HTTPS."""

from __future__ import annotations

import re

import pytest
from flask import jsonify
from flask import redirect
from flask import request
from flask import url_for

from webapp import create_app

#: what a client (or a proxy) may claim
FORWARDED = {
    "X-Forwarded-For": "10.9.9.9, 203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "portal.example.org",
    "X-Forwarded-Port": "8443",
}
PUBLIC = "https://portal.example.org:8443"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def make_app(tmp_path):
    """Apps with the given settings, each with a route that says what the request
    looks like to the portal (and a redirect built by url_for)."""
    count = 0

    def make(**config):
        nonlocal count
        count += 1
        folder = tmp_path / f"app-{count}"
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "DEMO_DATABASE": str(folder / "demo.sqlite"),
                **config,
            },
            instance_path=str(folder),
        )

        @app.get("/_probe")
        def probe():
            return jsonify(
                address=request.remote_addr,
                scheme=request.scheme,
                host=request.host,
                external=url_for("launch.index", _external=True),
            )

        @app.get("/_away")
        def away():
            return redirect(url_for("launch.index", _external=True))

        return app

    return make


def cookies(response) -> dict[str, str]:
    """Each Set-Cookie of ``response`` by cookie name."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        found[header.partition("=")[0]] = header
    return found


def flags(header: str) -> set[str]:
    """A Set-Cookie's attributes, lower-cased (``secure``, ``samesite=lax``...)."""
    return {part.strip().lower() for part in header.split(";")[1:]}


def login(client, headers, referrer=None) -> object:
    """Log in as demo through the form, with ``headers`` on both requests."""
    form = client.get("/auth/login", headers=headers)
    token = CSRF.search(form.get_data(as_text=True)).group(1)
    extra = {"Referer": referrer} if referrer else {}
    return client.post(
        "/auth/login",
        data={"username": "demo", "password": "demo", "csrf_token": token},
        headers={**headers, **extra},
    )


def test_forwarded_headers_are_ignored_without_proxies(make_app):
    client = make_app().test_client()
    seen = client.get("/_probe", headers=FORWARDED).get_json()
    assert seen == {
        "address": "127.0.0.1",
        "scheme": "http",
        "host": "localhost",
        "external": "http://localhost/launch/",
    }
    away = client.get("/_away", headers=FORWARDED)
    assert away.headers["Location"] == "http://localhost/launch/"
    page = client.get("/auth/login", headers=FORWARDED)
    assert "Strict-Transport-Security" not in page.headers
    assert "secure" not in flags(cookies(page)["skiff_session"])


def test_forwarded_headers_are_believed_behind_one_proxy(make_app):
    client = make_app(PROXIES=1).test_client()
    seen = client.get("/_probe", headers=FORWARDED).get_json()
    # The proxy's own entry (the last) is the client, not what the client sent.
    assert seen == {
        "address": "203.0.113.7",
        "scheme": "https",
        "host": "portal.example.org:8443",
        "external": f"{PUBLIC}/launch/",
    }
    away = client.get("/_away", headers=FORWARDED)
    assert away.headers["Location"] == f"{PUBLIC}/launch/"
    # The default port of the scheme is left out.
    default = {**FORWARDED, "X-Forwarded-Port": "443"}
    assert client.get("/_probe", headers=default).get_json()["host"] == "portal.example.org"


def test_two_proxies_trust_two_entries(make_app):
    client = make_app(PROXIES=2).test_client()
    headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9, 10.0.0.2"}
    assert client.get("/_probe", headers=headers).get_json()["address"] == "203.0.113.9"


def test_every_cookie_is_secure_and_hsts_sent_behind_a_tls_proxy(make_app):
    client = make_app(PROXIES=1).test_client()
    page = client.get("/auth/login", headers=FORWARDED)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    anonymous = cookies(page)["skiff_session"]
    assert {"secure", "httponly", "samesite=lax"} <= flags(anonymous)

    logged_in = login(client, FORWARDED, referrer=f"{PUBLIC}/auth/login")
    assert logged_in.status_code == 303, logged_in.get_data(as_text=True)[:300]
    session = cookies(logged_in)["skiff_session"]
    assert session.startswith("skiff_session=s-")
    assert {"secure", "httponly", "samesite=lax"} <= flags(session)

    token = CSRF.search(client.get("/servers/", headers=FORWARDED).get_data(as_text=True))
    referrer = {"Referer": f"{PUBLIC}/servers/"}
    language = client.post(
        "/language",
        data={"language": "zh_CN", "csrf_token": token.group(1)},
        headers={**FORWARDED, **referrer},
    )
    assert {"secure", "httponly", "samesite=lax"} <= flags(cookies(language)["skiff_language"])

    out = client.post(
        "/auth/logout", data={"csrf_token": token.group(1)}, headers={**FORWARDED, **referrer}
    )
    assert out.status_code == 303
    # The goodbye message goes to a signed cookie, which the next page rewrites.
    shown = client.get(out.headers["Location"], headers=FORWARDED)
    for header in (cookies(out)["skiff_session"], cookies(shown)["skiff_session"]):
        assert {"secure", "httponly", "samesite=lax"} <= flags(header)


def test_https_posts_need_a_referrer_of_the_public_host(make_app):
    """Flask-WTF checks the Referer of HTTPS posts against the host: behind the
    proxy that host must be the public one, which X-Forwarded-Host gives."""
    client = make_app(PROXIES=1).test_client()
    assert login(client, FORWARDED).status_code == 400
    backend = login(client, FORWARDED, referrer="http://127.0.0.1:8000/auth/login")
    assert backend.status_code == 400
    assert login(client, FORWARDED, referrer=f"{PUBLIC}/auth/login").status_code == 303


def test_plain_http_behind_the_proxy_keeps_secure_cookies_without_hsts(make_app):
    client = make_app(PROXIES=1).test_client()
    page = client.get("/auth/login")
    assert "secure" in flags(cookies(page)["skiff_session"])
    assert "Strict-Transport-Security" not in page.headers


@pytest.mark.parametrize(
    ("proxies", "secure", "expected"),
    [(0, None, False), (1, None, True), (1, False, False), (0, True, True)],
)
def test_an_explicit_setting_wins(make_app, proxies, secure, expected):
    app = make_app(PROXIES=proxies, SESSION_COOKIE_SECURE=secure)
    assert app.config["SESSION_COOKIE_SECURE"] is expected
    client = app.test_client()
    page = client.get("/auth/login", base_url="https://localhost")
    assert ("secure" in flags(cookies(page)["skiff_session"])) is expected
    assert ("Strict-Transport-Security" in page.headers) is expected


def test_the_login_limit_counts_the_forwarded_address(make_app):
    client = make_app(PROXIES=1, LOGIN_LIMIT_PER_ADDRESS="2 per minute").test_client()
    token = CSRF.search(client.get("/auth/login").get_data(as_text=True)).group(1)

    def attempt(address: str, user: str) -> int:
        data = {"username": user, "password": "wrong", "csrf_token": token}
        return client.post(
            "/auth/login", data=data, headers={"X-Forwarded-For": address}
        ).status_code

    assert attempt("203.0.113.1", "a") == 200
    assert attempt("203.0.113.1", "b") == 200
    assert attempt("203.0.113.1", "c") == 429
    assert attempt("203.0.113.2", "d") == 200
