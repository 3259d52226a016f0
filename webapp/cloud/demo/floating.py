"""Floating IPs of the demo cloud: addresses of an external network (a pool) that
a project holds and points at one of its servers' fixed addresses, as Neutron does.

Adding one to a server reuses a free one the project holds in the pool, else
allocates the pool's next free address (within the project's floating IP quota);
it is associated with the server's first fixed address, which may have only one
(Neutron's rule). Removing it, or deleting the server, disassociates it: the project
keeps it.
"""

from __future__ import annotations

import ipaddress
import sqlite3
import uuid

from webapp.cloud.demo import data
from webapp.cloud.demo.servers import FixedAddress
from webapp.cloud.errors import Conflict
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import NotFound
from webapp.cloud.errors import QuotaExceeded
from webapp.cloud.models import FloatingIP
from webapp.cloud.models import Network

__all__ = ["add", "listing", "pool", "release", "remove"]


def pool(pool_id: str) -> Network:
    """The pool of that id; raises NotFound."""
    found = next((p for p in data.FLOATING_POOLS if p.id == pool_id), None)
    if found is None:
        raise NotFound(f"Network {pool_id} could not be found.")
    return found


def listing(db: sqlite3.Connection, project_id: str) -> list[FloatingIP]:
    """The project's floating IPs, associated or not, in address order."""
    rows = db.execute("SELECT * FROM floating_ips WHERE project_id = ?", (project_id,)).fetchall()
    rows.sort(key=lambda row: (row["pool_id"], ipaddress.ip_address(row["address"])))
    return [_floating_ip(row) for row in rows]


def add(
    db: sqlite3.Connection,
    *,
    project: str,
    project_id: str,
    server_id: str,
    fixed: list[FixedAddress],
    pool_id: str,
) -> FloatingIP:
    """Give the server a floating IP of the pool, on its first fixed address.

    :param project: the project's name, which its quota is listed under.
    :param fixed: the server's fixed addresses, in order.
    """
    network = pool(pool_id)
    if not fixed:
        raise InvalidRequest(f"Instance {server_id} has no fixed IP address to associate with.")
    target = fixed[0]
    held = db.execute(
        "SELECT * FROM floating_ips WHERE project_id = ? ORDER BY id", (project_id,)
    ).fetchall()
    on_target = next(
        (r for r in held if r["server_id"] == server_id and r["fixed_address"] == target.address),
        None,
    )
    if on_target is not None:
        raise Conflict(
            f"Cannot associate floating IP {on_target['address']} ({on_target['id']}) with "
            f"port {target.port_id} using fixed IP {target.address}, as that fixed IP "
            f"already has a floating IP on external network {pool_id}."
        )
    free = sorted(
        (r for r in held if r["pool_id"] == pool_id and r["server_id"] is None),
        key=lambda r: ipaddress.ip_address(r["address"]),
    )
    if free:
        floating_id = free[0]["id"]
    else:
        if len(held) >= data.FLOATING_IP_QUOTAS.get(project, 50):
            raise QuotaExceeded("Quota exceeded for resources: ['floatingip'].")
        floating_id = str(uuid.uuid4())
        db.execute(
            "INSERT INTO floating_ips (id, project_id, pool_id, address) VALUES (?, ?, ?, ?)",
            (floating_id, project_id, pool_id, _free_address(db, network)),
        )
    db.execute(
        "UPDATE floating_ips SET server_id = ?, port_id = ?, fixed_address = ? WHERE id = ?",
        (server_id, target.port_id, target.address, floating_id),
    )
    row = db.execute("SELECT * FROM floating_ips WHERE id = ?", (floating_id,)).fetchone()
    return _floating_ip(row)


def remove(db: sqlite3.Connection, project_id: str, floating_id: str) -> None:
    """Disassociate one of the project's floating IPs (nothing to do if it is not
    associated); raises NotFound."""
    changed = db.execute(
        "UPDATE floating_ips SET server_id = NULL, port_id = NULL, fixed_address = NULL "
        "WHERE id = ? AND project_id = ?",
        (floating_id, project_id),
    )
    if changed.rowcount == 0:
        raise NotFound(f"Floating IP {floating_id} could not be found.")


def release(db: sqlite3.Connection, server_id: str) -> None:
    """Disassociate the floating IPs of a server that is going away."""
    db.execute(
        "UPDATE floating_ips SET server_id = NULL, port_id = NULL, fixed_address = NULL "
        "WHERE server_id = ?",
        (server_id,),
    )


def _free_address(db: sqlite3.Connection, network: Network) -> str:
    """The pool's first address no project holds; QuotaExceeded when none is left."""
    taken = {
        address
        for (address,) in db.execute(
            "SELECT address FROM floating_ips WHERE pool_id = ?", (network.id,)
        ).fetchall()
    }
    subnet = ipaddress.ip_network(network.subnets[0])
    # the first address is the router's
    hosts = (str(ip) for i, ip in enumerate(subnet.hosts()) if i >= 1)
    address = next((ip for ip in hosts if ip not in taken), None)
    if address is None:
        raise QuotaExceeded(f"No more IP addresses available on network {network.id}.")
    return address


def _floating_ip(row: sqlite3.Row) -> FloatingIP:
    """The floating IP a ``floating_ips`` row holds."""
    names = {p.id: p.name for p in data.FLOATING_POOLS}
    return FloatingIP(
        id=row["id"],
        address=row["address"],
        pool_id=row["pool_id"],
        pool_name=names.get(row["pool_id"], ""),
        port_id=row["port_id"],
        fixed_address=row["fixed_address"],
        status="ACTIVE" if row["server_id"] else "DOWN",
    )
