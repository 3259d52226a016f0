"""Reading the demo cloud's servers: rows into :class:`Server` models, lists and pages.

Every read first settles what time has finished (builds, power actions); a server
then shows its flavor as Nova keeps it, its fixed and floating addresses (with the
ports and MAC addresses behind them), its task in progress and its timestamps.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from dataclasses import dataclass

from webapp.cloud.demo import build
from webapp.cloud.demo import data
from webapp.cloud.demo import power
from webapp.cloud.demo.store import server_row
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.models import Flavor
from webapp.cloud.models import Port
from webapp.cloud.models import Server
from webapp.cloud.models import ServerAddress
from webapp.cloud.models import ServerPage

__all__ = [
    "FixedAddress",
    "fixed_addresses",
    "get",
    "iso",
    "listing",
    "page",
    "ports_of",
    "settle",
]


@dataclass(frozen=True)
class FixedAddress:
    """One fixed address of a server and the port it is on."""

    network: str
    address: str
    port_id: str
    mac: str


def settle(db: sqlite3.Connection) -> None:
    """Finish every build and power action whose time is over."""
    build.settle(db)
    power.settle(db)


def get(db: sqlite3.Connection, server_id: str, project_id: str) -> Server:
    """The project's server of that id, as it is now; raises NotFound."""
    settle(db)
    return _server(db, server_row(db, server_id, project_id))


def listing(db: sqlite3.Connection, project_id: str) -> list[Server]:
    """Every server of the project as it is now, newest first."""
    settle(db)
    rows = db.execute(
        "SELECT * FROM servers WHERE project_id = ? ORDER BY created_at DESC, name, id",
        (project_id,),
    ).fetchall()
    return [_server(db, row) for row in rows]


def page(
    servers: list[Server], *, name: str | None, status: str | None, marker: str | None, limit: int
) -> ServerPage:
    """One page of ``servers`` (newest first) after the filters, as Nova pages.

    ``name`` is a case-insensitive substring (plain text), ``status`` exact. A
    full page names its last server as the next marker; a marker that is not
    among the servers is refused, as Nova does.
    """
    if limit < 1:
        raise InvalidRequest(f"Invalid input for query parameters limit. Value: {limit}.")
    if name:
        servers = [s for s in servers if name.casefold() in s.name.casefold()]
    if status:
        servers = [s for s in servers if s.status == status.upper()]
    if marker:
        ids = [s.id for s in servers]
        if marker not in ids:
            raise InvalidRequest(f"marker [{marker}] not found")
        servers = servers[ids.index(marker) + 1 :]
    chosen = tuple(servers[:limit])
    return ServerPage(chosen, chosen[-1].id if len(chosen) == limit else None)


def fixed_addresses(db: sqlite3.Connection, row: sqlite3.Row) -> list[FixedAddress]:
    """The server's fixed addresses in order, with their ports (a port the project
    made beforehand keeps its id; the others are Nova's, one per address)."""
    own_ports = {
        port_id
        for (port_id,) in db.execute(
            "SELECT port_id FROM used_ports WHERE server_id = ?", (row["id"],)
        ).fetchall()
    }
    known = [p for ports in data.PORTS.values() for p in ports if p.id in own_ports]
    found = []
    for n, entry in enumerate(json.loads(row["networks"])):
        network, _, address = entry.partition(": ")
        port = next((p for p in known if address in p.fixed_ips), None)
        port_id = port.id if port else str(uuid.uuid5(uuid.NAMESPACE_URL, f"{row['id']}:{n}"))
        found.append(FixedAddress(network, address, port_id, _mac(port_id)))
    return found


def ports_of(db: sqlite3.Connection, row: sqlite3.Row) -> list[Port]:
    """The ports the server uses, with their fixed IPs and networks."""
    networks = {n.name: n.id for n in data.NETWORKS}
    names = {p.id: p.name for ports in data.PORTS.values() for p in ports}
    return [
        Port(a.port_id, names.get(a.port_id, ""), networks.get(a.network, ""), (a.address,))
        for a in fixed_addresses(db, row)
    ]


def iso(timestamp: float) -> str:
    """A time as Nova writes it: ISO 8601, UTC, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def _server(db: sqlite3.Connection, row: sqlite3.Row) -> Server:
    """The server a ``servers`` row holds, with its volumes and floating IPs."""
    details = json.loads(row["details"] or "{}")
    volumes = [v for (v,) in db.execute("SELECT id FROM volumes WHERE server_id = ?", (row["id"],))]
    floating = dict(
        db.execute(
            "SELECT fixed_address, address FROM floating_ips WHERE server_id = ? ORDER BY address",
            (row["id"],),
        ).fetchall()
    )
    ips: list[ServerAddress] = []
    for fixed in fixed_addresses(db, row):
        ips.append(ServerAddress(fixed.network, fixed.address, mac=fixed.mac))
        if fixed.address in floating:
            ips.append(
                ServerAddress(fixed.network, floating[fixed.address], "floating", mac=fixed.mac)
            )
    building = row["status"] == "BUILD"
    launched = row["final_status"] == "ACTIVE" and not building
    error = row["status"] == "ERROR"
    updated = row["updated_at"] or (row["created_at"] if building else row["ready_at"])
    return Server(
        id=row["id"],
        name=row["name"],
        status=row["status"],
        flavor_id=row["flavor_id"],
        image_id=row["image_id"],
        key_name=row["key_name"],
        availability_zone=row["availability_zone"],
        addresses=tuple(f"{ip.network}: {ip.address}" for ip in ips),
        security_groups=tuple(json.loads(row["security_groups"])),
        description=row["description"],
        fault=row["fault"] if error else None,
        created=iso(row["created_at"]),
        volumes=tuple(volumes),
        tags=tuple(details.get("tags") or ()),
        metadata=dict(details.get("metadata") or {}),
        hostname=details.get("hostname"),
        config_drive=bool(details.get("config_drive")),
        task_state="spawning" if building else row["task_state"],
        launched_at=iso(row["ready_at"]) if launched else "",
        updated=iso(updated),
        flavor=_flavor(row["flavor_id"]),
        ips=tuple(ips),
        server_groups=(details["server_group"],) if details.get("server_group") else (),
        fault_code=500 if error and row["fault"] else None,
    )


def _flavor(flavor_id: str) -> Flavor | None:
    """The copy of the flavor Nova keeps with a server (2.47: no id, the name)."""
    flavor = next((f for f in data.FLAVORS if f.id == flavor_id), None)
    if flavor is None:
        return None
    return Flavor("", flavor.name, flavor.vcpus, flavor.ram_mb, flavor.disk_gb, flavor.ephemeral_gb)


def _mac(port_id: str) -> str:
    """A port's MAC address, in Neutron's default fa:16:3e prefix."""
    digest = hashlib.sha256(port_id.encode()).digest()
    return "fa:16:3e:" + ":".join(f"{b:02x}" for b in digest[:3])
