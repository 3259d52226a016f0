"""Build :mod:`webapp.cloud.models` dataclasses from OpenStack JSON.

Pure functions over the dicts the APIs return (novaclient resources go in through
``resource.to_dict()``), so nothing above this package sees a client object.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from typing import Any

from webapp.cloud import models

__all__ = [
    "any_image",
    "availability_zone",
    "flavor",
    "floating_ip",
    "image",
    "keypair",
    "limits",
    "network",
    "port",
    "security_group",
    "server",
    "server_group",
    "timestamp",
    "volume",
    "volume_snapshot",
    "volume_type",
]

#: kernel and ramdisk images of the "ami" family cannot be booted on their own
_NOT_BOOTABLE = {"aki", "ari"}


def server(data: Mapping[str, Any]) -> models.Server:
    """A Nova server (any microversion) as the portal shows it."""
    image = data.get("image")
    flavor_ref = data.get("flavor") or {}
    fault = data.get("fault") or {}
    return models.Server(
        id=data["id"],
        name=data.get("name") or "",
        status=data.get("status") or "UNKNOWN",
        # up to 2.46 the flavor is a reference; from 2.47 a copy that has only
        # the name it had at boot time
        flavor_id=str(flavor_ref.get("id") or flavor_ref.get("original_name") or ""),
        # "" (not a dict) for a server booted from a volume
        image_id=image.get("id", "") if isinstance(image, Mapping) else "",
        key_name=data.get("key_name") or None,
        availability_zone=data.get("OS-EXT-AZ:availability_zone") or None,
        addresses=_addresses(data.get("addresses") or {}),
        security_groups=_unique(sg.get("name", "") for sg in data.get("security_groups") or ()),
        description=data.get("description"),
        fault=fault.get("message") if data.get("status") == "ERROR" else None,
        created=data.get("created") or "",
        progress=int(data.get("progress") or 0),
        volumes=tuple(v["id"] for v in data.get("os-extended-volumes:volumes_attached") or ()),
        tags=tuple(data.get("tags") or ()),
        metadata=dict(data.get("metadata") or {}),
        # visible to the server's owner from 2.90
        hostname=data.get("OS-EXT-SRV-ATTR:hostname"),
        # "True" (a string) in most Nova versions, "" when there is none
        config_drive=str(data.get("config_drive")).lower() == "true",
        task_state=data.get("OS-EXT-STS:task_state") or None,
        launched_at=data.get("OS-SRV-USG:launched_at") or "",
        updated=data.get("updated") or "",
        flavor=_embedded_flavor(flavor_ref),
        ips=_ips(data.get("addresses") or {}),
        server_groups=tuple(data.get("server_groups") or ()),
        fault_code=_fault_code(fault) if data.get("status") == "ERROR" else None,
    )


def _embedded_flavor(data: Mapping[str, Any]) -> models.Flavor | None:
    """The copy of the flavor Nova embeds from 2.47 (None for a reference)."""
    if "original_name" not in data:
        return None
    return models.Flavor(
        id="",
        name=data.get("original_name") or "",
        vcpus=int(data.get("vcpus") or 0),
        ram_mb=int(data.get("ram") or 0),
        disk_gb=int(data.get("disk") or 0),
        ephemeral_gb=int(data.get("ephemeral") or 0),
    )


def _ips(addresses: Mapping[str, Any]) -> tuple[models.ServerAddress, ...]:
    return tuple(
        models.ServerAddress(
            network=net,
            address=entry["addr"],
            kind=entry.get("OS-EXT-IPS:type") or "fixed",
            version=int(entry.get("version") or (6 if ":" in entry["addr"] else 4)),
            mac=entry.get("OS-EXT-IPS-MAC:mac_addr") or "",
        )
        for net, entries in addresses.items()
        for entry in entries or ()
        if entry.get("addr")
    )


def _fault_code(fault: Mapping[str, Any]) -> int | None:
    try:
        return int(fault["code"])
    except (KeyError, TypeError, ValueError):
        return None


def flavor(data: Mapping[str, Any]) -> models.Flavor:
    """A Nova flavor."""
    return models.Flavor(
        id=str(data["id"]),
        name=data.get("name") or str(data["id"]),
        vcpus=int(data.get("vcpus") or 0),
        ram_mb=int(data.get("ram") or 0),
        disk_gb=int(data.get("disk") or 0),
        ephemeral_gb=int(data.get("OS-FLV-EXT-DATA:ephemeral") or 0),
    )


def keypair(data: Mapping[str, Any]) -> models.KeyPair:
    """A Nova key pair (list entries are wrapped in ``{"keypair": ...}``)."""
    data = data.get("keypair", data)
    return models.KeyPair(
        name=data["name"],
        fingerprint=data.get("fingerprint") or "",
        type=data.get("type") or "ssh",
    )


def availability_zone(data: Mapping[str, Any]) -> models.AvailabilityZone:
    """A Nova availability zone."""
    state = data.get("zoneState") or {}
    return models.AvailabilityZone(name=data["zoneName"], available=bool(state.get("available")))


def limits(nova: Mapping[str, Any], cinder: Mapping[str, Any] | None = None) -> models.Limits:
    """Quotas and usage from Nova's and Cinder's absolute ``/limits``."""
    cinder = cinder or {}
    defaults = models.Limits()
    return models.Limits(
        max_instances=_int(nova, "maxTotalInstances", defaults.max_instances),
        used_instances=_int(nova, "totalInstancesUsed", 0),
        max_cores=_int(nova, "maxTotalCores", defaults.max_cores),
        used_cores=_int(nova, "totalCoresUsed", 0),
        max_ram_mb=_int(nova, "maxTotalRAMSize", defaults.max_ram_mb),
        used_ram_mb=_int(nova, "totalRAMUsed", 0),
        max_server_meta=_int(nova, "maxServerMeta", defaults.max_server_meta),
        max_volumes=_int(cinder, "maxTotalVolumes", defaults.max_volumes),
        used_volumes=_int(cinder, "totalVolumesUsed", 0),
        max_volume_gb=_int(cinder, "maxTotalVolumeGigabytes", defaults.max_volume_gb),
        used_volume_gb=_int(cinder, "totalGigabytesUsed", 0),
    )


def image(data: Mapping[str, Any]) -> models.Image | None:
    """A Glance v2 image, or None when it cannot be booted (kernel, ramdisk)."""
    formats = {data.get("disk_format"), data.get("container_format")}
    if formats & _NOT_BOOTABLE:
        return None
    return any_image(data)


def any_image(data: Mapping[str, Any]) -> models.Image:
    """A Glance v2 image, bootable or not."""
    return models.Image(
        id=data["id"],
        name=data.get("name") or data["id"],
        # Nova marks instance snapshots with this image property
        kind="snapshot" if data.get("image_type") == "snapshot" else "image",
        size_bytes=int(data.get("size") or 0),
        min_disk_gb=int(data.get("min_disk") or 0),
        min_ram_mb=int(data.get("min_ram") or 0),
        visibility=data.get("visibility") or "public",
        os_distro=data.get("os_distro") or "",
        os_admin_user=data.get("os_admin_user") or "",
        os_version=str(data.get("os_version") or ""),
        updated_at=timestamp(data.get("updated_at")),
    )


def network(data: Mapping[str, Any], cidrs: Iterable[str] = ()) -> models.Network:
    """A Neutron network, with the CIDRs of its subnets."""
    return models.Network(
        id=data["id"],
        name=data.get("name") or data["id"],
        shared=bool(data.get("shared")),
        has_subnet=bool(data.get("subnets")),
        # absent when the port-security extension is off: then nothing filters
        port_security=bool(data.get("port_security_enabled", True)),
        subnets=tuple(cidrs),
    )


def security_group(data: Mapping[str, Any]) -> models.SecurityGroup:
    """A Neutron security group."""
    return models.SecurityGroup(
        id=data["id"],
        name=data.get("name") or data["id"],
        description=data.get("description") or "",
    )


def port(data: Mapping[str, Any]) -> models.Port:
    """A Neutron port, with its fixed IP addresses."""
    return models.Port(
        id=data["id"],
        name=data.get("name") or data["id"],
        network_id=data.get("network_id") or "",
        fixed_ips=tuple(
            ip["ip_address"] for ip in data.get("fixed_ips") or () if ip.get("ip_address")
        ),
        port_security=bool(data.get("port_security_enabled", True)),
    )


def volume(data: Mapping[str, Any], *, server_id: str | None = None) -> models.Volume:
    """A Cinder volume; the image it was made from and that image's minimums come
    from ``volume_image_metadata``, the device from its attachment to ``server_id``
    (else its first attachment)."""
    image = data.get("volume_image_metadata") or {}
    attachments = [
        a for a in data.get("attachments") or () if server_id in (None, a.get("server_id"))
    ]
    return models.Volume(
        id=data["id"],
        name=data.get("name") or data["id"],
        size_gb=int(data.get("size") or 0),
        status=data.get("status") or "",
        # a string, "true" or "false", in every Cinder microversion
        bootable=str(data.get("bootable")).lower() == "true",
        volume_type=data.get("volume_type") or "",
        availability_zone=data.get("availability_zone") or "",
        image_min_disk_gb=_loose_int(image.get("min_disk")),
        image_min_ram_mb=_loose_int(image.get("min_ram")),
        image_id=image.get("image_id") or "",
        device=(attachments[0].get("device") or "") if attachments else "",
        os_distro=str(image.get("os_distro") or ""),
        os_version=str(image.get("os_version") or ""),
        updated_at=timestamp(data.get("updated_at") or data.get("created_at")),
    )


def volume_snapshot(
    data: Mapping[str, Any], parent: models.Volume | None = None
) -> models.VolumeSnapshot:
    """A Cinder snapshot; bootable, the image minimums and OS come from the
    volume it was taken of, when that is known (``parent``)."""
    return models.VolumeSnapshot(
        id=data["id"],
        name=data.get("name") or data["id"],
        size_gb=int(data.get("size") or 0),
        volume_id=data.get("volume_id") or "",
        status=data.get("status") or "",
        bootable=parent.bootable if parent else False,
        image_min_disk_gb=parent.image_min_disk_gb if parent else 0,
        image_min_ram_mb=parent.image_min_ram_mb if parent else 0,
        os_distro=parent.os_distro if parent else "",
        os_version=parent.os_version if parent else "",
        updated_at=timestamp(data.get("updated_at") or data.get("created_at")),
    )


def volume_type(data: Mapping[str, Any], *, is_default: bool = False) -> models.VolumeType:
    """A Cinder volume type."""
    return models.VolumeType(
        id=data["id"], name=data.get("name") or data["id"], is_default=is_default
    )


def server_group(data: Mapping[str, Any]) -> models.ServerGroup:
    """A Nova server group: ``policy`` from 2.64, a one-item ``policies`` before."""
    policy = data.get("policy") or next(iter(data.get("policies") or ()), "")
    return models.ServerGroup(id=data["id"], name=data.get("name") or data["id"], policy=policy)


def floating_ip(data: Mapping[str, Any], pool_name: str = "") -> models.FloatingIP:
    """A Neutron floating IP; ``pool_name`` is its external network's name."""
    return models.FloatingIP(
        id=data["id"],
        address=data.get("floating_ip_address") or "",
        pool_id=data.get("floating_network_id") or "",
        pool_name=pool_name,
        port_id=data.get("port_id") or None,
        fixed_address=data.get("fixed_ip_address") or None,
        status=data.get("status") or "DOWN",
    )


def _addresses(addresses: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        f"{net}: {entry['addr']}"
        for net, entries in addresses.items()
        for entry in entries or ()
        if entry.get("addr")
    )


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    # Nova lists a server's groups once per port
    return tuple(dict.fromkeys(v for v in values if v))


def timestamp(value: Any) -> str:
    """An API's time as UTC ``2025-01-31T12:00:00Z``; "" when absent or unreadable.

    Glance says ``2025-01-31T12:00:00Z``; Cinder ``2025-01-31T12:00:00.000000``,
    in UTC without saying so.
    """
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _loose_int(value: Any) -> int:
    # image properties copied by Cinder are strings, and users may set anything
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def _int(data: Mapping[str, Any], key: str, default: int) -> int:
    value = data.get(key)
    return default if value is None else int(value)
