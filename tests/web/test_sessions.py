"""Sessions on the state store: nothing stored for anonymous visitors, a login
kept field by field, a new id and CSRF token at login, everything gone at logout,
pages that only read write nothing, and a clear 503 when the store is down."""

from __future__ import annotations

import os
import sqlite3

import pytest

from tests.helpers.redis_server import RedisServer
from tests.helpers.state import wizard_record
from tests.helpers.wizard import Wizard
from webapp import create_app
from webapp.cloud.demo import data as demo_data
from webapp.state import LOGIN
from webapp.state import listed_wizards
from webapp.state import state

COOKIE = "skiff_session"


def rows(app) -> dict[str, int]:
    """How many rows each table of the SQLite store holds (none before it exists)."""
    if not os.path.exists(f"{app.instance_path}/state.sqlite"):
        return {}
    db = sqlite3.connect(f"file:{app.instance_path}/state.sqlite?mode=ro", uri=True)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        db.close()


def cookie(client) -> str | None:
    found = client.get_cookie(COOKIE)
    return found.value if found else None


def test_anonymous_visits_store_nothing_and_keep_the_login_form_protected(app, client):
    before = rows(app)
    for _ in range(20):
        assert client.get("/auth/login").status_code == 200
    assert rows(app) == before
    # The CSRF token is in a signed cookie: a forged one is refused.
    assert not cookie(client).startswith("s-")
    client.set_cookie(COOKIE, cookie(client)[:-2] + "xx")
    response = client.post("/auth/login", data={"username": "demo", "password": "demo"})
    assert response.status_code == 400


def test_login_moves_to_a_new_server_side_id_with_a_new_csrf_token(app, client):
    wizard = Wizard(client)
    anonymous_token = wizard.csrf()
    anonymous_cookie = cookie(client)
    assert wizard.login().status_code == 303
    assert cookie(client).startswith("s-") and cookie(client) != anonymous_cookie
    assert wizard.csrf(client.get("/servers/").get_data(as_text=True)) != anonymous_token


def test_logout_deletes_the_login_and_its_wizards(app, wizard):
    wizard.open()
    wizard.post("details", name="gone-soon", count="1")
    wizard_id = wizard.url.rsplit("/", 1)[1]
    assert wizard_record(app, wizard.client, wizard_id)["input"]["details"]["name"] == ["gone-soon"]
    with wizard.client.session_transaction() as session:
        login = session[LOGIN]
    logged_in = cookie(wizard.client)
    wizard.client.post("/auth/logout", data={"csrf_token": wizard.token})
    assert not cookie(wizard.client).startswith("s-")
    with app.app_context():
        assert state().store.fields(f"session:{logged_in.removeprefix('s-')}") == {}
        assert state().store.versioned(f"wizard:{login}:{wizard_id}") is None
    # The old cookie, replayed, is nobody.
    wizard.client.set_cookie(COOKIE, logged_in)
    assert wizard.client.get(f"{wizard.url}/details").status_code == 303


def test_another_user_in_the_same_browser_sees_none_of_the_wizards(app, wizard, monkeypatch):
    # Alice works in the same project as demo: only the login keeps them apart.
    monkeypatch.setitem(
        demo_data.USERS, "alice", {"id": "alice-id", "password": "alice", "projects": ("demo",)}
    )
    wizard.open()
    wizard.post("details", name="first-users", count="1")
    first_url = wizard.url
    with wizard.client.session_transaction() as session:
        first_login = session[LOGIN]
        session.pop("identity")  # the first user's token expired
    Wizard(wizard.client).login("alice", "alice")
    with wizard.client.session_transaction() as session:
        assert session[LOGIN] != first_login
    response = wizard.client.get(f"{first_url}/details")
    assert response.status_code == 303  # a new wizard, not the first user's
    assert "first-users" not in wizard.client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_pages_that_only_read_write_nothing(app, wizard):
    wizard.open()
    wizard.post("details", name="steady", count="1")
    wizard.page("details")  # the first page after a save may consume a message
    before = _snapshot(app)
    for slug in ("details", "source", "review"):
        wizard.page(slug)
        wizard.page(slug, **{"HX-Request": "true"})
    wizard.client.get("/servers/")
    assert _snapshot(app) == before


def _snapshot(app) -> list[tuple]:
    db = sqlite3.connect(f"file:{app.instance_path}/state.sqlite?mode=ro", uri=True)
    try:
        return [
            *db.execute("SELECT key, field, value FROM fields ORDER BY key, field"),
            *db.execute("SELECT key, value, version FROM versioned ORDER BY key"),
        ]
    finally:
        db.close()


@pytest.fixture(scope="module")
def redis_server():
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_app(tmp_path, redis_server):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DEMO_BUILD_SECONDS": 0,
            "DEMO_DATABASE": str(tmp_path / "demo.sqlite"),
            "REDIS_URL": redis_server.url,
        },
        instance_path=str(tmp_path),
    )
    yield app
    with app.app_context():
        state().store.client.close()


def test_a_store_that_is_down_is_a_clear_503_plain_and_htmx(redis_app, redis_server):
    wizard = Wizard(redis_app.test_client())
    wizard.login()
    wizard.open()
    wizard.post("details", name="kept", count="1")
    redis_server.stop()
    try:
        plain = wizard.client.get(f"{wizard.url}/details")
        htmx = wizard.post("details", htmx=True, name="typed while down", count="1")
    finally:
        redis_server.start()
    assert plain.status_code == 503
    assert "session store is not answering; what you typed is kept" in plain.get_data(as_text=True)
    assert htmx.status_code == 503
    assert htmx.headers["HX-Retarget"] == "#messages"
    assert "what you typed is kept" in htmx.get_data(as_text=True)
    # Back up: the wizard is as it was saved before the outage.
    assert 'value="kept"' in wizard.page("details")


def test_a_get_makes_no_wizard(app, wizard):
    for query in ("", "?image=x&name=from-a-link"):
        page = wizard.client.get("/launch/" + query)
        assert page.status_code == 200
        assert ">Details</h2>" in page.get_data(as_text=True)
    with wizard.client.session_transaction() as session:
        login = session[LOGIN]
    with app.app_context():
        assert listed_wizards(login) == []
    # The page's first post makes it, with the link's pre-fill.
    wizard.open("?name=from-a-link")
    assert 'value="from-a-link"' in wizard.page("details")
    with app.app_context():
        assert listed_wizards(login) == [wizard.url.rsplit("/", 1)[1]]


def test_a_launched_wizard_takes_no_more_input(app, wizard):
    wizard.open()
    wizard.fill_all(name="done-deal")
    launched = wizard.launch()
    assert launched.status_code == 303
    for htmx in (False, True):
        late = wizard.post("details", htmx=htmx, name="changed-after", count="1")
        target = late.headers.get("HX-Redirect") if htmx else late.headers["Location"]
        assert target == launched.headers["Location"]
    record = wizard_record(app, wizard.client, wizard.url.rsplit("/", 1)[1])
    assert "changed-after" not in repr(record)
    assert record["result"]["server_ids"]


def test_hsts_only_when_cookies_are_secure_on_https(tmp_path):
    def headers(secure, base_url="https://localhost"):
        config = {"TESTING": True, "SECRET_KEY": "t", "SESSION_COOKIE_SECURE": secure}
        folder = tmp_path / f"{secure}-{base_url[:5]}"
        app = create_app(
            {**config, "DEMO_DATABASE": str(folder / "demo.sqlite")}, instance_path=str(folder)
        )
        return app.test_client().get("/auth/login", base_url=base_url).headers

    assert headers(True)["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in headers(False)
    # Over plain HTTP a browser ignores it anyway (RFC 6797): not sent.
    assert "Strict-Transport-Security" not in headers(True, "http://localhost")
