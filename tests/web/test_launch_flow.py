"""The launch wizard end to end through Flask's test client, without HTMX."""

import re

from tests.helpers.wizard import Wizard


def test_anonymous_user_is_sent_to_login_and_back(client):
    response = client.get("/launch/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login?next=/launch/")


def test_launch_through_every_step_reaches_active(wizard):
    wizard.open()
    wizard.fill_all(name="web-1", description="my first server")
    response = wizard.launch(user_data="#!/bin/sh\necho hi\n")
    assert response.status_code == 303
    server_url = response.headers["Location"]
    assert re.fullmatch(r"/servers/[0-9a-f-]{36}", server_url)
    page = wizard.client.get(server_url).get_data(as_text=True)
    assert 'data-status="ACTIVE"' in page
    assert "demo-key" in page
    assert "my first server" in page
    assert "private: 10.0.0." in page


def test_session_cookie_is_an_httponly_lax_id_without_the_token(client):
    response = Wizard(client).login()
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("skiff_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert len(value) < 64  # an id, not the data: the identity stays server-side
    assert "auth_state" not in client.get("/launch/", follow_redirects=True).get_data(as_text=True)


def test_login_rotates_the_session_id(client):
    wizard = Wizard(client)
    client.get("/auth/login")
    before = client.get_cookie("skiff_session")
    wizard.login()
    after = client.get_cookie("skiff_session")
    assert after is not None
    assert before is None or before.value != after.value


def test_static_files_are_compressed_and_cached_for_long(client):
    response = client.get("/static/vendor/htmx-2.0.11.min.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.data) < 20_000  # 52 KB uncompressed
    assert "max-age=31536000" in response.headers["Cache-Control"]
