"""From a launch context to the one request Nova gets, and what the interfaces mean."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from webapp.cloud.catalog import Catalog
from webapp.cloud.models import BlockDevice
from webapp.cloud.models import Nic
from webapp.cloud.models import ServerRequest
from webapp.forms.launch.common import parse_pairs
from webapp.forms.launch.config import user_data_value
from webapp.forms.launch.context import LaunchContext
from webapp.forms.launch.context import Networks
from webapp.forms.launch.context import nic_list
from webapp.forms.launch.context import special_network
from webapp.forms.launch.expiry import expiry_metadata
from webapp.forms.launch.source import source_minimums

__all__ = ["operator_additions", "port_security", "server_request"]


def server_request(
    catalog: Catalog, context: LaunchContext, *, now: datetime | None = None
) -> ServerRequest:
    """The one request to Nova that the whole context describes; a lease starts
    ``now`` (default: this moment)."""
    kind = context["source_type"]
    source = context["source_id"]
    flavor = catalog.flavor(context["flavor"])
    devices = []
    image_id: str | None = source
    if kind == "volume":
        image_id = None
        devices.append(
            BlockDevice(
                "volume",
                uuid=source,
                delete_on_termination=bool(context.get("delete_on_termination")),
            )
        )
    elif context.get("boot_volume"):
        image_id = None
        minimum, _ = source_minimums(catalog, source)
        size = context.get("volume_size") or max(minimum, flavor.disk_gb if flavor else 0)
        devices.append(
            BlockDevice(
                "snapshot" if kind == "volume_snapshot" else "image",
                uuid=source,
                volume_size=size,
                delete_on_termination=bool(context.get("delete_on_termination")),
                volume_type=context.get("volume_type") or None,
            )
        )
    if context.get("data_volume_size"):
        data_volume = BlockDevice(
            "blank",
            boot_index=-1,
            volume_size=context.get("data_volume_size"),
            delete_on_termination=bool(context.get("data_delete_on_termination")),
            volume_type=context.get("data_volume_type") or None,
        )
        devices.extend([data_volume] * (context.get("data_volume_count") or 1))
    networks = context["networks"]
    typed_tags = (t.strip() for t in (context.get("tags") or "").split(",") if t.strip())
    metadata, extra_tags = operator_additions(context)
    tags = tuple(dict.fromkeys([*typed_tags, *extra_tags]))
    return ServerRequest(
        name=context["name"],
        flavor_id=context["flavor"],
        image_id=image_id,
        count=context["count"],
        availability_zone=context.get("availability_zone") or None,
        key_name=context.get("keypair") or None,
        security_groups=tuple(context.get("security_groups") or ()),
        networks=special_network(networks) or tuple(Nic(**nic) for nic in nic_list(networks)),
        user_data=user_data_value(context),
        description=context.get("description") or None,
        block_devices=tuple(devices),
        admin_password=context.get("admin_pass") or None,
        config_drive=True if context.get("config_drive") else None,
        disk_config=context.get("disk_config") or None,
        metadata={
            **parse_pairs(context.get("metadata") or "", what="metadata item"),
            # the operator's steps win over the same key typed in Configuration
            **metadata,
            **expiry_metadata(context, now or datetime.now(UTC)),
        },
        tags=tags,
        hostname=(context.get("hostname") or "").strip() or None,
        server_group=context.get("server_group") or None,
        scheduler_hints=parse_pairs(context.get("scheduler_hints") or "", what="scheduler hint"),
    )


def operator_additions(context: LaunchContext) -> tuple[dict[str, str], list[str]]:
    """The metadata items and tags the operator's steps add, in step order."""
    metadata: dict[str, str] = {}
    tags: list[str] = []
    for added in (context.get("operator_additions") or {}).values():
        metadata.update(added["metadata"])
        tags.extend(added["tags"])
    return metadata, tags


def port_security(catalog: Catalog, networks: Networks) -> bool:
    """Whether any interface has port security (security groups then apply)."""
    special = special_network(networks)
    if special is not None:
        return special == "auto"
    for nic in nic_list(networks):
        if nic.get("port_id"):
            port = catalog.port(nic["port_id"])
            if port is None or port.port_security:
                return True
        else:
            network = catalog.network(nic["network_id"])
            if network is None or network.port_security:
                return True
    return False
