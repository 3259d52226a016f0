"""An operator's view of a cloud: the servers of every project, and acting on any
of them. What ``flask skiff expire`` needs (:mod:`webapp.expiry.sweep`), with an
operator's credential rather than a user's login.

Implementations: :class:`webapp.cloud.openstack.operator.OpenStackOperator` (a
``clouds.yaml`` entry read by openstacksdk's config loader) and
:class:`webapp.cloud.demo.operator.DemoOperator` (the demo cloud's store).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from webapp.cloud.models import Server

__all__ = ["OperatorCloud", "ProjectServer"]


@dataclass(frozen=True)
class ProjectServer:
    """A server, the project it belongs to and the region it runs in ("" on a
    cloud of one unnamed region)."""

    server: Server
    project_id: str
    region: str = ""


class OperatorCloud(Protocol):
    """Every project's servers, for an operator."""

    #: what the command's log names: "demo cloud", or the clouds.yaml entry
    label: str

    def regions(self) -> list[str]:
        """The regions to sweep ("" alone: a cloud of one unnamed region)."""

    def list_servers_in(self, region: str) -> list[ProjectServer]:
        """Every server of every project in ``region``, with its metadata."""

    def stop_server(self, found: ProjectServer) -> None:
        """Power the server off; Conflict when its state does not allow it."""

    def delete_server(self, found: ProjectServer) -> None:
        """Delete the server; NotFound when it is gone already."""
