"""Logging users in to the demo cloud and opening their connections.

The demo users and their projects are fixed (:mod:`.data`). A login is not recorded
anywhere: :attr:`Identity.auth_state` holds only the chosen project and when the
login expires, and :meth:`DemoProvider.connect` refuses an expired one.
"""

from __future__ import annotations

import hmac
import json
import sqlite3
import time
from contextlib import AbstractContextManager

from webapp.cloud.demo import data
from webapp.cloud.demo.connection import DemoConnection
from webapp.cloud.demo.store import DemoStore
from webapp.cloud.errors import NotFound
from webapp.cloud.errors import Unauthorized
from webapp.cloud.models import Identity
from webapp.cloud.models import Project
from webapp.i18n import lazy_gettext as _l

__all__ = ["DemoProvider"]

NO_WEBSSO = _l(
    "Single sign-on is not offered on the demo cloud: log in with a demo account's password."
)


class DemoProvider:
    """Logs the demo users in and opens :class:`DemoConnection` objects (a CloudProvider).

    :param path: the SQLite file holding the demo cloud's state.
    :param build_seconds: how long a server stays in BUILD.
    :param action_seconds: how long a stop, start or reboot takes (None: half the
        build time).
    :param boot_seconds: how long a server's console log takes to reach
        cloud-init's last line once it runs (None: the build time).
    :param token_ttl: how long a login lasts, in seconds.
    :param latency: seconds every call sleeps, to feel like a real cloud.
    """

    label = _l("Demo cloud")
    is_demo = True

    def __init__(
        self,
        path: str,
        *,
        build_seconds: float = 3.0,
        action_seconds: float | None = None,
        boot_seconds: float | None = None,
        token_ttl: float = 12 * 3600,
        latency: float = 0.0,
    ) -> None:
        #: the state every connection of this provider shares
        self.store = DemoStore(
            path,
            build_seconds=build_seconds,
            action_seconds=action_seconds,
            boot_seconds=boot_seconds,
            latency=latency,
        )
        self.token_ttl = token_ttl

    @property
    def build_seconds(self) -> float:
        """How long a server stays in BUILD (the store's, which may be changed)."""
        return self.store.build_seconds

    @build_seconds.setter
    def build_seconds(self, seconds: float) -> None:
        self.store.build_seconds = seconds

    def db(self) -> AbstractContextManager[sqlite3.Connection]:
        """A connection to the state file for one ``with`` block (see :meth:`DemoStore.db`)."""
        return self.store.db()

    def login(
        self,
        username: str,
        password: str,
        domain: str | None = None,
        project_id: str | None = None,
    ) -> Identity:
        self.store.pause()
        user = data.USERS.get(username)
        if user is None or not hmac.compare_digest(user["password"], password):
            raise Unauthorized(_l("Invalid user name or password."))
        projects = tuple(Project(data.PROJECTS[name]["id"], name) for name in user["projects"])
        chosen = next((p for p in projects if p.id == project_id), projects[0])
        return self._identity(username, user["id"], chosen, projects)

    def switch_project(self, identity: Identity, project_id: str) -> Identity:
        self.store.pause()
        project = next((p for p in identity.projects if p.id == project_id), None)
        if project is None:
            raise NotFound("You are not a member of that project.")
        return self._identity(identity.user_name, identity.user_id, project, identity.projects)

    def switch_region(self, identity: Identity, region: str) -> Identity:
        """The demo cloud has one region: NotFound for any other."""
        if region not in identity.regions:
            raise NotFound(_l("The cloud has no region %(region)s for you.", region=region))
        return identity

    def logout(self, identity: Identity) -> None:
        """Demo logins are not recorded anywhere, so there is nothing to revoke."""

    def websso_check(self, token: str) -> None:
        """Single sign-on is not offered on the demo cloud: always Unauthorized."""
        raise Unauthorized(NO_WEBSSO)

    def websso_login(self, token: str, project_id: str | None = None) -> Identity:
        """Single sign-on is not offered on the demo cloud: always Unauthorized."""
        raise Unauthorized(NO_WEBSSO)

    def connect(self, identity: Identity) -> DemoConnection:
        state = json.loads(identity.auth_state)
        if state["expires_at"] < time.time():
            raise Unauthorized("Your login has expired. Log in again.")
        return DemoConnection(store=self.store, identity=identity)

    def _identity(
        self, username: str, user_id: str, project: Project, projects: tuple[Project, ...]
    ) -> Identity:
        state = {"project_id": project.id, "expires_at": time.time() + self.token_ttl}
        return Identity(
            user_id=user_id,
            user_name=username,
            project_id=project.id,
            project_name=project.name,
            projects=projects,
            auth_state=json.dumps(state),
            region=data.REGION,
            regions=(data.REGION,),
        )
