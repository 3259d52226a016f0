"""Launching a server on the demo cloud and pressing "launch again like this" for
it, through the test client, as the servers page's button would."""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask

from tests.helpers.state import wizard_record
from tests.helpers.wizard import Wizard
from webapp.cloud.base import CloudConnection
from webapp.cloud.demo import data

PRIVATE = next(n.id for n in data.NETWORKS if n.name == "private")
SHARED = next(n.id for n in data.NETWORKS if n.name == "shared-net")


def messages(html: str) -> list[str]:
    """The messages and errors listed on a page."""
    return re.findall(r"<li>([^<]+)</li>", html)


def demo_connection(app: Flask) -> CloudConnection:
    """The demo user's connection, to read servers back as the cloud has them."""
    provider = app.extensions["skiff.cloud"]
    connection: CloudConnection = provider.connect(provider.login("demo", "demo"))
    return connection


def launch(wizard: Wizard, **post: Any) -> str:
    """Launch the wizard filled so far from its config step; the new server's id."""
    response = wizard.launch(**post)
    assert response.status_code == 303, messages(response.get_data(as_text=True))
    return str(response.headers["Location"].rsplit("/", 1)[1])


def launch_web(wizard: Wizard, **options: Any) -> str:
    """Open a wizard and launch "web" with many options (image, flavor, two
    networks, two security groups, a key pair, description, metadata, tags,
    config drive); its id."""
    wizard.open()
    wizard.fill_all(
        name="web",
        flavor="m1.small",
        description="front end",
        nic_2=SHARED,
        security_groups=["web", "ssh"],
        **options,
    )
    return launch(wizard, metadata="role=web\nteam=ops", tags="blue, green", config_drive="y")


def press_again(wizard: Wizard, server_id: str, *, htmx: bool = False, token: bool = True):
    """POST the server's "launch again like this" button; the raw response."""
    data = {"csrf_token": wizard.token} if token else {}
    headers = {"HX-Request": "true"} if htmx else {}
    return wizard.client.post(f"/launch/again/{server_id}", data=data, headers=headers)


def landed(response, *, htmx: bool) -> str:
    """Where a successful press sends the browser: a 303, or htmx's HX-Redirect."""
    if htmx:
        assert response.status_code == 200, response.status_code
        assert "Location" not in response.headers
        return str(response.headers["HX-Redirect"])
    assert response.status_code == 303, response.status_code
    assert "HX-Redirect" not in response.headers
    return str(response.headers["Location"])


def follow(wizard: Wizard, url: str) -> str:
    """Make ``url`` (``/launch/<id>/<step>``) the wizard the helper drives; the
    step's page, its entities decoded (``"`` rather than ``&#34;``)."""
    wizard.url = url.rsplit("/", 1)[0]
    return html.unescape(wizard.client.get(url).get_data(as_text=True))


def saved_input(app: Flask, wizard: Wizard) -> dict[str, dict[str, list[str]]]:
    """What the wizard the helper drives holds as typed, per step."""
    record = wizard_record(app, wizard.client, wizard.url.rsplit("/", 1)[1])
    assert record is not None
    found: dict[str, dict[str, list[str]]] = record["input"]
    return found


def saved_errors(app: Flask, wizard: Wizard) -> dict[str, dict[str, list[str]]]:
    """The errors the wizard the helper drives holds, per step then field."""
    record = wizard_record(app, wizard.client, wizard.url.rsplit("/", 1)[1])
    assert record is not None
    found: dict[str, dict[str, list[str]]] = record["errors"]
    return found
