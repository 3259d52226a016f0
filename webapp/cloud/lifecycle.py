"""Which actions Nova's state machine allows on a server in its current state.

Pure rules over :class:`~webapp.cloud.models.Server`, so the pages offer only what
Nova would accept (Nova's ``check_instance_state``: soft reboot needs ACTIVE, hard
reboot also takes ERROR, PAUSED and SUSPENDED, stop needs ACTIVE, start SHUTOFF, and
no action but delete runs while a task is in progress). Nova may still answer 409
when the state changed meanwhile; the cloud layer raises
:class:`~webapp.cloud.errors.Conflict` for that.
"""

from __future__ import annotations

from webapp.cloud.models import Server

__all__ = ["ACTIONS", "DESTRUCTIVE", "allowed_actions"]

#: every action the portal offers, in the order the page shows them
ACTIONS = ("start", "stop", "reboot", "hard-reboot", "delete")

#: actions that lose work or the server, so the user confirms them first
DESTRUCTIVE = frozenset({"stop", "hard-reboot", "delete"})

_BY_STATUS = {
    "ACTIVE": {"stop", "reboot", "hard-reboot", "delete"},
    "SHUTOFF": {"start", "delete"},
    "PAUSED": {"hard-reboot", "delete"},
    "SUSPENDED": {"hard-reboot", "delete"},
}


def allowed_actions(server: Server) -> frozenset[str]:
    """The actions of :data:`ACTIONS` that Nova allows now."""
    if server.task_state == "deleting" or server.status in {"DELETED", "SOFT_DELETED"}:
        return frozenset()
    if server.task_state:
        return frozenset({"delete"})
    if server.status == "ERROR":
        # a server that once ran may come back from a hard reboot; one that
        # never got a host cannot
        return frozenset({"hard-reboot", "delete"} if server.launched_at else {"delete"})
    return frozenset(_BY_STATUS.get(server.status, {"delete"}))
