"""The expire run: every project's expired servers stopped or deleted, as their
metadata says, one log line each.

:func:`sweep` reads every server through an
:class:`~webapp.cloud.operator.OperatorCloud`, keeps those whose lease is over
(``skiff:expires_at`` in the past) and acts on each: a stop (left alone when the
server is stopped already, or when Nova's state does not allow it now: the next
run tries again) or a delete. A dry run acts on nothing and says what it would
do. Each expired server gets exactly one line: its id, name, project, action and
outcome, in ``key=value`` words that a log search can read.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from webapp.cloud.errors import CloudError
from webapp.cloud.errors import NotFound
from webapp.cloud.lifecycle import allowed_actions
from webapp.cloud.operator import OperatorCloud
from webapp.cloud.operator import ProjectServer
from webapp.expiry.lease import InvalidExpiry
from webapp.expiry.lease import read_expiry

__all__ = ["LOG", "Outcome", "sweep"]

#: where the lines go (``flask skiff expire`` prints them on stderr)
LOG = logging.getLogger("webapp.expiry")


@dataclass(frozen=True)
class Outcome:
    """What became of one expired server (or one whose expiry cannot be read).

    :param action: "stop", "delete", or "?" when the metadata cannot be read.
    :param outcome: in words: "stop requested", "would delete", "already stopped"...
    :param failed: whether the cloud refused or failed (the command then exits 1).
    """

    found: ProjectServer
    action: str
    outcome: str
    failed: bool = False

    def line(self) -> str:
        """The log line: ``server=<id> name="<name>" project=<id> [region=<r>]
        action=<a> outcome="<o>"`` (the region where the cloud names one)."""
        server = self.found.server
        region = f"region={json.dumps(self.found.region)} " if self.found.region else ""
        return (
            f"server={server.id} name={json.dumps(server.name, ensure_ascii=False)} "
            f"project={self.found.project_id or '?'} {region}action={self.action} "
            f"outcome={json.dumps(self.outcome, ensure_ascii=False)}"
        )


def sweep(cloud: OperatorCloud, *, now: datetime, dry_run: bool = False) -> list[Outcome]:
    """Act on every server that has expired at ``now`` (aware); log and return
    one outcome per such server. ``dry_run``: change nothing, say what would be done.

    Region by region: one whose servers cannot be listed is said in a line of its
    own and left for the next run, the others swept; then its error is raised.
    """
    outcomes = []
    unlisted: list[CloudError] = []
    for region in cloud.regions():
        try:
            servers = cloud.list_servers_in(region)
        except CloudError as error:
            said = json.dumps(f"not listed: {error}", ensure_ascii=False)
            LOG.warning("region=%s outcome=%s", json.dumps(region), said)
            unlisted.append(error)
            continue
        for found in servers:
            outcome = _settle(cloud, found, now=now, dry_run=dry_run)
            if outcome is None:
                continue
            level = logging.WARNING if outcome.failed else logging.INFO
            LOG.log(level, "%s", outcome.line())
            outcomes.append(outcome)
    if unlisted:
        raise unlisted[0]
    return outcomes


def _settle(
    cloud: OperatorCloud, found: ProjectServer, *, now: datetime, dry_run: bool
) -> Outcome | None:
    """The outcome for one server; None when it has not expired (or never does)."""
    server = found.server
    try:
        expiry = read_expiry(server.metadata)
    except InvalidExpiry as error:
        return Outcome(found, "?", f"skipped: {error}")
    if expiry is None or not expiry.expired(now):
        return None
    action = expiry.action
    if server.task_state == "deleting":
        return Outcome(found, action, "already being deleted")
    if action == "stop":
        if server.status == "SHUTOFF" and not server.task_state:
            return Outcome(found, action, "already stopped")
        if server.task_state == "powering-off":
            return Outcome(found, action, "already stopping")
        if "stop" not in allowed_actions(server):
            state = server.status + (f"/{server.task_state}" if server.task_state else "")
            return Outcome(found, action, f"not possible in state {state}; tried again next run")
    if dry_run:
        return Outcome(found, action, f"would {action} (dry run)")
    try:
        if action == "stop":
            cloud.stop_server(found)
        else:
            cloud.delete_server(found)
    except NotFound:
        return Outcome(found, action, "already gone")
    except CloudError as error:
        return Outcome(found, action, f"failed: {error}", failed=True)
    return Outcome(found, action, f"{action} requested")
