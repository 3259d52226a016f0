"""Single sign-on through Keystone's WebSSO, seen from the browser: the login page,
the start, the callback's guards and refusals, the login it makes, and afterwards
(project switch, an expired login, logout). Keystone is the fake cloud."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest

from tests.helpers.fake_cloud import FakeCloud
from tests.helpers.websso import BROWSER_KEYSTONE
from tests.helpers.websso import HANDOFF_COOKIE
from tests.helpers.websso import PUBLIC_URL
from tests.helpers.websso import START_COOKIE
from tests.helpers.websso import TOKEN
from tests.helpers.websso import callback
from tests.helpers.websso import cookie
from tests.helpers.websso import keystone_websso
from tests.helpers.websso import session_of
from tests.helpers.websso import set_cookies
from tests.helpers.websso import sso_app
from tests.helpers.websso import sso_login
from tests.helpers.wizard import Wizard
from webapp import create_app
from webapp.blueprints.auth.websso_settings import WebSSOSettingsError
from webapp.state import LOGIN

HTMX = {"HX-Request": "true"}


@pytest.fixture
def cloud(requests_mock) -> FakeCloud:
    cloud = FakeCloud(requests_mock)
    keystone_websso(cloud)
    return cloud


@pytest.fixture
def app(tmp_path, cloud):
    return sso_app(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


def logged_in(client) -> bool:
    """Whether the browser is logged in (the launch page does not send it away)."""
    return client.get("/servers/").status_code != 303


def server_session(client) -> bool:
    """Whether the browser holds a server-side session's cookie (a login's)."""
    return (cookie(client) or "").startswith("s-")


# -- the login page ------------------------------------------------------------------


def test_login_page_without_websso_has_no_choices(tmp_path, cloud):
    client = sso_app(tmp_path, WEBSSO_ENABLED=False).test_client()

    page = client.get("/auth/login").get_data(as_text=True)

    assert "websso-choice" not in page
    assert 'name="password"' in page
    assert client.get("/auth/websso/start/0").status_code == 404
    assert callback(client).status_code == 404


def test_login_page_offers_each_choice_beside_the_password_form(client):
    page = client.get("/auth/login?next=/servers/").get_data(as_text=True)

    links = re.findall(r'<a class="websso-choice" href="([^"]+)">([^<]+)</a>', page)
    assert links == [
        ("/auth/websso/start/0?next=/servers/", "Sign in with Single sign-on"),
        ("/auth/websso/start/1?next=/servers/", "Sign in with University"),
    ]
    assert 'name="password"' in page


def test_choice_labels_follow_the_language(client):
    page = client.get("/auth/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)

    assert "大学" in page


def test_password_form_can_be_hidden(tmp_path, cloud):
    client = sso_app(tmp_path, LOGIN_PASSWORD_FORM=False).test_client()

    page = client.get("/auth/login").get_data(as_text=True)

    assert 'name="password"' not in page
    assert page.count('class="websso-choice"') == 2
    # and a password posted anyway logs nobody in
    client.post("/auth/login", data={"username": "alice", "password": FakeCloud.password})
    assert not logged_in(client)


def test_websso_direct_sends_the_login_page_to_the_only_choice(tmp_path, cloud):
    app = sso_app(
        tmp_path,
        WEBSSO_DIRECT=True,
        WEBSSO_CHOICES=[{"label": "Uni", "idp": "uni", "protocol": "openid"}],
    )
    client = app.test_client()

    page = client.get("/auth/login?next=/servers/")
    assert page.status_code == 302
    assert page.headers["Location"] == "/auth/websso/start/0?next=/servers/"
    # a page that needs a login goes straight there too
    needs = client.get("/servers/")
    assert needs.headers["Location"] == "/auth/websso/start/0?next=/servers/"


def test_the_portal_does_not_start_with_websso_and_no_public_url(tmp_path, cloud):
    with pytest.raises(WebSSOSettingsError, match="PUBLIC_URL"):
        sso_app(tmp_path, PUBLIC_URL=None)


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("WEBSSO_CHOICES", [], "non-empty list"),
        ("WEBSSO_CHOICES", [{"label": "x"}], "protocol"),
        ("WEBSSO_CHOICES", [{"protocol": "openid"}], "label"),
        ("WEBSSO_DIRECT", True, "exactly one"),
        ("PUBLIC_URL", "portal.example.org", "absolute"),
    ],
)
def test_the_portal_does_not_start_with_websso_settings_it_cannot_use(
    tmp_path, cloud, setting, value, words
):
    with pytest.raises(WebSSOSettingsError, match=words):
        sso_app(tmp_path, **{setting: value})


# -- the start -------------------------------------------------------------------------


def test_start_sends_to_keystones_websso_url_with_the_public_callback(client):
    # The request's host is not the public one (a proxy): the origin ignores it.
    answer = client.get("/auth/websso/start/0?next=/servers/", base_url="http://10.0.0.7:8000")

    assert answer.status_code == 303
    url = urlsplit(answer.headers["Location"])
    assert f"{url.scheme}://{url.netloc}" == BROWSER_KEYSTONE
    assert url.path == "/identity/v3/auth/OS-FEDERATION/websso/openid"
    assert parse_qs(url.query) == {"origin": [f"{PUBLIC_URL}/auth/websso/"]}
    (started,) = [c for c in set_cookies(answer) if c.startswith(START_COOKIE)]
    assert "0:/servers/" in started
    assert "Path=/auth/websso/" in started and "HttpOnly" in started
    assert "SameSite=Lax" in started


def test_start_with_an_identity_provider(client):
    answer = client.get("/auth/websso/start/1")

    url = urlsplit(answer.headers["Location"])
    assert url.path == (
        "/identity/v3/auth/OS-FEDERATION/identity_providers/uni/protocols/saml2/websso"
    )
    assert parse_qs(url.query)["origin"] == [f"{PUBLIC_URL}/auth/websso/"]


def test_start_of_an_unknown_choice_is_404(client):
    assert client.get("/auth/websso/start/2").status_code == 404


def test_start_never_sends_next_elsewhere(client):
    client.get("/auth/websso/start/0?next=https://evil.example/")
    done = sso_login(client, next_url="//evil.example/")

    assert done.headers["Location"] == "/launch/"


# -- the callback's guards ------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "https://login.example.test"},  # Keystone's host, another port
        {"Origin": PUBLIC_URL},
        {"Sec-Fetch-Mode": "cors"},
        {"Sec-Fetch-Mode": "no-cors"},
        {"Sec-Fetch-Dest": "iframe"},
        {"Sec-Fetch-Dest": "empty"},
    ],
)
def test_callback_refuses_what_is_not_a_navigation_from_keystone(client, cloud, headers):
    answer = callback(client, headers=headers)

    assert answer.status_code == 403
    assert "did not come from your cloud" in answer.get_data(as_text=True)
    assert not cloud.requests(base=cloud.auth_url)  # Keystone is not even asked
    assert not any(c.startswith(HANDOFF_COOKIE) for c in set_cookies(answer))
    assert not server_session(client) and not logged_in(client)


def test_callback_refusal_over_htmx_is_a_message(client):
    answer = callback(client, headers={"Origin": "https://evil.example", **HTMX})

    assert answer.status_code == 403
    text = answer.get_data(as_text=True)
    assert '<p class="message error"' in text and "<html" not in text


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": BROWSER_KEYSTONE},
        {"Origin": BROWSER_KEYSTONE.upper().replace("HTTPS", "https")},
        {"Origin": "null"},
        {"Origin": None, "Sec-Fetch-Mode": None, "Sec-Fetch-Dest": None},
    ],
)
def test_callback_accepts_keystones_origin_null_or_none(client, headers):
    client.get("/auth/websso/start/0")
    sent = {k: v for k, v in headers.items() if v is not None}
    if None in headers.values():
        answer = client.post("/auth/websso/", data={"token": TOKEN}, headers=sent)
    else:
        answer = callback(client, headers=sent)

    assert answer.status_code == 303
    assert client.get("/auth/websso/done").status_code == 303
    assert logged_in(client)


@pytest.mark.parametrize("token", ["", "x" * 9000])
def test_callback_without_a_usable_token_asks_nothing_and_logs_nobody_in(client, cloud, token):
    answer = callback(client, token)

    assert answer.status_code == 401
    assert "did not accept the sign-in" in answer.get_data(as_text=True)
    assert not cloud.requests(base=cloud.auth_url)
    assert not server_session(client) and not logged_in(client)


def test_a_token_keystone_refuses_logs_nobody_in(client, cloud):
    answer = callback(client, "gAAAAAB-forged")

    assert answer.status_code == 401
    page = answer.get_data(as_text=True)
    assert "Single sign-on did not work" in page
    assert "did not accept the sign-in" in page
    assert 'href="/auth/login"' in page
    (validate,) = cloud.requests("GET", f"{cloud.auth_url}/auth/tokens")
    assert validate.headers["X-Subject-Token"] == "gAAAAAB-forged"
    assert not any(c.startswith(HANDOFF_COOKIE) for c in set_cookies(answer))
    assert not server_session(client) and not logged_in(client)
    # and the way on to done finds nothing either
    done = client.get("/auth/websso/done")
    assert done.status_code == 400
    assert not server_session(client) and not logged_in(client)


def test_a_user_without_projects_gets_a_clear_page_and_no_login(tmp_path, requests_mock):
    cloud = FakeCloud(requests_mock)
    keystone_websso(cloud, projects=[])
    client = sso_app(tmp_path).test_client()

    done = sso_login(client)

    assert done.status_code == 401
    assert "not a member of any project" in done.get_data(as_text=True)
    assert not server_session(client) and not logged_in(client)


def test_websso_is_refused_on_the_demo_cloud(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DEMO_DATABASE": str(tmp_path / "demo.sqlite"),
            "WEBSSO_ENABLED": True,
            "WEBSSO_KEYSTONE_URL": f"{BROWSER_KEYSTONE}/v3",
            "PUBLIC_URL": PUBLIC_URL,
        },
        instance_path=str(tmp_path),
    )
    client = app.test_client()

    answer = callback(client, headers={"Origin": BROWSER_KEYSTONE})

    assert answer.status_code == 401
    assert "not offered on the demo cloud" in answer.get_data(as_text=True)
    assert not server_session(client)


# -- the login -----------------------------------------------------------------------------


def test_sso_login_scopes_and_lands_on_next_with_the_users_name(app, client, cloud):
    done = sso_login(client, next_url="/servers/?name=web")

    assert done.status_code == 303
    assert done.headers["Location"] == "/servers/?name=web"
    rescope = cloud.requests("POST", f"{cloud.auth_url}/auth/tokens")[-1].json()["auth"]
    assert rescope["identity"] == {"methods": ["token"], "token": {"id": TOKEN}}
    assert rescope["scope"] == {"project": {"id": "p-demo"}}  # the first by name
    kept = session_of(app, client)
    assert kept["identity"]["user_name"] == "alice"
    assert kept["identity"]["project_id"] == "p-demo"
    assert kept["websso_choice"] == 0
    assert kept["last_project_id"] == "p-demo"
    # the trip's cookies are gone
    assert any(c.startswith(f"{START_COOKIE}=;") for c in set_cookies(done))
    assert any(c.startswith(f"{HANDOFF_COOKIE}=;") for c in set_cookies(done))
    cloud.nova_version()
    page = client.get("/launch/").get_data(as_text=True)
    assert '<span class="who">alice</span>' in page


def test_sso_login_is_a_fresh_session_of_the_last_project(app, client, cloud):
    wizard = Wizard(client)
    wizard.login(cloud.user_name, cloud.password)
    client.post(
        "/auth/project",
        data={"project_id": "p-zeta", "csrf_token": wizard.csrf(), "next": "/servers/"},
    )
    before = cookie(client)
    login = session_of(app, client)[LOGIN]

    sso_login(client)

    after = cookie(client)
    assert after.startswith("s-") and after != before
    kept = session_of(app, client)
    assert kept[LOGIN] == login  # the same user's login: their wizards stay
    assert kept["identity"]["project_id"] == "p-zeta"
    rescope = cloud.requests("POST", f"{cloud.auth_url}/auth/tokens")[-1].json()["auth"]
    assert rescope["scope"] == {"project": {"id": "p-zeta"}}


def test_a_callback_without_the_session_cookie_still_finds_the_session(app, client, cloud):
    """On a real deployment Keystone's form posts from another site: the browser
    sends no SameSite=Lax cookie with the POST, only with the GET after it."""
    wizard = Wizard(client)
    wizard.login(cloud.user_name, cloud.password)
    login = session_of(app, client)[LOGIN]
    client.get("/auth/websso/start/1?next=/servers/")

    elsewhere = app.test_client()  # the POST, without any cookie
    posted = callback(elsewhere)
    (handoff,) = [c for c in set_cookies(posted) if c.startswith(HANDOFF_COOKIE)]
    assert "Path=/auth/websso/" in handoff and "HttpOnly" in handoff
    assert not cookie(elsewhere)  # no session made by the POST
    value = handoff.split(";", 1)[0].split("=", 1)[1]
    client.set_cookie(HANDOFF_COOKIE, value, path="/auth/websso/")
    done = client.get("/auth/websso/done")

    assert done.headers["Location"] == "/servers/"
    kept = session_of(app, client)
    assert kept[LOGIN] == login
    assert kept["websso_choice"] == 1


def test_the_handoff_is_taken_once(app, client):
    client.get("/auth/websso/start/0")
    callback(client)
    handle = cookie(client, HANDOFF_COOKIE, path="/auth/websso/")
    assert client.get("/auth/websso/done").status_code == 303

    thief = app.test_client()
    thief.set_cookie(HANDOFF_COOKIE, handle, path="/auth/websso/")
    assert thief.get("/auth/websso/done").status_code == 400
    assert not server_session(thief)


def test_the_token_is_never_in_answers_cookies_or_logs(app, client, cloud, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    answers = [client.get("/auth/websso/start/0?next=/servers/"), callback(client)]
    answers.append(client.get("/auth/websso/done"))
    cloud.nova_version()
    answers.append(client.get("/launch/"))
    answers.append(callback(client, "gAAAAAB-forged-but-secret"))
    cloud.http.delete(f"{cloud.auth_url}/auth/tokens", status_code=204)
    wizard = Wizard(client)
    answers.append(client.post("/auth/logout", data={"csrf_token": wizard.csrf()}))

    for answer in answers:
        text = answer.get_data(as_text=True) + str(answer.headers)
        assert TOKEN not in text and "forged-but-secret" not in text
    assert all(TOKEN not in c.value for c in client._cookies.values())
    assert TOKEN not in caplog.text and "forged-but-secret" not in caplog.text
    audit = (tmp_path / "audit.log").read_text()
    assert '"event":"login","outcome":"success"' in audit
    assert '"event":"login","outcome":"refused"' in audit
    assert TOKEN not in audit and "forged-but-secret" not in audit
    for name in ("state.sqlite", "state.sqlite-wal"):
        path = tmp_path / name
        if path.exists():
            assert TOKEN.encode() not in path.read_bytes()  # sealed at rest


# -- afterwards ----------------------------------------------------------------------------


def test_project_switch_rescopes_from_the_unscoped_token(app, client, cloud):
    sso_login(client)
    wizard = Wizard(client)

    client.post(
        "/auth/project",
        data={"project_id": "p-zeta", "csrf_token": wizard.csrf(), "next": "/servers/"},
    )

    sent = cloud.requests("POST", f"{cloud.auth_url}/auth/tokens")[-1].json()["auth"]
    assert sent["identity"]["token"] == {"id": TOKEN}
    assert sent["scope"] == {"project": {"id": "p-zeta"}}
    assert session_of(app, client)["identity"]["project_id"] == "p-zeta"


@pytest.mark.parametrize("htmx", [False, True])
def test_an_expired_sso_login_goes_through_the_same_choice_again(app, client, cloud, htmx):
    sso_login(client, choice=1)
    login = session_of(app, client)[LOGIN]
    cloud.nova_version()
    cloud.error("GET", f"{cloud.nova}/servers/detail", 401, {"error": {"message": "expired"}})

    answer = client.get("/servers/?name=web", headers=HTMX if htmx else {})

    target = answer.headers["HX-Redirect"] if htmx else answer.headers["Location"]
    assert urlsplit(target).path == "/auth/websso/start/1"
    assert parse_qs(urlsplit(target).query) == {"next": ["/servers/?name=web"]}
    # back through the provider: the same login (its wizards), a new token
    done = sso_login(client, choice=1, next_url="/servers/?name=web")
    assert done.headers["Location"] == "/servers/?name=web"
    assert session_of(app, client)[LOGIN] == login


def test_an_expired_password_login_still_goes_to_the_login_page(app, client, cloud):
    Wizard(client).login(cloud.user_name, cloud.password)
    cloud.nova_version()
    cloud.error("GET", f"{cloud.nova}/servers/detail", 401, {"error": {"message": "expired"}})

    answer = client.get("/servers/")

    assert urlsplit(answer.headers["Location"]).path == "/auth/login"


def test_logout_revokes_both_tokens_then_goes_to_the_idps_logout(tmp_path, cloud):
    app = sso_app(tmp_path, WEBSSO_IDP_LOGOUT_URL="https://idp.example.test/logout")
    client = app.test_client()
    sso_login(client)
    revoke = cloud.http.delete(f"{cloud.auth_url}/auth/tokens", status_code=204)
    wizard = Wizard(client)

    answer = client.post("/auth/logout", data={"csrf_token": wizard.csrf()})

    assert answer.status_code == 303
    assert answer.headers["Location"] == "https://idp.example.test/logout"
    revoked = [r.headers["X-Subject-Token"] for r in revoke.request_history]
    assert revoked == ["scoped-p-demo", TOKEN]
    assert not server_session(client) and not logged_in(client)


def test_logout_over_htmx_leaves_for_the_idp(tmp_path, cloud):
    app = sso_app(tmp_path, WEBSSO_IDP_LOGOUT_URL="https://idp.example.test/logout")
    client = app.test_client()
    sso_login(client)
    cloud.http.delete(f"{cloud.auth_url}/auth/tokens", status_code=204)
    wizard = Wizard(client)

    answer = client.post("/auth/logout", data={"csrf_token": wizard.csrf()}, headers=HTMX)

    assert answer.headers["HX-Redirect"] == "https://idp.example.test/logout"


def test_a_password_logout_does_not_go_to_the_idp(tmp_path, cloud):
    app = sso_app(tmp_path, WEBSSO_IDP_LOGOUT_URL="https://idp.example.test/logout")
    client = app.test_client()
    wizard = Wizard(client)
    wizard.login(cloud.user_name, cloud.password)
    revoke = cloud.http.delete(f"{cloud.auth_url}/auth/tokens", status_code=204)

    answer = client.post("/auth/logout", data={"csrf_token": wizard.csrf()})

    assert answer.headers["Location"] == "/auth/login"
    assert [r.headers["X-Subject-Token"] for r in revoke.request_history] == ["scoped-p-demo"]


def test_a_sign_in_this_browser_did_not_start_is_refused(app, client):
    """Login CSRF: another site posts its own user's valid token (with Origin
    "null", which must pass) and sends the browser on to ``done``."""
    assert callback(client, headers={"Origin": "null"}).status_code == 303

    refused = client.get("/auth/websso/done")

    assert refused.status_code == 400
    assert "not started from this portal" in refused.get_data(as_text=True)
    assert not server_session(client)
    assert client.get("/auth/websso/done").status_code == 400  # the handoff is gone too
