"""Stop, start and reboot in the demo cloud: Nova's states on the way, then the end.

:func:`act` checks the action against Nova's rules (:mod:`webapp.cloud.lifecycle`),
refusing it with Nova's 409 message, then puts the server in the action's
intermediate state until the action's time is over; :func:`settle`, which reads
call first, moves it to the state it ends in, as :func:`.build.settle` does for
builds:

- stop: ACTIVE with task "powering-off", then SHUTOFF;
- start: SHUTOFF with task "powering-on", then ACTIVE;
- reboot: REBOOT with task "reboot_started", then ACTIVE;
- hard reboot: HARD_REBOOT with task "reboot_started_hard", then ACTIVE.

The server's OS halts when the action starts (``halted_at``) and boots again when
one that ends ACTIVE is over (``booted_at``): its console log follows both.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time

from webapp.cloud.errors import Conflict
from webapp.cloud.lifecycle import allowed_actions
from webapp.cloud.models import Server

__all__ = ["ACTIONS", "act", "settle"]


@dataclasses.dataclass(frozen=True)
class _Action:
    verb: str  # Nova's name for it in its refusals
    status: str | None  # the status while it runs (None: unchanged)
    task_state: str
    ends: str  # the status it ends in
    halts: bool  # whether the OS stops when it starts


#: the power actions, by their name in :data:`webapp.cloud.lifecycle.ACTIONS`
ACTIONS = {
    "stop": _Action("stop", None, "powering-off", "SHUTOFF", halts=True),
    "start": _Action("start", None, "powering-on", "ACTIVE", halts=False),
    "reboot": _Action("reboot", "REBOOT", "reboot_started", "ACTIVE", halts=True),
    "hard-reboot": _Action("reboot", "HARD_REBOOT", "reboot_started_hard", "ACTIVE", halts=True),
}

#: Nova's vm_state behind each status, for its refusals
_VM_STATES = {
    "ACTIVE": "active",
    "BUILD": "building",
    "ERROR": "error",
    "HARD_REBOOT": "active",
    "PAUSED": "paused",
    "REBOOT": "active",
    "SHUTOFF": "stopped",
    "SUSPENDED": "suspended",
}


def act(db: sqlite3.Connection, server: Server, name: str, *, seconds: float) -> None:
    """Start the power action ``name`` (a key of :data:`ACTIONS`) on the server,
    as it is now; Conflict when its state does not allow it.

    :param seconds: how long the action takes.
    """
    action = ACTIONS[name]
    if name not in allowed_actions(server):
        raise Conflict(_refusal(server, name))
    now = time.time()
    db.execute(
        "UPDATE servers SET status = COALESCE(?, status), task_state = ?, task_status = ?, "
        "task_ends_at = ?, updated_at = ?, halted_at = CASE WHEN ? THEN ? ELSE halted_at END "
        "WHERE id = ?",
        (
            action.status,
            action.task_state,
            action.ends,
            now + seconds,
            now,
            action.halts,
            now,
            server.id,
        ),
    )


def settle(db: sqlite3.Connection) -> None:
    """End every power action whose time is over; a server that ends ACTIVE has
    booted at that moment."""
    db.execute(
        "UPDATE servers SET status = task_status, updated_at = task_ends_at, "
        "booted_at = CASE WHEN task_status = 'ACTIVE' THEN task_ends_at ELSE booted_at END, "
        "halted_at = CASE WHEN task_status = 'ACTIVE' THEN NULL ELSE halted_at END, "
        "task_state = NULL, task_status = NULL, task_ends_at = NULL "
        "WHERE task_state IS NOT NULL AND task_ends_at <= ?",
        (time.time(),),
    )


def _refusal(server: Server, name: str) -> str:
    """Nova's message refusing the action: the task in progress when that is what
    stands in the way, else the vm_state."""
    vm_state = _VM_STATES.get(server.status, server.status.lower())
    verb = ACTIONS[name].verb
    steady = dataclasses.replace(
        server, status="ACTIVE" if vm_state == "active" else server.status, task_state=None
    )
    if server.task_state and name in allowed_actions(steady):
        return f"Cannot '{verb}' instance {server.id} while it is in task_state {server.task_state}"
    return f"Cannot '{verb}' instance {server.id} while it is in vm_state {vm_state}"
