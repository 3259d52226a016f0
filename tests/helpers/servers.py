"""Driving the servers pages through the test client: launching a few servers,
posting their actions like a browser (plain or HTMX), counting cloud calls."""

from __future__ import annotations

import re
import time
from collections import Counter
from contextlib import contextmanager

import pytest

from tests.helpers.wizard import Wizard
from webapp.cloud import errors

HTMX = {"HX-Request": "true"}


class CountingConnection:
    """A connection that counts the calls made through it, by method name."""

    def __init__(self, connection, calls: Counter):
        self._connection = connection
        self._calls = calls

    def __getattr__(self, name):
        attribute = getattr(self._connection, name)
        if not callable(attribute):
            return attribute

        def counted(*args, **kwargs):
            self._calls[name] += 1
            return attribute(*args, **kwargs)

        return counted


@contextmanager
def counted_calls(app, monkeypatch):
    """Count every cloud call the app makes while the block runs (a Counter)."""
    provider = app.extensions["skiff.cloud"]
    calls: Counter = Counter()
    connect = provider.connect
    monkeypatch.setattr(
        provider, "connect", lambda identity: CountingConnection(connect(identity), calls)
    )
    yield calls


def demo_connection(app):
    """A connection of the demo user to the demo project, outside any request."""
    provider = app.extensions["skiff.cloud"]
    return provider.connect(provider.login("demo", "demo"))


class Servers:
    """Launches servers with the wizard and acts on them like a browser would."""

    def __init__(self, wizard: Wizard):
        self.wizard = wizard
        self.client = wizard.client

    def launch(self, name="web-1", **fields) -> str:
        """Launch one server; returns its id."""
        self.wizard.open()
        self.wizard.fill_all(name=name, **fields)
        response = self.wizard.launch()
        assert response.status_code == 303, response.status_code
        return response.headers["Location"].rsplit("/", 1)[1]

    def token(self, server_id: str | None = None) -> str:
        url = f"/servers/{server_id}" if server_id else "/servers/"
        return self.wizard.csrf(self.client.get(url).get_data(as_text=True))

    def page(self, server_id: str, **headers) -> str:
        response = self.client.get(f"/servers/{server_id}", headers=headers)
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    def post(self, url: str, *, htmx=False, confirmed=False, **data):
        data = {"csrf_token": self.token(), **data}
        if confirmed:
            data["confirmed"] = "1"
        return self.client.post(url, data=data, headers=HTMX if htmx else {})

    def act(self, server_id: str, action: str, **kwargs):
        return self.post(f"/servers/{server_id}/{action}", **kwargs)


def buttons(html: str) -> list[str]:
    """The labels of the action buttons on a page or fragment."""
    area = re.search(r'<div id="server-actions".*?</div>', html, re.S)
    return re.findall(r"<button[^>]*>([^<]+)</button>", area.group(0)) if area else []


def poll_trigger(html: str) -> str | None:
    """The status fragment's hx-trigger, None when it does not poll."""
    section = re.search(r'<section id="server-status"[^>]*>', html, re.S)
    assert section, "no status section"
    found = re.search(r'hx-trigger="([^"]+)"', section.group(0))
    return found.group(1) if found else None


def poll_url(html: str) -> str:
    section = re.search(r'<section id="server-status"[^>]*>', html, re.S).group(0)
    return re.search(r'hx-get="([^"]+)"', section).group(1).replace("&amp;", "&")


def wait_for_final(wizard, url, timeout=90):
    """Poll a server page like htmx until ACTIVE or ERROR: (status, fragment)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = wizard.client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        status = re.search(r'data-status="(\w+)"', html).group(1)
        if status in ("ACTIVE", "ERROR"):
            return status, html
        time.sleep(1)
    raise AssertionError(f"{url} still {status} after {timeout} s")


def wait_for(conn, server_id, *, timeout=60.0):
    """Read the server through a cloud connection until nothing changes (or
    ``timeout``): the server as last read."""
    deadline = time.monotonic() + timeout
    while True:
        server = conn.get_server(server_id)
        if server.is_final or time.monotonic() > deadline:
            return server
        time.sleep(1)


def wait_until_gone(conn, server_id, *, timeout=30.0):
    """Wait until the cloud no longer knows the server; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn.get_server(server_id)
        except errors.NotFound:
            return
        time.sleep(1)
    pytest.fail(f"server {server_id} was not deleted in {timeout} s")
