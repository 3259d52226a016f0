"""The demo cloud as its operator sees it: every project's servers, acted on
through a connection to the server's project (so a stop or a delete follows the
same rules as a user's)."""

from __future__ import annotations

from webapp.cloud.demo import data
from webapp.cloud.demo.connection import DemoConnection
from webapp.cloud.demo.store import DemoStore
from webapp.cloud.models import Identity
from webapp.cloud.operator import ProjectServer

__all__ = ["DemoOperator"]

#: who the operator's connections act as
OPERATOR = "skiff-operator"


class DemoOperator:
    """Every project of the demo cloud (an OperatorCloud).

    :param store: the demo cloud's state, shared with the portal's connections.
    """

    label = "demo cloud"

    def __init__(self, store: DemoStore) -> None:
        self.store = store

    def regions(self) -> list[str]:
        """The demo cloud's one region, unnamed."""
        return [""]

    def list_servers_in(self, region: str) -> list[ProjectServer]:
        """The servers of every demo project, project by project, newest first."""
        return [
            ProjectServer(server, project["id"])
            for project in data.PROJECTS.values()
            for server in self._connection(project["id"]).list_servers()
        ]

    def stop_server(self, found: ProjectServer) -> None:
        self._connection(found.project_id).stop_server(found.server.id)

    def delete_server(self, found: ProjectServer) -> None:
        self._connection(found.project_id).delete_server(found.server.id)

    def _connection(self, project_id: str) -> DemoConnection:
        """A connection acting in the project (its name says which snapshots it has)."""
        name = next(p["name"] for p in data.PROJECTS.values() if p["id"] == project_id)
        identity = Identity(
            user_id=OPERATOR,
            user_name=OPERATOR,
            project_id=project_id,
            project_name=name,
            projects=(),
            auth_state="",
        )
        return DemoConnection(store=self.store, identity=identity)
