"""What a request names, checked against the catalog and the state: the build's plan.

:func:`resolve` finds the flavor and the image, turns each block device into the volume
it is or will be, and each network interface into its network (and port, and fixed
address), refusing with Nova's messages what is not there or does not fit:

- an unknown flavor or image; a zero-disk flavor booting from an image;
- a block device of an unknown source, a destination other than a volume, a size
  or volume type that is wrong, a volume that is not available or not bootable, a
  snapshot or image that is not there, a size under the snapshot's (Cinder's rule);
- a boot sequence without exactly one boot disk; a flavor, or a root volume, under
  the image's minimums;
- a network that is unknown or has no subnet, a port that is unknown or in use, a
  fixed IP outside the network's subnets or in use; a port, a fixed IP or an
  existing volume for more than one server.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import sqlite3

from webapp.cloud.demo import data
from webapp.cloud.demo import store
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.models import BlockDevice
from webapp.cloud.models import Flavor
from webapp.cloud.models import Identity
from webapp.cloud.models import Image
from webapp.cloud.models import Network
from webapp.cloud.models import Nic
from webapp.cloud.models import Port
from webapp.cloud.models import ServerRequest

__all__ = ["DiskPlan", "NicPlan", "Plan", "resolve"]

_GIB = 1024**3


@dataclasses.dataclass(frozen=True)
class NicPlan:
    """A network interface as checked: where it goes and its fixed address, if any."""

    network: Network
    address: str | None = None
    port: Port | None = None


@dataclasses.dataclass(frozen=True)
class DiskPlan:
    """A block device as checked, with what the volume behind it will be."""

    device: BlockDevice
    size_gb: int
    bootable: bool = False
    min_disk_gb: int = 0
    min_ram_mb: int = 0
    existing: bool = False  # an existing volume, rather than one to create


@dataclasses.dataclass(frozen=True)
class Plan:
    """A request that passed every check, ready to be built."""

    image: Image | None
    flavor: Flavor
    nics: tuple[NicPlan, ...]
    disks: tuple[DiskPlan, ...]


def resolve(db: sqlite3.Connection, identity: Identity, request: ServerRequest) -> Plan:
    """Check what the request names for the identity's project; its plan."""
    flavor = next((f for f in data.FLAVORS if f.id == request.flavor_id), None)
    if flavor is None:
        raise InvalidRequest(f"Flavor {request.flavor_id} could not be found.")
    image = None
    if request.image_id:
        image = next((i for i in data.IMAGES if i.id == request.image_id), None)
        if image is None:
            raise InvalidRequest("Can not find requested image")
    disks = tuple(_disk(db, identity, device, request.count) for device in request.block_devices)
    _check_boot_sequence(image, disks)
    if image is not None:
        if flavor.disk_gb == 0:
            # a 403 in Nova (BootFromVolumeRequiredForZeroDiskFlavor)
            raise InvalidRequest(
                "Only volume-backed servers are allowed for flavors with zero disk."
            )
        _check_minimums(flavor, image.min_ram_mb)
        if flavor.disk_gb < image.min_disk_gb:
            raise InvalidRequest("Flavor's disk is too small for requested image.")
    else:
        root = next(d for d in disks if d.device.boot_index == 0)
        _check_minimums(flavor, root.min_ram_mb)
        if root.size_gb < root.min_disk_gb:
            raise InvalidRequest(
                "Volume is smaller than the minimum size specified in image metadata. "
                f"Volume size is {root.size_gb * _GIB} bytes, minimum size is "
                f"{root.min_disk_gb * _GIB} bytes."
            )
    nics = _nics(db, identity.project_name, request.networks, request.count)
    return Plan(image=image, flavor=flavor, nics=nics, disks=disks)


# -- block devices ---------------------------------------------------------------


def _disk(db: sqlite3.Connection, identity: Identity, device: BlockDevice, count: int) -> DiskPlan:
    """Check one block device; the volume it is or will be."""
    if device.source_type not in ("image", "volume", "snapshot", "blank"):
        raise InvalidRequest(
            f"Invalid input for field/attribute source_type. Value: {device.source_type}."
        )
    if device.destination_type != "volume":
        raise InvalidRequest(
            "Block Device Mapping is Invalid: the demo cloud makes volumes only "
            "(destination_type 'volume')."
        )
    if device.volume_size is not None and device.volume_size < 1:
        raise InvalidRequest(
            f"Invalid input for field/attribute volume_size. Value: {device.volume_size}."
        )
    if device.volume_type and device.volume_type not in {t.name for t in data.VOLUME_TYPES} | {
        t.id for t in data.VOLUME_TYPES
    }:
        raise InvalidRequest(f"Volume type {device.volume_type} could not be found.")
    if device.source_type == "volume":
        return _existing_volume(db, identity.project_id, device, count)
    if device.source_type == "snapshot":
        snapshots = data.VOLUME_SNAPSHOTS.get(identity.project_name, ())
        snapshot = next((s for s in snapshots if s.id == device.uuid), None)
        if snapshot is None:
            raise InvalidRequest(
                f"Block Device Mapping is Invalid: failed to get snapshot {device.uuid}."
            )
        size = device.volume_size or snapshot.size_gb
        if size < snapshot.size_gb:
            # Cinder's refusal, which Nova reports when it makes the volume
            raise InvalidRequest(
                f"Invalid input received: Volume size '{size}'GB cannot be smaller "
                f"than the snapshot size {snapshot.size_gb}GB. They must be >= "
                "original snapshot size."
            )
        return DiskPlan(
            device,
            size,
            snapshot.bootable,
            snapshot.image_min_disk_gb,
            snapshot.image_min_ram_mb,
        )
    if not device.volume_size:
        what = (
            "Images with destination_type 'volume'"
            if device.source_type == "image"
            else "Blank volumes (source: 'blank', dest: 'volume')"
        )
        raise InvalidRequest(
            f"Block Device Mapping is Invalid: {what} need to have a non-zero size"
        )
    if device.source_type == "image":
        image = next((i for i in data.IMAGES if i.id == device.uuid), None)
        if image is None:
            raise InvalidRequest(
                f"Block Device Mapping is Invalid: failed to get image {device.uuid}."
            )
        return DiskPlan(device, device.volume_size, True, image.min_disk_gb, image.min_ram_mb)
    return DiskPlan(device, device.volume_size)


def _existing_volume(
    db: sqlite3.Connection, project_id: str, device: BlockDevice, count: int
) -> DiskPlan:
    row = db.execute(
        "SELECT * FROM volumes WHERE id = ? AND project_id = ?",
        (device.uuid, project_id),
    ).fetchone()
    if row is None or row["status"] != "available":
        raise InvalidRequest(
            f"Block Device Mapping is Invalid: failed to get volume {device.uuid}."
        )
    if count > 1:
        raise InvalidRequest(
            f"Invalid volume: volume {device.uuid} can be attached to one server "
            f"only, not to {count}."
        )
    if device.boot_index == 0 and not row["bootable"]:
        raise InvalidRequest(f"Block Device {device.uuid} is not bootable.")
    return DiskPlan(
        device,
        row["size_gb"],
        bool(row["bootable"]),
        row["image_min_disk_gb"],
        row["image_min_ram_mb"],
        existing=True,
    )


def _check_boot_sequence(image: Image | None, disks: tuple[DiskPlan, ...]) -> None:
    """Exactly one boot disk: the image, or a block device with boot_index 0."""
    boot_disks = sum(1 for d in disks if d.device.boot_index == 0) + (image is not None)
    if boot_disks != 1:
        raise InvalidRequest(
            "Block Device Mapping is Invalid: Boot sequence for the instance and "
            "image/block device mapping combination is not valid."
        )


def _check_minimums(flavor: Flavor, min_ram_mb: int) -> None:
    if flavor.ram_mb < min_ram_mb:
        raise InvalidRequest("Flavor's memory is too small for requested image.")


# -- network interfaces ----------------------------------------------------------


def _nics(
    db: sqlite3.Connection, project: str, requested: tuple[Nic, ...] | str, count: int
) -> tuple[NicPlan, ...]:
    if requested == "none":
        return ()
    if requested == "auto" or not requested:
        # Nova's get-me-a-network: the project's network
        return (NicPlan(data.NETWORKS[0]),)
    if isinstance(requested, str):
        raise ValueError(f"networks must be Nics, 'auto' or 'none': {requested!r}")
    by_id = {n.id: n for n in data.NETWORKS}
    taken = store.addresses_in_use(db)
    used_ports = store.used_ports(db)
    nics = []
    for nic in requested:
        if nic.port_id:
            nics.append(_port_nic(project, nic.port_id, by_id, used_ports, count))
            continue
        if not nic.network_id:
            raise InvalidRequest("A network interface needs a network or a port.")
        network = by_id.get(nic.network_id)
        if network is None:
            raise InvalidRequest(f"Network {nic.network_id} could not be found.")
        if not network.has_subnet:
            raise InvalidRequest(
                f"Network {nic.network_id} requires a subnet in order to boot instances on."
            )
        if nic.fixed_ip:
            _check_fixed_ip(nic.fixed_ip, network, count, taken)
            taken.add((network.name, str(ipaddress.ip_address(nic.fixed_ip))))
        nics.append(NicPlan(network, nic.fixed_ip))
    return tuple(nics)


def _port_nic(
    project: str, port_id: str, networks: dict[str, Network], used_ports: set[str], count: int
) -> NicPlan:
    port = next((p for p in data.PORTS.get(project, ()) if p.id == port_id), None)
    if port is None:
        raise InvalidRequest(f"Port id {port_id} could not be found.")
    if port_id in used_ports:
        raise InvalidRequest(f"Port {port_id} is still in use.")
    if count > 1:
        raise InvalidRequest(
            "Failed to launch instances: Unable to launch multiple instances with a "
            "single configured port ID. Please launch your instance one by one with "
            "different ports."
        )
    address = port.fixed_ips[0] if port.fixed_ips else None
    return NicPlan(networks[port.network_id], address, port)


def _check_fixed_ip(
    address: str, network: Network, count: int, taken: set[tuple[str, str]]
) -> None:
    if count > 1:
        raise InvalidRequest(
            "Failed to launch instances: max_count cannot be greater than 1 if an "
            "fixed_ip is specified."
        )
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise InvalidRequest(
            f"Invalid input for field/attribute fixed_ip. Value: {address}. "
            f"'{address}' is not a 'ip-address'"
        ) from None
    if not any(ip in ipaddress.ip_network(cidr) for cidr in network.subnets):
        raise InvalidRequest(
            f"Fixed IP {address} is not a valid ip address for network {network.id}."
        )
    if (network.name, str(ip)) in taken:
        raise InvalidRequest(f"Fixed IP address {address} is already in use.")
