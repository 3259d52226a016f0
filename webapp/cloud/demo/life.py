"""A demo server's life after its launch: power actions, metadata changes (an
expiry extended), its console, what it is attached to, and floating IPs; the part
of :class:`~.connection.DemoConnection` that :class:`ServerLife` gives it.

Power actions go through Nova's intermediate states (:mod:`.power`), the console
log follows the server's boots (:mod:`.console`), floating IPs come from the pools
of :data:`.data.FLOATING_POOLS` (:mod:`.floating`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping

from webapp.cloud.demo import console
from webapp.cloud.demo import data
from webapp.cloud.demo import floating
from webapp.cloud.demo import power
from webapp.cloud.demo import rules
from webapp.cloud.demo import servers
from webapp.cloud.demo.store import DemoStore
from webapp.cloud.demo.store import server_row
from webapp.cloud.demo.store import volume_from_row
from webapp.cloud.errors import Conflict
from webapp.cloud.errors import NotFound
from webapp.cloud.models import FloatingIP
from webapp.cloud.models import Identity
from webapp.cloud.models import Image
from webapp.cloud.models import Network
from webapp.cloud.models import Port
from webapp.cloud.models import RemoteConsole
from webapp.cloud.models import Server
from webapp.cloud.models import Volume

__all__ = ["ServerLife"]

#: the statuses in which Nova changes a server's metadata (none while a task runs)
_METADATA_STATES = frozenset({"ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED"})


class ServerLife:
    """The methods of a CloudConnection for servers after their launch."""

    store: DemoStore
    identity: Identity
    project: str

    def stop_server(self, server_id: str) -> None:
        self._power(server_id, "stop")

    def start_server(self, server_id: str) -> None:
        self._power(server_id, "start")

    def reboot_server(self, server_id: str, *, hard: bool = False) -> None:
        self._power(server_id, "hard-reboot" if hard else "reboot")

    def _power(self, server_id: str, action: str) -> None:
        """Start a power action, if the server's state allows it (else Conflict)."""
        self.store.pause()
        with self.store.transaction() as db:
            server = servers.get(db, server_id, self.identity.project_id)
            power.act(db, server, action, seconds=self.store.action_time())

    def set_server_metadata(self, server_id: str, items: Mapping[str, str | None]) -> None:
        """Change some metadata items, where Nova allows it (a server that is
        not building, in error or busy with a task); the project's limit and
        Nova's key rules apply to the result."""
        self.store.pause()
        with self.store.transaction() as db:
            server = servers.get(db, server_id, self.identity.project_id)
            if server.task_state or server.status not in _METADATA_STATES:
                raise Conflict(_metadata_refusal(server))
            metadata = dict(server.metadata)
            for key, value in items.items():
                if value is None:
                    metadata.pop(key, None)
                else:
                    metadata[key] = value
            rules.check_metadata(metadata)
            row = server_row(db, server_id, self.identity.project_id)
            details = json.loads(row["details"] or "{}")
            details["metadata"] = metadata
            db.execute(
                "UPDATE servers SET details = ? WHERE id = ?", (json.dumps(details), server_id)
            )

    def console_output(self, server_id: str, *, lines: int = 50) -> str:
        """The end of the console log; every line if ``lines`` is negative."""
        self.store.pause()
        with self.store.db() as db:
            server = servers.get(db, server_id, self.identity.project_id)
            row = server_row(db, server_id, self.identity.project_id)
            boot_disk = db.execute(
                "SELECT image_id FROM volumes WHERE server_id = ? AND device = '/dev/vda'",
                (server_id,),
            ).fetchone()
        booted_at = row["booted_at"] or row["ready_at"]
        boot = console.Boot(
            booted_at=booted_at,
            halted_at=row["halted_at"],
            image_id=server.image_id or (boot_disk["image_id"] if boot_disk else ""),
            seconds=self.store.boot_time(),
        )
        log = console.log(server, boot, now=time.time())
        if lines >= 0:
            log = log[len(log) - lines :] if lines else []
        return "\n".join(log) + "\n" if log else ""

    def remote_console(self, server_id: str) -> RemoteConsole:
        """A noVNC console, which the demo cloud only pretends to give; Conflict
        unless the server runs, as Nova."""
        self.store.pause()
        with self.store.db() as db:
            server = servers.get(db, server_id, self.identity.project_id)
        if server.status != "ACTIVE":
            raise Conflict(f"Instance {server_id} is not ready.")
        return RemoteConsole(protocol="vnc", type="novnc", url="", simulated=True)

    def get_image(self, image_id: str) -> Image:
        self.store.pause()
        image = next((i for i in data.IMAGES if i.id == image_id), None)
        if image is None:
            raise NotFound(f"Image {image_id} could not be found.")
        return image

    def server_volumes(self, server_id: str) -> list[Volume]:
        self.store.pause()
        with self.store.db() as db:
            server_row(db, server_id, self.identity.project_id)
            rows = db.execute(
                "SELECT * FROM volumes WHERE server_id = ? ORDER BY device, id", (server_id,)
            ).fetchall()
        return [volume_from_row(row) for row in rows]

    def server_ports(self, server_id: str) -> list[Port]:
        self.store.pause()
        with self.store.db() as db:
            row = server_row(db, server_id, self.identity.project_id)
            return servers.ports_of(db, row)

    def list_floating_ip_pools(self) -> list[Network]:
        self.store.pause()
        return list(data.FLOATING_POOLS)

    def list_floating_ips(self) -> list[FloatingIP]:
        self.store.pause()
        with self.store.db() as db:
            return floating.listing(db, self.identity.project_id)

    def add_floating_ip(self, server_id: str, *, pool_id: str) -> FloatingIP:
        self.store.pause()
        with self.store.transaction() as db:
            servers.settle(db)
            row = server_row(db, server_id, self.identity.project_id)
            return floating.add(
                db,
                project=self.project,
                project_id=self.identity.project_id,
                server_id=server_id,
                fixed=servers.fixed_addresses(db, row),
                pool_id=pool_id,
            )

    def remove_floating_ip(self, floating_ip_id: str) -> None:
        self.store.pause()
        with self.store.transaction() as db:
            floating.remove(db, self.identity.project_id, floating_ip_id)


def _metadata_refusal(server: Server) -> str:
    """Nova's 409 for a metadata change in the server's state (its vm_state is
    checked first, then its task)."""
    if server.status not in _METADATA_STATES:
        state = f"vm_state {'building' if server.status == 'BUILD' else server.status.lower()}"
    else:
        state = f"task_state {server.task_state}"
    return f"Cannot 'update_instance_metadata' instance {server.id} while it is in {state}"
