"""The launch wizard end to end through Flask's test client, without HTMX."""

import re


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
    assert "Status: <strong>ACTIVE</strong>" in page
    assert "demo-key" in page
    assert "my first server" in page
    assert "private: 10.0.0." in page
