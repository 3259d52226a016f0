"""Rate limits on logins (per client address, per user name) and on launches (per
user): the attempt past the limit is a 429 that says what was limited and how long
to wait, on the page or, for htmx, in the messages; with Redis, every app counts
together."""

from __future__ import annotations

import re

import pytest

from tests.helpers.audit import read_lines
from tests.helpers.redis_server import RedisServer
from tests.helpers.wizard import Wizard
from webapp import create_app
from webapp.i18n import LANGUAGE_COOKIE
from webapp.state import state

ADDRESS_LIMITED = re.compile(
    r"Too many login attempts from your address\. Try again in (\d+) seconds?\."
)
USER_LIMITED = re.compile(
    r"Too many login attempts for this user name\. Try again in (\d+) seconds?\."
)


@pytest.fixture
def make_app(tmp_path):
    """Builds apps with the default limits on, each in its own instance folder."""
    made = []

    def make(**config):
        folder = tmp_path / f"app-{len(made)}"
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "DEMO_BUILD_SECONDS": 0,
                "DEMO_DATABASE": str(folder / "demo.sqlite"),
                **config,
            },
            instance_path=str(folder),
        )
        made.append(app)
        return app

    yield make
    for app in made:
        if app.config["REDIS_URL"]:
            # Their Redis clients (the state's, the limiter's) are closed, not left to GC.
            with app.app_context():
                state().store.client.close()
            app.extensions["skiff.limits"].storage.storage.close()


@pytest.fixture(scope="module")
def redis_server():
    with RedisServer() as server:
        yield server


def attempt(client, username="demo", password="wrong", **headers):
    """One login POST (with a fresh CSRF token, like a browser)."""
    token = Wizard(client).csrf()
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post("/auth/login", data=data, headers=headers)


def client_at(app, address):
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def assert_limited(response, pattern, *, htmx=False, window=60):
    """A 429 carrying the message (retargeted to the messages for htmx) and a
    Retry-After that agrees with it."""
    html = response.get_data(as_text=True)
    assert response.status_code == 429, html
    match = pattern.search(html)
    assert match, html
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= window
    assert int(match.group(1)) == wait
    if htmx:
        assert response.headers["HX-Retarget"] == "#messages"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_11th_login_in_a_minute_is_429_wrong_and_right_passwords_alike(make_app, htmx):
    client = make_app().test_client()
    for n in range(10):
        right = n % 2 == 1
        response = attempt(client, password="demo" if right else "wrong")
        assert response.status_code == (303 if right else 200), n
    headers = {"HX-Request": "true"} if htmx else {}
    for password in ("demo", "wrong"):
        assert_limited(attempt(client, password=password, **headers), ADDRESS_LIMITED, htmx=htmx)


def test_a_limited_login_is_in_the_audit_log_in_the_operators_language(make_app, tmp_path):
    audit = tmp_path / "audit.log"
    client = make_app(AUDIT_LOG=str(audit)).test_client()
    client.set_cookie(LANGUAGE_COOKIE, "zh_CN")
    for _ in range(11):
        last = attempt(client, username="Mallory")
    assert last.status_code == 429

    lines = read_lines(audit)
    assert [line["outcome"] for line in lines] == ["refused"] * 10 + ["limited"]
    limited = lines[-1]
    assert limited["user"] == {"name": "Mallory", "id": None}
    assert ADDRESS_LIMITED.fullmatch(limited["error"]), limited["error"]
    assert limited["request_id"] == last.headers["X-Request-ID"]


def test_showing_the_form_is_not_counted(make_app):
    client = make_app().test_client()
    for _ in range(30):
        assert client.get("/auth/login").status_code == 200
    for n in range(10):
        assert attempt(client, username=f"user-{n}").status_code == 200


def test_the_429_description_is_the_message(make_app):
    """What the app's error path shows for any HTTPException: its description."""
    app = make_app()
    seen = []

    def show_description(error):
        seen.append(error)
        return error.description, 429

    app.register_error_handler(429, show_description)
    client = app.test_client()
    for n in range(10):
        attempt(client, username=f"user-{n}")
    response = attempt(client)
    assert response.status_code == 429
    assert ADDRESS_LIMITED.fullmatch(seen[0].description)
    assert response.get_data(as_text=True) == seen[0].description
    assert response.headers["Retry-After"] == ADDRESS_LIMITED.fullmatch(seen[0].description)[1]


def test_another_address_has_its_own_count(make_app):
    app = make_app()
    first, second = client_at(app, "192.0.2.1"), client_at(app, "192.0.2.2")
    for n in range(10):
        assert attempt(first, username=f"first-{n}").status_code == 200
    assert_limited(attempt(first, username="first-10"), ADDRESS_LIMITED)
    for n in range(10):
        assert attempt(second, username=f"second-{n}").status_code == 200
    assert_limited(attempt(second, username="second-10"), ADDRESS_LIMITED)


def test_a_user_name_is_limited_from_any_address_whatever_its_case(make_app):
    app = make_app()
    for n in range(10):
        client = client_at(app, f"198.51.100.{n}")
        assert attempt(client, username="Alice" if n % 2 else "alice").status_code == 200
    fresh = client_at(app, "198.51.100.200")
    assert_limited(attempt(fresh, username="ALICE"), USER_LIMITED)
    # The address itself is not limited: another user name gets through.
    assert attempt(fresh, username="bob").status_code == 200


def test_x_forwarded_for_is_ignored_without_proxies(make_app):
    client = make_app().test_client()
    for n in range(10):
        forwarded = {"X-Forwarded-For": f"203.0.113.{n}"}
        assert attempt(client, username=f"user-{n}", **forwarded).status_code == 200
    forwarded = {"X-Forwarded-For": "203.0.113.99"}
    assert_limited(attempt(client, username="user-10", **forwarded), ADDRESS_LIMITED)


def test_x_forwarded_for_is_the_client_behind_one_proxy(make_app):
    client = make_app(PROXIES=1).test_client()  # every request from 127.0.0.1, the proxy
    for n in range(10):
        # A client may send its own X-Forwarded-For: the proxy's last entry counts.
        forwarded = {"X-Forwarded-For": f"10.9.9.{n}, 203.0.113.1"}
        assert attempt(client, username=f"user-{n}", **forwarded).status_code == 200
    limited = attempt(client, username="user-10", **{"X-Forwarded-For": "203.0.113.1"})
    assert_limited(limited, ADDRESS_LIMITED)
    other = attempt(client, username="user-11", **{"X-Forwarded-For": "203.0.113.2"})
    assert other.status_code == 200


@pytest.mark.parametrize(
    "config",
    [{"RATE_LIMITS_ENABLED": False}, {"LOGIN_LIMIT_PER_ADDRESS": "", "LOGIN_LIMIT_PER_USER": ""}],
    ids=["all", "one-by-one"],
)
def test_limits_can_be_turned_off(make_app, config):
    client = make_app(**config).test_client()
    for _ in range(15):
        assert attempt(client).status_code == 200


def test_the_launch_past_the_limit_is_429_and_launches_nothing(make_app):
    app = make_app(LAUNCH_LIMIT="2 per hour")
    wizard = Wizard(app.test_client())
    wizard.login()
    for n in range(2):
        wizard.open()
        wizard.fill_all(name=f"web-{n}")
        assert wizard.launch().status_code == 303
    assert len(_servers(app)) == 2

    wizard.open()
    wizard.fill_all(name="one-too-many")  # the other buttons are not limited
    pattern = re.compile(
        r"Too many launches: at most 2 per hour for each user\. Try again in (\d+) minutes\."
    )
    for htmx in (False, True):
        response = wizard.launch(htmx=htmx)
        html = response.get_data(as_text=True)
        assert response.status_code == 429, html
        minutes = int(pattern.search(html)[1])
        assert 59 <= minutes <= 60
        assert 3540 < int(response.headers["Retry-After"]) <= 3600
        if htmx:
            assert response.headers["HX-Retarget"] == "#messages"
    assert sorted(s.name for s in _servers(app)) == ["web-0", "web-1"]
    # What was typed is kept for later.
    assert 'value="one-too-many"' in wizard.page("details")


def test_apps_sharing_redis_share_the_login_count(make_app, redis_server):
    first = make_app(REDIS_URL=redis_server.url).test_client()
    second = make_app(REDIS_URL=redis_server.url).test_client()
    for n in range(10):
        client = first if n % 2 else second
        assert attempt(client, username=f"shared-{n}").status_code == 200
    assert_limited(attempt(first, username="shared-10"), ADDRESS_LIMITED)
    assert_limited(attempt(second, username="shared-11"), ADDRESS_LIMITED)


def _servers(app):
    provider = app.extensions["skiff.cloud"]
    identity = provider.login("demo", "demo")
    return provider.connect(identity).list_servers()
