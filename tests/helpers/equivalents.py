"""Launches to compare (every boot source and option), and their equivalents read
back as their tools would: the command as the shell and python-openstackclient
read it (and the Nova request it makes), the OpenTofu configuration as python-hcl2
parses it."""

from __future__ import annotations

import argparse
import copy
import gzip
import importlib
import re
import shlex
import subprocess
import types
import warnings
from dataclasses import dataclass
from typing import Any
from unittest import mock

import hcl2
from hcl2.utils import SerializationOptions
from openstack.compute.v2 import server as sdk_server

from webapp.cloud import models

with warnings.catch_warnings():
    # osc_lib warns, as it is imported, that its own version module is deprecated
    warnings.simplefilter("ignore", DeprecationWarning)
    osc_server = importlib.import_module("openstackclient.compute.v2.server")

PROGRAM = ["openstack", "server", "create"]

# -- launches to compare: every boot source and option ---------------------------------

NET = "11111111-1111-1111-1111-111111111111"
SHARED = "22222222-2222-2222-2222-222222222222"
PORT = "33333333-3333-3333-3333-333333333333"
IMAGE = "aaaaaaaa-0000-0000-0000-000000000001"
VOLUME = "bbbbbbbb-0000-0000-0000-000000000002"
SNAPSHOT = "cccccccc-0000-0000-0000-000000000003"  # a volume snapshot
INSTANCE_SNAPSHOT = "dddddddd-0000-0000-0000-000000000004"  # an image
GROUP = "eeeeeeee-0000-4000-8000-000000000005"

ON_NET = (models.Nic(network_id=NET),)
FIXED_V4 = models.Nic(network_id=NET, fixed_ip="10.0.0.9")
FIXED_V6 = models.Nic(network_id=SHARED, fixed_ip="fd00::9")
ON_PORT = models.Nic(port_id=PORT)
DATA = models.BlockDevice(
    "blank", boot_index=-1, volume_size=5, delete_on_termination=True, volume_type="hdd"
)


def server(**values) -> models.ServerRequest:
    """A request for one server "web" of flavor 42, on NET unless told."""
    values = {"name": "web", "flavor_id": "42", "image_id": None, "networks": ON_NET, **values}
    return models.ServerRequest(**values)


def boot_volume(kind: str, uuid: str, **values: Any) -> models.BlockDevice:
    return models.BlockDevice(kind, uuid=uuid, **values)


SOURCES = {
    "image": server(image_id=IMAGE),
    "instance-snapshot": server(image_id=INSTANCE_SNAPSHOT),
    "image-to-new-volume": server(
        block_devices=(
            boot_volume(
                "image", IMAGE, volume_size=20, delete_on_termination=True, volume_type="ssd"
            ),
        )
    ),
    "image-to-new-volume-of-the-default-type": server(
        block_devices=(boot_volume("image", IMAGE, volume_size=20, delete_on_termination=True),)
    ),
    "image-to-new-volume-kept": server(
        block_devices=(boot_volume("image", IMAGE, volume_size=20), DATA)
    ),
    "volume": server(block_devices=(boot_volume("volume", VOLUME),)),
    "volume-deleted-with-the-server": server(
        block_devices=(boot_volume("volume", VOLUME, delete_on_termination=True),)
    ),
    "volume-snapshot-to-new-volume": server(
        block_devices=(boot_volume("snapshot", SNAPSHOT, volume_size=30),)
    ),
    "volume-snapshot-as-it-is": server(block_devices=(boot_volume("snapshot", SNAPSHOT),)),
    "image-with-data-volumes": server(image_id=IMAGE, block_devices=(DATA, DATA)),
}

EVERY_OPTION = dict(
    networks=(FIXED_V4, FIXED_V6, ON_PORT),
    security_groups=("default", "web"),
    key_name="alice-key",
    availability_zone="zone-b",
    user_data="#!/bin/sh\necho 'hi' \"$HOME\"\n",
    config_drive=True,
    metadata={"owner": "web team", "tier": "front=end"},
    tags=("web", "prod"),
    scheduler_hints={"different_host": "srv-0", "group": "overridden"},
    server_group=GROUP,
    count=3,
    description="Front end",
    hostname="web-01.example.org",
    admin_password="s3cret-Pa55",
    disk_config="AUTO",
)


#: launches whose command must make the very body Skiff sends
SAME_AS_SKIFF = {
    **SOURCES,
    "every-option": server(image_id=IMAGE, **EVERY_OPTION),
    "every-option-on-a-new-volume": server(
        block_devices=SOURCES["image-to-new-volume"].block_devices + (DATA,), **EVERY_OPTION
    ),
    "network-auto": server(image_id=IMAGE, networks="auto"),
    "network-none": server(image_id=IMAGE, networks="none"),
    "no-network-chosen": server(image_id=IMAGE, networks=()),
    "binary-user-data": server(image_id=IMAGE, user_data=gzip.compress(b"#!/bin/sh\n", mtime=0)),
}


# -- reading the equivalents back ---------------------------------------------------------


def command_words(command: str) -> list[str]:
    """The arguments of ``openstack server create``, as :func:`shlex.split` reads
    the command without its ``#`` lines."""
    # "\n" is what shlex makes of a line continuation (backslash, newline)
    words = [word for word in shlex.split(command, comments=True) if word != "\n"]
    assert words[:3] == PROGRAM
    return words[3:]


def shell_words(command: str) -> list[str]:
    """The arguments bash itself gives ``openstack`` when it runs the command."""
    script = 'openstack() { printf "%s\\0" "$@"; }\n' + command
    out = subprocess.run(["bash", "-c", script], capture_output=True, check=True).stdout
    words = out.decode().split("\0")[:-1]
    assert words[:2] == PROGRAM[1:]
    return words[2:]


def trailing_comments(command: str) -> list[str]:
    """The ``#`` lines after the command's last line."""
    lines = command.split("\n")
    comments = []
    while lines and lines[-1].startswith("# "):
        comments.insert(0, lines.pop())
    assert lines and not lines[-1].endswith("\\"), "the command must end before the comments"
    return comments


def osc_arguments(words: list[str]) -> argparse.Namespace:
    """``words`` parsed by python-openstackclient's own ``server create`` parser."""
    command = osc_server.CreateServer(app=mock.Mock(), app_args=None)
    return command.get_parser("openstack server create").parse_args(words)


class _Created(Exception):
    def __init__(self, attrs: dict[str, Any]) -> None:
        super().__init__("created")
        self.attrs = attrs


def osc_body(words: list[str]) -> dict[str, Any]:
    """The ``POST /servers`` body python-openstackclient sends for ``words``.

    Its own ``take_action`` runs against a cloud where every name is an ID that
    exists and every microversion is supported; openstacksdk's ``Server`` makes
    the body from what it would create.
    """
    app = mock.Mock()
    clients = app.client_manager
    clients.is_network_endpoint_enabled.return_value = True
    clients.is_volume_endpoint_enabled.return_value = True
    for find in (
        clients.compute.find_flavor,
        clients.compute.find_server_group,
        clients.image.find_image,
        clients.volume.find_volume,
        clients.volume.find_snapshot,
        clients.network.find_network,
        clients.network.find_port,
        clients.network.find_security_group,
    ):
        find.side_effect = lambda value, ignore_missing=True: types.SimpleNamespace(id=value)

    def create_server(**attrs: Any) -> None:
        raise _Created(attrs)

    clients.compute.create_server.side_effect = create_server
    command = osc_server.CreateServer(app=app, app_args=None)
    parsed = command.get_parser("openstack server create").parse_args(words)
    with mock.patch.object(osc_server.sdk_utils, "supports_microversion", return_value=True):
        try:
            command.take_action(parsed)
        except _Created as created:
            attrs = created.attrs
        else:  # pragma: no cover - take_action always creates
            raise AssertionError("no server created")
    with warnings.catch_warnings():
        # the SDK's resources warn about its own internals as they are made
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning, module="openstack")
        request = sdk_server.Server.new(**attrs)._prepare_request(requires_id=False)
    return dict(request.body)


def sent_by_skiff(cloud: Any, conn: Any, request: models.ServerRequest) -> dict[str, Any]:
    """The body Skiff's connection ``conn`` POSTs to the fake ``cloud``'s Nova."""

    def answer(http_request: Any, context: Any) -> dict[str, Any]:
        context.status_code = 202
        if http_request.json()["server"].get("return_reservation_id"):
            return {"reservation_id": "r-abc"}
        return {"server": {"id": "srv-1", "links": []}}

    cloud.http.get(f"{cloud.nova}/servers/detail", json={"servers": []})
    create = cloud.http.post(f"{cloud.nova}/servers", json=answer)
    conn.create_servers(request)
    return dict(create.last_request.json())


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    """A create body with what differs only in form made alike, and without what
    no equivalent sends: the password (never shown) and disk_config (no option)."""
    body = copy.deepcopy(body)
    server = body["server"]
    hints = body.pop("os:scheduler_hints", None) or body.pop("OS-SCH-HNT:scheduler_hints", None)
    if hints:
        body["hints"] = hints
    for key in ("adminPass", "OS-DCF:diskConfig", "return_reservation_id"):
        server.pop(key, None)
    mappings = server.pop("block_device_mapping_v2", [])
    for mapping in mappings:
        for key in ("boot_index", "volume_size"):
            if key in mapping:
                mapping[key] = int(mapping[key])
        # Nova's default, which OSC's --volume leaves to it
        mapping.setdefault("delete_on_termination", False)
    # an image that is only the local boot disk: the same as imageRef alone
    if mappings and mappings != [_local_image(server.get("imageRef"))]:
        server["block_device_mapping_v2"] = mappings
    return body


def _local_image(image: str | None) -> dict[str, Any]:
    return {
        "uuid": image,
        "source_type": "image",
        "destination_type": "local",
        "boot_index": 0,
        "delete_on_termination": True,
    }


def hcl_resources(text: str) -> dict[str, dict[str, Any]]:
    """``{"type.name": attributes}`` of an OpenTofu configuration: its strings as
    values (unquoted, unescaped), what HCL evaluates as :class:`Template`; nested
    blocks are lists of dicts."""
    options = SerializationOptions(strip_string_quotes=True, explicit_blocks=False)
    parsed = hcl2.loads(text, serialization_options=options)
    resources = {}
    for entry in parsed["resource"]:
        for kind, named in entry.items():
            for name, attributes in named.items():
                resources[f"{kind}.{name}"] = _unescaped(_without_comments(attributes))
    return resources


def hcl_comments(text: str) -> list[str]:
    """The ``#`` comments of an OpenTofu configuration, as python-hcl2 finds them."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            found.extend(comment["value"] for comment in value.get("__comments__", ()))
            for key, item in value.items():
                if key != "__comments__":
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(hcl2.loads(text))
    return found


def _without_comments(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_comments(v) for k, v in value.items() if k != "__comments__"}
    if isinstance(value, list):
        return [_without_comments(item) for item in value]
    return value


#: "${" or "%{" that HCL evaluates: not written doubled ("$${" is a literal "${")
_LIVE = re.compile(r"(?<![$%])[$%]\{")


@dataclass(frozen=True)
class Template:
    """A string HCL evaluates (an expression or interpolation), as written."""

    text: str


def _unescaped(value: Any) -> Any:
    """Strings as their values: python-hcl2 leaves "$${" and "%%{" as written, and
    does not tell an evaluated string from a literal one."""
    if isinstance(value, str):
        if _LIVE.search(value):
            return Template(value)
        return value.replace("$${", "${").replace("%%{", "%{")
    if isinstance(value, dict):
        return {_unescaped(key): _unescaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unescaped(item) for item in value]
    return value
