"""Every page in Simplified Chinese: no English word of ours left on it.

One portal is walked once, as a user whose language is zh_CN: the login page
(also after a wrong password), each step of the wizard (also with errors), Review,
a launch, the server list and page, the console, each confirm page (plain and
htmx), the error pages. On each, the visible text (text and shown attributes) may
hold English only where it is the cloud's (names from the demo cloud's data) or a
term every language keeps (see :data:`tests.helpers.i18n.ALLOWED`).
"""

from __future__ import annotations

import re

import pytest

from tests.helpers import profiles
from tests.helpers.i18n import english_words
from tests.helpers.servers import Servers
from tests.helpers.servers import demo_connection
from tests.helpers.wizard import Wizard
from webapp import create_app
from webapp.cloud.demo.build import NO_HOST_FAULT
from webapp.cloud.lifecycle import DESTRUCTIVE
from webapp.forms.launch import LaunchInstance
from webapp.i18n import LANGUAGE_COOKIE

HTMX = {"HX-Request": "true"}
#: what the test types: its names are the user's, shown as typed
TYPED = frozenset({"web", "zh", "noname", "profile"})
STEPS = [step.slug() for step in LaunchInstance.default_steps if not step.hidden]


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    """Page name -> its HTML, as a zh_CN user gets it."""
    path = tmp_path_factory.mktemp("zh")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DEMO_BUILD_SECONDS": 0,
            "DEMO_DATABASE": str(path / "demo.sqlite"),
            "RATE_LIMITS_ENABLED": False,
        },
        instance_path=str(path),
    )
    client = app.test_client()
    client.set_cookie(LANGUAGE_COOKIE, "zh_CN")
    found: dict[str, str] = {}

    def keep(name: str, response, status: int = 200) -> str:
        assert response.status_code == status, (name, response.status_code)
        found[name] = response.get_data(as_text=True)
        return found[name]

    wizard = Wizard(client)
    keep("login", client.get("/auth/login"))
    token = wizard.csrf()
    keep(
        "login refused",
        client.post("/auth/login", data={"username": "demo", "password": "x", "csrf_token": token}),
    )
    wizard.login()
    loading = keep("launch loading", client.get("/launch/"))  # this login has no lists yet
    assert 'class="panel loading"' in loading
    keep("launch start", client.get("/launch/?wait=1"))
    wizard.open()
    keep("details with errors", wizard.post("details", name="", count="0"))
    keep("details with errors (htmx)", wizard.post("details", htmx=True, name="", count="99"))
    keep("launch too early", wizard.post("details", nav="launch", name="web-zh"))
    wizard.fill_all(name="web-zh")
    saved = profiles.save(wizard, "profile-zh")
    assert saved.status_code in (200, 303), saved.status_code
    keep("profiles", client.get(profiles.PAGE))
    profile_id = profiles.listed(wizard)["profile-zh"]
    keep("confirm deleting a profile", profiles.delete(wizard, profile_id, confirmed=False))
    keep("launch page with a profile", client.get("/launch/?wait=1"))
    for slug in STEPS:  # every step can be shown once the ones before it are done
        keep(f"step {slug}", client.get(f"{wizard.url}/{slug}"))
        keep(f"step {slug} (htmx)", client.get(f"{wizard.url}/{slug}", headers=HTMX))
    launched = wizard.launch()
    assert launched.status_code == 303
    server_page = launched.headers["Location"]
    server_id = server_page.rsplit("/", 1)[1]
    keep("server page", client.get(server_page))
    leased = Servers(wizard).launch(name="web-zh-3", expires="after", expiry_amount="2")
    keep("server page with an expiry", client.get(f"/servers/{leased}"))
    keep("server status (htmx)", client.get(f"/servers/{server_id}/status", headers=HTMX))
    keep("server list", client.get("/servers/"))
    keep("console", client.get(f"/servers/{server_id}/console"))
    servers = Servers(wizard)
    for action in sorted(DESTRUCTIVE):
        keep(f"confirm {action}", servers.act(server_id, action))
        keep(f"confirm {action} (htmx)", servers.act(server_id, action, htmx=True))
    keep("confirm delete of many", servers.post("/servers/delete", selected=[server_id]))
    pool = demo_connection(app).list_floating_ip_pools()[0]
    servers.post(f"/servers/{server_id}/floating-ips", pool_id=pool.id)
    keep("server with a floating IP", client.get(server_page))
    floating = next(f for f in demo_connection(app).list_floating_ips() if f.port_id)
    remove = f"/servers/{server_id}/floating-ips/{floating.id}/remove"
    keep("confirm removing a floating IP", servers.post(remove))
    keep("confirm removing a floating IP (htmx)", servers.post(remove, htmx=True))
    keep("refused: start a running server", servers.act(server_id, "start", htmx=True), 409)
    stopped = servers.act(server_id, "stop", confirmed=True)
    keep("after stop", client.get(stopped.headers["Location"]))
    failed = Servers(wizard).launch(name="web-zh-2", flavor="r1.huge")  # no host takes it
    keep("server in error", client.get(f"/servers/{failed}"))
    keep("page not found", client.get("/nowhere"), 404)
    keep("server not found", client.get("/servers/0f0f0f0f-0000-0000-0000-000000000000"), 404)
    keep("form without its token", client.post("/servers/delete", data={}), 400)
    keep("error (htmx)", client.post("/servers/delete", data={}, headers=HTMX), 400)
    return found


def test_the_walk_reached_every_page(pages):
    assert {f"step {slug}" for slug in STEPS} <= set(pages)
    assert len(pages) > 30


@pytest.mark.parametrize(
    "name",
    [
        "login",
        "login refused",
        "launch start",
        *[f"step {slug}" for slug in STEPS],
        *[f"step {slug} (htmx)" for slug in STEPS],
        "details with errors",
        "details with errors (htmx)",
        "launch too early",
        "server page",
        "server status (htmx)",
        "server list",
        "console",
        *[f"confirm {action}" for action in sorted(DESTRUCTIVE)],
        *[f"confirm {action} (htmx)" for action in sorted(DESTRUCTIVE)],
        "confirm delete of many",
        "server with a floating IP",
        "confirm removing a floating IP",
        "confirm removing a floating IP (htmx)",
        "refused: start a running server",
        "launch loading",
        "profiles",
        "confirm deleting a profile",
        "launch page with a profile",
        "server page with an expiry",
        "after stop",
        "page not found",
        "server not found",
        "form without its token",
        "error (htmx)",
    ],
)
def test_no_english_word_of_ours_is_left(pages, name):
    html = pages[name]
    assert re.search(r"[\u4e00-\u9fff]", html), f"{name}: no Chinese at all"
    if "<html" in html:
        assert '<html lang="zh-CN">' in html
    left = english_words(html, also_allowed=TYPED)
    assert not left, f"{name}: English left: {left}"


def test_the_clouds_own_words_are_shown_as_they_came_beside_ours(pages):
    """Nova's fault text stays English (it is the cloud's); the explanation of it
    and everything around it are Chinese."""
    html = pages["server in error"]
    assert 'data-status="ERROR"' in html
    assert NO_HOST_FAULT in html
    assert "没有计算主机能容纳此实例" in html  # the likely cause, translated
    left = english_words(html, also_allowed=TYPED | frozenset(re.findall(r"\w+", NO_HOST_FAULT)))
    assert not left, left
