"""The ``openstack server create`` command (python-openstackclient) that asks Nova
for the same server(s) as a :class:`ServerRequest`.

Every value is shell-quoted with :func:`shlex.quote`, one option a line; what the
command cannot say comes as ``#`` lines after it, so that it still runs as pasted.
A metadata item that is a time from now (a lease's end) is computed by the shell
when the command runs, so a command kept for later still gives the whole lease.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shlex
from collections.abc import Mapping
from datetime import timedelta

from webapp.cloud import models

__all__ = ["USER_DATA_FILE", "openstack_command"]

#: the file the equivalents read the user data from, unless told another
USER_DATA_FILE = "user-data"

#: between the lines of the command: a shell line continuation
_JOIN = " \\\n  "


def openstack_command(
    request: models.ServerRequest,
    *,
    user_data_file: str = USER_DATA_FILE,
    from_now: Mapping[str, timedelta] | None = None,
) -> str:
    """The command creating what ``request`` describes; the user data, when set, is
    read from ``user_data_file``. The administrator password is never shown.

    :param from_now: metadata keys whose value is a time this long after the
        command runs (UTC, ``2026-12-02T12:00:00Z``), rather than the request's.
    """
    later = dict(from_now or {})
    options: list[tuple[str, str | None]] = [("--flavor", request.flavor_id)]
    options += _boot_source(request)
    options += _networks(request.networks)
    options += [("--security-group", group) for group in request.security_groups]
    if request.key_name:
        options.append(("--key-name", request.key_name))
    if request.availability_zone:
        options.append(("--availability-zone", request.availability_zone))
    if request.user_data:
        options.append(("--user-data", user_data_file))
    if request.config_drive:
        # --config-drive True is deprecated for this
        options.append(("--use-config-drive", None))
    options += [
        ("--property", _Shell(f'"{_in_double_quotes(key)}={_date_after(later[key])}"'))
        if key in later
        else ("--property", f"{key}={value}")
        for key, value in request.metadata.items()
    ]
    options += [("--tag", tag) for tag in request.tags]
    hints = dict(request.scheduler_hints)
    if request.server_group:
        hints["group"] = request.server_group
    options += [("--hint", f"{key}={value}") for key, value in hints.items()]
    if request.count > 1:
        options += [("--min", str(request.count)), ("--max", str(request.count))]
    if request.description:
        options.append(("--description", request.description))
    if request.hostname:
        options.append(("--hostname", request.hostname))
    lines = ["openstack server create", *(_option(*option) for option in options)]
    # "--" keeps a name starting with "-" from being read as an option
    name = shlex.quote(request.name)
    lines.append(f"-- {name}" if request.name.startswith("-") else name)
    comments = [
        f"# {key} is computed when the command runs: {duration_words(later[key])} after"
        " (GNU date; on macOS, gdate)."
        for key in request.metadata
        if key in later
    ]
    return "\n".join([_JOIN.join(lines), *comments, *_comments(request)])


class _Shell(str):
    """An option's value that is shell text already (quoted, with a command
    substitution), written as it is."""


def _date_after(length: timedelta) -> str:
    """A command substitution printing the UTC time ``length`` from when it runs."""
    seconds = int(length.total_seconds())
    return f"$(date -u -d '+{seconds} seconds' '+%Y-%m-%dT%H:%M:%SZ')"


def _in_double_quotes(text: str) -> str:
    """``text`` safe inside a shell's double quotes."""
    return re.sub(r'(["$`\\])', r"\\\1", text)


def duration_words(length: timedelta) -> str:
    """A length in its largest whole unit: "72 hours", "3 days", "90 minutes"."""
    seconds = int(length.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def _boot_source(request: models.ServerRequest) -> list[tuple[str, str | None]]:
    """The boot disk as OSC's own option for it where one says all of it
    (``--image``, ``--image`` with ``--boot-from-volume``, ``--volume``,
    ``--snapshot``), else a ``--block-device``; then one ``--block-device`` per
    other disk.

    With ``--image`` and block devices, OSC (like novaclient) makes the image the
    local boot disk ahead of them, so the mappings are the same as Skiff's.
    """
    options: list[tuple[str, str | None]] = []
    devices = list(request.block_devices)
    boot = devices[0] if devices and devices[0].boot_index == 0 and devices[0].uuid else None
    if request.image_id:
        options.append(("--image", request.image_id))
    elif boot and _is_new_volume_of_image(boot):
        devices.pop(0)
        options += [("--image", boot.uuid), ("--boot-from-volume", str(boot.volume_size))]
        if boot.delete_on_termination:
            options.append(("--delete-on-termination", None))
    elif boot and _is_kept_volume(boot, "volume"):
        # --volume maps it as Nova's default would: kept when the server goes
        options.append(("--volume", devices.pop(0).uuid))
    elif boot and _is_kept_volume(boot, "snapshot"):
        options.append(("--snapshot", devices.pop(0).uuid))
    options += [("--block-device", _mapping(device)) for device in devices]
    return options


def _is_new_volume_of_image(device: models.BlockDevice) -> bool:
    """Whether the boot disk is a new volume made from an image, of a size and
    of the default type: what ``--image`` with ``--boot-from-volume`` says."""
    return (
        device.source_type == "image"
        and device.destination_type == "volume"
        and device.volume_size is not None
        and not device.volume_type
    )


def _is_kept_volume(device: models.BlockDevice, source_type: str) -> bool:
    """Whether the boot disk is an existing volume (or a new volume of a volume
    snapshot) of its own size that outlives the server: all that ``--volume``
    (``--snapshot``) can say."""
    return (
        device.source_type == source_type
        and device.destination_type == "volume"
        and device.volume_size is None
        and not device.delete_on_termination
        and not device.volume_type
    )


def _mapping(device: models.BlockDevice) -> str:
    """A ``--block-device`` value: its keys as in ``block_device_mapping_v2``."""
    keys = [f"uuid={device.uuid}"] if device.uuid else []
    keys += [
        f"source_type={device.source_type}",
        # explicit: OSC's default for a blank device is a local disk
        f"destination_type={device.destination_type}",
        f"boot_index={device.boot_index}",
    ]
    if device.volume_size is not None:
        keys.append(f"volume_size={device.volume_size}")
    keys.append(f"delete_on_termination={str(device.delete_on_termination).lower()}")
    if device.volume_type:
        keys.append(f"volume_type={device.volume_type}")
    return ",".join(keys)


def _networks(networks: tuple[models.Nic, ...] | str) -> list[tuple[str, str | None]]:
    """``--nic`` options (``--port`` for a port of its own); none when nothing
    was chosen (OSC then asks for "auto" from compute API 2.37, as Skiff does)."""
    if isinstance(networks, str):
        return [("--nic", networks)]
    return [
        ("--port", nic.port_id) if nic.port_id and not nic.fixed_ip else ("--nic", _nic(nic))
        for nic in networks
    ]


def _nic(nic: models.Nic) -> str:
    keys = []
    if nic.network_id:
        keys.append(f"net-id={nic.network_id}")
    if nic.port_id:
        keys.append(f"port-id={nic.port_id}")
    if nic.fixed_ip:
        keys.append(f"v{_ip_version(nic.fixed_ip)}-fixed-ip={nic.fixed_ip}")
    return ",".join(keys)


def _ip_version(address: str) -> int:
    try:
        return ipaddress.ip_address(address).version
    except ValueError:
        # Skiff refuses it before any call; show it as typed
        return 4


def _option(flag: str, value: str | None) -> str:
    if value is None:
        return flag
    if isinstance(value, _Shell):
        return f"{flag} {value}"
    if value.startswith("-"):
        # argparse would take a separate "-..." word for an option
        return f"{flag}={shlex.quote(value)}"
    return f"{flag} {shlex.quote(value)}"


def _comments(request: models.ServerRequest) -> list[str]:
    """``#`` lines for what Skiff sends and the command does not show or say."""
    comments = []
    if request.admin_password:
        comments.append(
            "# An administrator password is set for this server; it is not shown"
            " (--password sets one)."
        )
    if request.disk_config:
        comments.append(
            f"# Disk partitioning {json.dumps(request.disk_config, ensure_ascii=False)}"
            " (Nova's disk_config) has no python-openstackclient option."
        )
    return comments
