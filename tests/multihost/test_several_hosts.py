"""Several hosts without sticky sessions: a whole launch wizard through a real
haproxy spreading requests over two gunicorn processes on one Redis, while one
host goes away and Redis restarts, ending in one launch however often it is sent."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from tests.helpers.choices import choice_value

pytestmark = pytest.mark.multihost

#: the test's requests, told apart from haproxy's health checks in the access logs
AGENT = "skiff-multihost-test"
TIMEOUT = 20
STORE_DOWN = "The portal's session store is not answering; what you typed is kept."
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

NAME = "multihost-web"
DESCRIPTION = "Two hosts & one Redis, <no> sticky sessions"
#: the script as typed: a browser posts a textarea's lines with CRLF, the app keeps LF
USER_DATA = "#!/bin/sh\necho 'héllo from Skiff ✓' > /etc/motd\nexit 0\n"
METADATA_LINES = "role=web\nowner = ops team\n"
METADATA = {"role": "web", "owner": "ops team"}
#: what the Review step shows of it: term -> the start of its description
REVIEW = {
    "Name": NAME,
    "Description": DESCRIPTION,
    "Boot source": "cirros",
    "Flavor": "m1.tiny",
    "Networks": "private",
    "Key pair": "demo-key",
    "Security groups": "default</dd>",
}


class Browser:
    """A plain HTTP client that posts the page's CSRF token and follows no
    redirect by itself, as a browser without JavaScript would (but checkable)."""

    def __init__(self, url: str, cookies: requests.cookies.RequestsCookieJar | None = None):
        self.url = url
        self.http = requests.Session()
        self.http.trust_env = False  # no proxy for a loopback address
        self.http.headers["User-Agent"] = AGENT
        if cookies is not None:
            self.http.cookies.update(cookies)
        self.token = ""

    def get(self, path: str, **headers: str) -> requests.Response:
        """GET a page and keep the CSRF token it carries, if any."""
        response = self.http.get(
            urljoin(self.url, path), headers=headers, allow_redirects=False, timeout=TIMEOUT
        )
        found = CSRF.search(response.text)
        if found:
            self.token = found.group(1)
        return response

    def post(self, path: str, **data: str) -> requests.Response:
        """POST a form with the CSRF token of the last page."""
        return self.http.post(
            urljoin(self.url, path),
            data={"csrf_token": self.token, **data},
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    def follow(self, response: requests.Response, to: str) -> requests.Response:
        """Check that ``response`` is a 303 to a URL ending in ``to``, and GET it."""
        assert response.status_code == 303, (response.status_code, messages(response.text))
        assert response.headers["Location"].endswith(to), response.headers["Location"]
        return self.get(response.headers["Location"])

    def second_tab(self) -> Browser:
        """Another client with the same cookies and token (a second click, a tab)."""
        other = Browser(self.url, self.http.cookies)
        other.token = self.token
        return other


def messages(html: str) -> list[str]:
    """The errors and messages a page shows."""
    found = re.findall(r"<li>([^<]+)</li>|role=.?alert.?>([^<]+)<", html)
    return [item or message for item, message in found]


def option(html: str, label: str) -> str:
    """The value of the option, flavor radio or boot source whose label starts
    with ``label``."""
    found = choice_value(html, label)
    assert found, f"no option {label!r}"
    return found


def step(browser: Browser, wizard: str, slug: str, then: str, **data: str) -> str:
    """Post a step with Next; it must move on to the step ``then``: its page."""
    page = browser.follow(browser.post(f"{wizard}/{slug}", nav="next", **data), to=f"/{then}")
    assert page.status_code == 200, (then, page.status_code)
    return page.text


def launched(database: Path, name: str) -> list[sqlite3.Row]:
    """The demo cloud's servers named ``name``, read from its state file."""
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM servers WHERE name = ?", (name,)).fetchall()
    finally:
        db.close()


def test_a_wizard_outlives_a_host_and_a_redis_restart_and_launches_once(hosts):
    app1, app2 = hosts.portals["app1"], hosts.portals["app2"]
    browser = Browser(hosts.balancer.url)

    # Log in and open a wizard, as anyone would: through haproxy only.
    login = browser.get("/auth/login")
    assert login.status_code == 200
    assert login.headers["Server"] == "skiff"  # gunicorn.conf.py: no server banner
    page = browser.follow(browser.post("/auth/login", username="demo", password="demo"), "/launch/")
    assert page.status_code == 200, page.status_code
    opened = browser.post("/launch/", nav="back")  # the page's first post makes the wizard
    assert opened.status_code == 303, opened.status_code
    wizard = opened.headers["Location"].rsplit("/", 1)[0]
    assert browser.follow(opened, to=f"{wizard}/details").status_code == 200

    html = step(
        browser,
        wizard,
        "details",
        "source",
        name=NAME,
        count="1",
        availability_zone="nova",
        description=DESCRIPTION,
    )
    html = step(browser, wizard, "source", "flavor", source_id=option(html, "cirros"))
    html = step(browser, wizard, "flavor", "network", flavor=option(html, "m1.tiny"))
    network = option(html, "private")

    # One host goes away mid-wizard: haproxy sees it and sends everything to the other.
    app1.stop()
    hosts.balancer.wait_for({"app1": "DOWN", "app2": "UP"})
    served_by_app1 = app1.requests_from(AGENT)
    assert served_by_app1, "haproxy sent app1 nothing before it stopped"
    step(browser, wizard, "network", "access", nic_1=network)
    html = step(browser, wizard, "access", "config", keypair="demo-key", security_groups="default")

    # Redis restarts: meanwhile every page says so (503), then all is as it was.
    hosts.redis.stop()
    try:
        plain = browser.get(f"{wizard}/config")
        htmx = browser.get(f"{wizard}/config", **{"HX-Request": "true"})
    finally:
        hosts.redis.start()
    assert plain.status_code == 503, plain.text[:500]
    assert STORE_DOWN in unescape(plain.text)
    assert htmx.status_code == 503, htmx.text[:500]
    assert STORE_DOWN in unescape(htmx.text)
    assert htmx.headers["HX-Retarget"] == "#messages"

    assert browser.get(f"{wizard}/config").status_code == 200
    review = step(
        browser,
        wizard,
        "config",
        "review",
        user_data=USER_DATA.replace("\n", "\r\n"),
        metadata=METADATA_LINES.replace("\n", "\r\n"),
    )

    # Every value typed on either host, before and after the restart, is there.
    review = unescape(review)
    for term, value in REVIEW.items():
        assert f"<dt>{term}</dt><dd>{value}" in review, (term, value)
    assert re.search(r"script of \d+ bytes", review), messages(review)
    config = unescape(browser.get(f"{wizard}/config").text)
    assert USER_DATA in config
    assert METADATA_LINES in config

    # The host comes back; a double click on Launch goes to both hosts at once.
    app1.start()
    hosts.balancer.wait_for({"app1": "UP", "app2": "UP"})
    assert browser.get(f"{wizard}/review").status_code == 200
    clicks = [browser.second_tab() for _ in range(2)]
    together = threading.Barrier(len(clicks))

    def click(tab: Browser) -> requests.Response:
        together.wait(timeout=TIMEOUT)
        return tab.post(f"{wizard}/review", nav="launch")

    with ThreadPoolExecutor(len(clicks)) as pool:
        answers = list(pool.map(click, clicks))
    assert [a.status_code for a in answers] == [303, 303], [messages(a.text) for a in answers]
    locations = {a.headers["Location"] for a in answers}
    assert len(locations) == 1, locations
    server_page = browser.get(locations.pop())
    assert server_page.status_code == 200
    assert NAME in unescape(server_page.text)

    # One server, with exactly what was typed.
    rows = launched(hosts.demo_database, NAME)
    assert len(rows) == 1, [dict(r) for r in rows]
    server = rows[0]
    assert server_page.url.endswith(server["id"])
    assert server["user_data"].encode() == USER_DATA.encode()
    assert server["description"] == DESCRIPTION
    assert json.loads(server["details"])["metadata"] == METADATA
    assert server["key_name"] == "demo-key"
    assert json.loads(server["security_groups"]) == ["default"]

    # Both hosts served the wizard; the steps posted while app1 was down went to app2.
    for portal in (app1, app2):
        portal.stop()  # its access log is complete once it has stopped
    on_app1, on_app2 = app1.requests_from(AGENT), app2.requests_from(AGENT)
    assert on_app2 and len(on_app1) > len(served_by_app1)
    for slug in ("network", "access", "config"):
        assert f"POST {wizard}/{slug} HTTP/1.1" in on_app2
        assert f"POST {wizard}/{slug} HTTP/1.1" not in on_app1
    # Round robin sent one click to each host: the submit guard held across hosts.
    for served in (on_app1, on_app2):
        assert served.count(f"POST {wizard}/review HTTP/1.1") == 1, served
