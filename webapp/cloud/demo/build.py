"""The demo cloud's builds: BUILD for a few seconds, then ACTIVE, or ERROR with a fault.

:func:`start` stores a server in BUILD together with how its build will end, decided
at once as Nova's scheduler and Cinder would: ERROR with "No valid host was found"
when the flavor's RAM fits no demo host, ERROR with Cinder's refusal when the
server's new volumes go over the project's volume quota (not an API error: Nova
makes the volumes after accepting the request), else ACTIVE. A build that fails
gets no addresses, ports or volumes. :func:`settle` moves every server whose build
time is over to that final status; reads call it first.
"""

from __future__ import annotations

import ipaddress
import json
import sqlite3
import time
import uuid

from webapp.cloud.demo import data
from webapp.cloud.demo import store
from webapp.cloud.demo.plan import DiskPlan
from webapp.cloud.demo.plan import Plan
from webapp.cloud.models import BlockDevice
from webapp.cloud.models import Identity
from webapp.cloud.models import Network
from webapp.cloud.models import ServerRequest

__all__ = ["settle", "start"]

#: Nova's own fault text for a server no host can take (cloud data: never translated)
NO_HOST_FAULT = "No valid host was found. There are not enough hosts available."


def start(
    db: sqlite3.Connection,
    identity: Identity,
    request: ServerRequest,
    plan: Plan,
    *,
    index: int,
    build_seconds: float,
) -> str:
    """Store server number ``index`` (from 0) of the request in BUILD; its id.

    :param build_seconds: how long it stays in BUILD.
    """
    server_id = str(uuid.uuid4())
    name = request.name if request.count == 1 else f"{request.name}-{index + 1}"
    fault = None
    if plan.flavor.ram_mb > data.HOST_RAM_MB:
        fault = NO_HOST_FAULT
    else:
        fault = _volume_fault(db, identity, server_id, plan.disks)
    # a build that fails gets no addresses, ports or volumes, as in Nova
    addresses = [] if fault else _attach(db, identity.project_id, server_id, plan)
    details = {
        "tags": list(request.tags),
        "metadata": dict(request.metadata),
        "hostname": request.hostname,
        "config_drive": bool(request.config_drive),
        "disk_config": request.disk_config,
        "server_group": request.server_group,
    }
    now = time.time()
    db.execute(
        "INSERT INTO servers (id, project_id, user_id, name, flavor_id, image_id, "
        "key_name, availability_zone, networks, security_groups, description, "
        "user_data, status, final_status, fault, created_at, ready_at, details) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            server_id,
            identity.project_id,
            identity.user_id,
            name,
            plan.flavor.id,
            plan.image.id if plan.image else "",
            request.key_name,
            request.availability_zone or "nova",
            json.dumps(addresses),
            json.dumps(list(request.security_groups) or ["default"]),
            request.description,
            request.user_data,  # as given: text as TEXT, bytes (gzip, say) as a BLOB
            "BUILD",
            "ERROR" if fault else "ACTIVE",
            fault,
            now,
            now + build_seconds,
            json.dumps(details),
        ),
    )
    return server_id


def settle(db: sqlite3.Connection) -> None:
    """Move every server whose build time is over to its final status; one that
    ends ACTIVE starts booting then."""
    db.execute(
        "UPDATE servers SET status = final_status, updated_at = ready_at, "
        "booted_at = CASE WHEN final_status = 'ACTIVE' THEN ready_at END "
        "WHERE status = 'BUILD' AND ready_at <= ?",
        (time.time(),),
    )


def _volume_fault(
    db: sqlite3.Connection, identity: Identity, server_id: str, disks: tuple[DiskPlan, ...]
) -> str | None:
    """Cinder's refusal of this server's new volumes, as Nova's build fault.

    Nova makes the volumes after accepting the request, so going over the
    volume quota ends the build in ERROR rather than failing the request.
    """
    new = [d.size_gb for d in disks if not d.existing]
    if not new:
        return None
    volumes, gigabytes = store.volume_usage(db, identity.project_id, identity.project_name)
    max_volumes, max_gigabytes = data.VOLUME_QUOTAS[identity.project_name]
    aborted = f"Build of instance {server_id} aborted:"
    for size in new:
        if volumes + 1 > max_volumes:
            return (
                f"{aborted} VolumeLimitExceeded: Maximum number of volumes allowed "
                f"({max_volumes}) exceeded for quota 'volumes'."
            )
        if gigabytes + size > max_gigabytes:
            return (
                f"{aborted} VolumeSizeExceedsAvailableQuota: Requested volume or "
                f"snapshot exceeds allowed gigabytes quota. Requested {size}G, quota "
                f"is {max_gigabytes}G and {gigabytes}G has been consumed."
            )
        volumes, gigabytes = volumes + 1, gigabytes + size
    return None


def _attach(db: sqlite3.Connection, project_id: str, server_id: str, plan: Plan) -> list[str]:
    """Give the server its addresses, ports and volumes; its addresses."""
    addresses: list[str] = []
    taken = store.addresses_in_use(db)
    for nic in plan.nics:
        if nic.port:
            db.execute("INSERT INTO used_ports VALUES (?, ?)", (nic.port.id, server_id))
        address = nic.address or _free_address(nic.network, taken)
        if address:
            taken.add((nic.network.name, address))
            addresses.append(f"{nic.network.name}: {address}")
    # the boot disk is vda (a volume, or the image on the local disk), the others
    # follow in order
    others = iter("bcdefghijklmnopqrstuvwxyz")
    for disk in plan.disks:
        device = disk.device
        name = "/dev/vda" if device.boot_index == 0 else f"/dev/vd{next(others)}"
        if disk.existing:
            db.execute(
                "UPDATE volumes SET status = 'in-use', server_id = ?, "
                "delete_on_termination = ?, device = ? WHERE id = ?",
                (server_id, int(device.delete_on_termination), name, device.uuid),
            )
            continue
        volume_type = device.volume_type or next(t.name for t in data.VOLUME_TYPES if t.is_default)
        db.execute(
            "INSERT INTO volumes (id, project_id, name, size_gb, status, bootable, "
            "volume_type, availability_zone, image_min_disk_gb, image_min_ram_mb, "
            "server_id, delete_on_termination, device, image_id) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                str(uuid.uuid4()),
                project_id,
                "",
                disk.size_gb,
                "in-use",
                int(disk.bootable),
                volume_type,
                "nova",
                disk.min_disk_gb,
                disk.min_ram_mb,
                server_id,
                int(device.delete_on_termination),
                name,
                _source_image(device),
            ),
        )
    return addresses


def _source_image(device: BlockDevice) -> str:
    """The image a new volume is made from: the one named, or the one the
    snapshot's volume was made from; "" for a blank volume."""
    if device.source_type == "image":
        return device.uuid or ""
    if device.source_type == "snapshot":
        snapshots = [s for ss in data.VOLUME_SNAPSHOTS.values() for s in ss]
        volumes = {v.id: v for vs in data.VOLUMES.values() for v in vs}
        snapshot = next((s for s in snapshots if s.id == device.uuid), None)
        source = volumes.get(snapshot.volume_id) if snapshot else None
        return source.image_id if source else ""
    return ""


def _free_address(network: Network, taken: set[tuple[str, str]]) -> str | None:
    """The first free address of the network's first subnet, or None."""
    if not network.subnets:
        return None
    subnet = ipaddress.ip_network(network.subnets[0])
    # the first addresses are for the router and DHCP, as often in Neutron
    hosts = (str(ip) for i, ip in enumerate(subnet.hosts()) if i >= 9)
    return next((ip for ip in hosts if (network.name, ip) not in taken), None)
