"""An OpenTofu/Terraform configuration (the ``openstack`` provider) for the same
server(s) as a :class:`ServerRequest`.

One ``openstack_compute_instance_v2`` resource (``count`` for several servers)
and, when the boot disk is a new volume made from an image or a volume snapshot,
an ``openstack_blockstorage_volume_v3`` for it. What the provider cannot say comes
as ``#`` lines in the resource.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta

from webapp.cloud import models
from webapp.cloud.equivalents.command import USER_DATA_FILE
from webapp.cloud.equivalents.command import duration_words

__all__ = ["terraform_config"]

_INSTANCE = "openstack_compute_instance_v2"
_VOLUME = "openstack_blockstorage_volume_v3"


def terraform_config(
    request: models.ServerRequest,
    *,
    user_data_file: str = USER_DATA_FILE,
    from_now: Mapping[str, timedelta] | None = None,
) -> str:
    """The configuration creating what ``request`` describes; the user data, when
    set, is read from ``user_data_file``. The administrator password is never shown.

    :param from_now: metadata keys whose value is a time this long after the
        server is created (``timeadd(timestamp(), …)``, then left alone by later
        plans), rather than the request's.
    """
    label = _identifier(request.name)
    boot_volume = _boot_volume(request)
    resources = []
    if boot_volume is not None:
        resources.append(_volume(f"{label}_boot", boot_volume, request.count))
    later = {key: length for key, length in (from_now or {}).items() if key in request.metadata}
    resources.append(_instance(label, request, boot_volume, user_data_file, later))
    return "\n\n".join(resources) + "\n"


@dataclass
class _Block:
    """A block being written: ``items`` are ``(name, value)`` attributes, nested
    blocks and ``#`` lines, each in order."""

    header: str
    items: list[tuple[str, str] | _Block | str] = field(default_factory=list)

    def set(self, name: str, value: str) -> None:
        self.items.append((name, value))

    def render(self, indent: str = "") -> str:
        inner = indent + "  "
        lines = [f"{indent}{self.header} {{"]
        for number, item in enumerate(self.items):
            if isinstance(item, _Block):
                lines.append(item.render(inner))
            elif isinstance(item, str):
                lines.append(f"{inner}# {item}")
            else:
                name, value = item
                if "\n" not in value:
                    name = name.ljust(_width(self.items, number))
                lines.append(f"{inner}{name} = {value}".replace("\n", "\n" + inner))
        lines.append(f"{indent}}}")
        return "\n".join(lines)


def _width(items: list[tuple[str, str] | _Block | str], number: int) -> int:
    """How wide the name of one-line attribute ``number`` is written: ``tofu fmt``
    aligns the "=" of the one-line attributes next to each other."""
    start = end = number
    while start > 0 and _one_line(items[start - 1]):
        start -= 1
    while end + 1 < len(items) and _one_line(items[end + 1]):
        end += 1
    return max(len(item[0]) for item in items[start : end + 1] if isinstance(item, tuple))


def _one_line(item: tuple[str, str] | _Block | str) -> bool:
    return isinstance(item, tuple) and "\n" not in item[1]


def _volume(label: str, device: models.BlockDevice, count: int) -> str:
    """The new boot volume, copied from an image or a volume snapshot."""
    block = _Block(f'resource "{_VOLUME}" "{label}"')
    if count > 1:
        block.set("count", str(count))
    block.set("size", str(device.volume_size))
    source = "snapshot_id" if device.source_type == "snapshot" else "image_id"
    block.set(source, _string(device.uuid or ""))
    if device.volume_type:
        block.set("volume_type", _string(device.volume_type))
    return block.render()


def _instance(
    label: str,
    request: models.ServerRequest,
    boot_volume: models.BlockDevice | None,
    user_data_file: str,
    later: Mapping[str, timedelta],
) -> str:
    block = _Block(f'resource "{_INSTANCE}" "{label}"')
    if request.count > 1:
        block.set("count", str(request.count))
        # Nova's names for servers created together
        block.set("name", _string(request.name, suffix="-${count.index + 1}"))
    else:
        block.set("name", _string(request.name))
    block.set("flavor_id", _string(request.flavor_id))
    if request.image_id:
        block.set("image_id", _string(request.image_id))
    if request.key_name:
        block.set("key_pair", _string(request.key_name))
    if request.availability_zone:
        block.set("availability_zone", _string(request.availability_zone))
    if request.security_groups:
        block.set("security_groups", _list(request.security_groups))
    if request.user_data:
        # text that already is base64 goes to Nova as it is: how a binary
        # file (Skiff's gzip) gets there unchanged
        function = "filebase64" if isinstance(request.user_data, bytes) else "file"
        block.set("user_data", f"{function}({_string(user_data_file)})")
    if request.config_drive:
        block.set("config_drive", "true")
    if request.metadata:
        computed = {
            key: f'timeadd(timestamp(), "{int(length.total_seconds())}s")'
            for key, length in later.items()
        }
        block.set("metadata", _map(request.metadata, computed))
    if request.tags:
        block.set("tags", _list(request.tags))
    _add_networks(block, request.networks)
    _add_block_devices(block, request, boot_volume, f"{label}_boot")
    _add_scheduler_hints(block, request)
    if later:
        # timestamp() is new at every plan: the time is set once, at creation
        lifecycle = _Block("lifecycle")
        kept = ", ".join(f"metadata[{_string(key)}]" for key in later)
        lifecycle.set("ignore_changes", f"[{kept}]")
        block.items.append(lifecycle)
        block.items += [
            f"{key}: {duration_words(length)} after the server is created."
            for key, length in later.items()
        ]
    block.items += _comments(request)
    return block.render()


def _add_networks(block: _Block, networks: tuple[models.Nic, ...] | str) -> None:
    if not networks:
        # Skiff's "auto" from compute API 2.37; the provider would send no
        # networks at all, which Nova refuses from 2.37
        networks = "auto"
    if isinstance(networks, str):
        block.set("network_mode", _string(networks))
        return
    for nic in networks:
        network = _Block("network")
        if nic.network_id:
            network.set("uuid", _string(nic.network_id))
        if nic.port_id:
            network.set("port", _string(nic.port_id))
        if nic.fixed_ip and ":" in nic.fixed_ip:
            network.items.append("The provider does not send fixed_ip_v6 when it creates")
            network.items.append("the server: Nova then chooses the address.")
            network.set("fixed_ip_v6", _string(nic.fixed_ip))
        elif nic.fixed_ip:
            network.set("fixed_ip_v4", _string(nic.fixed_ip))
        block.items.append(network)


def _add_block_devices(
    block: _Block,
    request: models.ServerRequest,
    boot_volume: models.BlockDevice | None,
    volume_label: str,
) -> None:
    """``block_device`` blocks mirroring ``request.block_devices``."""
    if request.image_id and request.block_devices:
        # novaclient puts the image first as the local boot disk; the provider
        # would ignore image_id when block devices are given without it
        local = _Block("block_device")
        local.set("uuid", _string(request.image_id))
        local.set("source_type", '"image"')
        local.set("destination_type", '"local"')
        local.set("boot_index", "0")
        local.set("delete_on_termination", "true")
        block.items.append(local)
    for device in request.block_devices:
        mapping = _Block("block_device")
        if device is boot_volume:
            index = "[count.index]" if request.count > 1 else ""
            mapping.set("uuid", f"{_VOLUME}.{volume_label}{index}.id")
            mapping.set("source_type", '"volume"')
        else:
            if device.uuid:
                mapping.set("uuid", _string(device.uuid))
            mapping.set("source_type", _string(device.source_type))
        mapping.set("destination_type", _string(device.destination_type))
        # always set: the provider's default boot_index is 0
        mapping.set("boot_index", str(device.boot_index))
        if device.volume_size is not None and device is not boot_volume:
            mapping.set("volume_size", str(device.volume_size))
        mapping.set("delete_on_termination", str(device.delete_on_termination).lower())
        if device.volume_type and device is not boot_volume:
            mapping.set("volume_type", _string(device.volume_type))
        block.items.append(mapping)


def _add_scheduler_hints(block: _Block, request: models.ServerRequest) -> None:
    hints = dict(request.scheduler_hints)
    if request.server_group:
        hints["group"] = request.server_group
    group = hints.pop("group", None)
    if not (group or hints):
        return
    scheduler = _Block("scheduler_hints")
    if group:
        scheduler.set("group", _string(group))
    if hints:
        # sent as they are, like Skiff's (the named arguments would be lists)
        scheduler.set("additional_properties", _map(hints))
    block.items.append(scheduler)


def _boot_volume(request: models.ServerRequest) -> models.BlockDevice | None:
    """The boot disk that is a new volume copied from an image or a snapshot."""
    for device in request.block_devices:
        if (
            device.boot_index == 0
            and device.source_type in ("image", "snapshot")
            and device.destination_type == "volume"
            and device.uuid
            and device.volume_size is not None
        ):
            return device
    return None


def _comments(request: models.ServerRequest) -> list[str]:
    """What Skiff sends that the provider has no argument for, or must not show."""
    comments = []
    if request.description:
        comments.append(
            f"Description (not an argument of {_INSTANCE}): {_text(request.description)}"
        )
    if request.hostname:
        comments.append(f"Hostname (not an argument of {_INSTANCE}): {_text(request.hostname)}")
    if request.disk_config:
        comments.append(
            f"Disk partitioning (disk_config) {_text(request.disk_config)}: not an argument"
            f" of {_INSTANCE}."
        )
    if request.admin_password:
        comments.append(
            "An administrator password is set for this server; it is not shown"
            " (admin_pass sets one)."
        )
    return comments


def _identifier(name: str) -> str:
    """``name`` as a resource name: letters, digits and "_", not starting with a digit."""
    label = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return label if re.match(r"[A-Za-z_]", label) else f"server_{label}"


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _string(value: str, *, suffix: str = "") -> str:
    """``value`` as an HCL quoted string, with nothing in it read as a template;
    ``suffix`` is added as it is (it may be one)."""
    escaped = []
    for char in value:
        if char in _ESCAPES:
            escaped.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    text = "".join(escaped).replace("${", "$${").replace("%{", "%%{")
    return f'"{text}{suffix}"'


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_string(value) for value in values) + "]"


def _map(values: dict[str, str], expressions: Mapping[str, str] | None = None) -> str:
    """A map with quoted keys, one a line (indented by :meth:`_Block.render`);
    the values of ``expressions``' keys are those expressions, as they are."""
    expressions = expressions or {}
    width = max(len(_string(key)) for key in values)
    lines = [
        f"  {_string(key).ljust(width)} = {expressions.get(key) or _string(value)}"
        for key, value in values.items()
    ]
    return "{\n" + "\n".join(lines) + "\n}"


def _text(value: str) -> str:
    """``value`` quoted on one line, for a comment."""
    return json.dumps(value, ensure_ascii=False)
