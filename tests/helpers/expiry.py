"""Servers that expire, in tests: an app with expiry settings, demo servers with
an expiry, a fake operator's cloud, and reading what the pages and the expire
command say."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from tests.helpers.demo import request
from webapp import create_app
from webapp.cloud.errors import CloudError
from webapp.cloud.models import Server
from webapp.cloud.operator import OperatorCloud
from webapp.cloud.operator import ProjectServer
from webapp.expiry.lease import EXPIRES_AT
from webapp.expiry.lease import EXPIRY_ACTION
from webapp.expiry.lease import iso
from webapp.expiry.lease import read_expiry

HTMX = {"HX-Request": "true"}
#: the moment the unit tests treat as now
NOW = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)


def expiry_app(tmp_path, **config: Any):
    """An app on the demo cloud (builds and actions at once) with these settings."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DEMO_BUILD_SECONDS": 0,
            "DEMO_DATABASE": str(tmp_path / "demo.sqlite"),
            "SUBMIT_WAIT": 2,
            **config,
        },
        instance_path=str(tmp_path),
    )


def expiring(moment: datetime, action: str = "stop", **metadata: str) -> dict[str, str]:
    """Metadata of a server expiring at ``moment``."""
    return {EXPIRES_AT: iso(moment), EXPIRY_ACTION: action, **metadata}


def demo_server(app, *, name: str, metadata: dict[str, str], user="demo", project=None) -> str:
    """Create a server straight in the demo cloud (as ``user``, in ``project``
    by name, default their first); its id."""
    provider = app.extensions["skiff.cloud"]
    identity = provider.login(user, user)
    if project is not None:
        chosen = next(p for p in identity.projects if p.name == project)
        identity = provider.switch_project(identity, chosen.id)
    connection = provider.connect(identity)
    (server,) = connection.create_servers(request(name=name, metadata=metadata))
    return server.id


def all_servers(operator: OperatorCloud) -> list[ProjectServer]:
    """Every server an operator's cloud lists, region by region."""
    return [found for region in operator.regions() for found in operator.list_servers_in(region)]


def demo_servers(app) -> dict[str, Server]:
    """Every server of every demo project, by id, as the demo cloud has them now."""
    from webapp.cloud.demo.operator import DemoOperator

    operator = DemoOperator(app.extensions["skiff.cloud"].store)
    return {found.server.id: found.server for found in all_servers(operator)}


def expires_at(server: Server) -> datetime:
    """When the server expires (it must)."""
    expiry = read_expiry(server.metadata)
    assert expiry is not None, server.metadata
    return expiry.expires_at


def around(moment: datetime, expected: datetime, *, slack: float = 5) -> bool:
    """Whether ``moment`` is ``expected`` give or take ``slack`` seconds."""
    return abs((moment - expected).total_seconds()) <= slack


def hours_from_now(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


def log_lines(text: str, server_id: str) -> list[str]:
    """The expire command's lines about one server."""
    return [line for line in text.splitlines() if f"server={server_id} " in line]


def outcome_of(line: str) -> str:
    """The outcome a log line says."""
    found = re.search(r'outcome="([^"]*)"', line)
    assert found, line
    return found.group(1)


def expiry_cell(html: str, server_id: str) -> str:
    """The list's expiry cell of a server."""
    found = re.search(rf'<td data-label="Expires" id="expiry-{server_id}".*?</td>', html, re.S)
    assert found, f"no expiry cell for {server_id}"
    return found.group(0)


def expiry_section(html: str) -> str | None:
    """The server page's expiry section, None when there is none."""
    found = re.search(r'<section id="server-expiry".*?</section>', html, re.S)
    return found.group(0) if found else None


@dataclass
class FakeOperator:
    """An operator's cloud holding ``servers`` (in their regions); records what
    it is asked to do, raises ``failing``'s error for the servers it names and
    ``unlisted``'s for listing the regions it names."""

    servers: list[ProjectServer]
    calls: list[tuple[str, str]] = field(default_factory=list)
    failing: dict[str, CloudError] = field(default_factory=dict)
    label: str = "fake cloud"
    #: regions whose listing raises this error
    unlisted: dict[str, CloudError] = field(default_factory=dict)

    def regions(self) -> list[str]:
        return sorted({found.region for found in self.servers} | set(self.unlisted))

    def list_servers_in(self, region: str) -> list[ProjectServer]:
        if region in self.unlisted:
            raise self.unlisted[region]
        return [found for found in self.servers if found.region == region]

    def stop_server(self, found: ProjectServer) -> None:
        self._act("stop", found)

    def delete_server(self, found: ProjectServer) -> None:
        self._act("delete", found)

    def _act(self, action: str, found: ProjectServer) -> None:
        self.calls.append((action, found.server.id))
        if found.server.id in self.failing:
            raise self.failing[found.server.id]
