"""The Launch Instance workflow: its steps, and the Nova call at the end.

A hidden step contributes the project and user; then Details, Source, Flavor,
Networking, Access & Security, Configuration and Review. The final ``handle``
builds one :class:`~webapp.cloud.models.ServerRequest` from the context, creates
the server(s) and maps the cloud's refusals back onto the step and field that
caused them.
"""

from __future__ import annotations

from typing import Any

from webapp.cloud.errors import CloudError
from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import QuotaExceeded
from webapp.cloud.errors import Unauthorized
from webapp.cloud.models import BlockDevice
from webapp.cloud.models import Nic
from webapp.cloud.models import ServerRequest
from webapp.forms.launch.access import AccessAction
from webapp.forms.launch.common import parse_pairs
from webapp.forms.launch.config import ConfigAction
from webapp.forms.launch.details import DetailsAction
from webapp.forms.launch.details import SetProjectUserAction
from webapp.forms.launch.flavor import FlavorAction
from webapp.forms.launch.network import NetworkAction
from webapp.forms.launch.network import interfaces
from webapp.forms.launch.review import ReviewAction
from webapp.forms.launch.source import SourceAction
from webapp.forms.launch.source import makes_boot_volume
from webapp.forms.launch.source import source_kind
from webapp.forms.launch.source import source_minimums
from webapp.forms.launch.source import volumes_per_server
from webapp.workflow import ActionError
from webapp.workflow import Step
from webapp.workflow import Workflow


class SetProjectUser(Step):
    """Hidden; its values come from the logged-in user via the initial context."""

    action_class = SetProjectUserAction
    contributes = ("project_id", "user_id")


class SetDetails(Step):
    """Name, description, zone, count."""

    action_class = DetailsAction
    depends_on = ("project_id",)

    def contribute(self, data, context):
        context = super().contribute(data, context)
        context.setdefault("description", None)
        return context


class SetSource(Step):
    """Adds what follows from the source: its kind and the volumes it makes."""

    action_class = SourceAction
    depends_on = ("count",)
    contributes = ("source_type", "boot_volume", "volumes_per_server")

    def contribute(self, data, context):
        context = super().contribute(data, context)
        catalog = self.workflow.resources.catalog
        kind = source_kind(catalog, data.get("source_id") or "")
        context["source_type"] = kind
        context["boot_volume"] = kind == "volume" or makes_boot_volume(catalog, data)
        context["volumes_per_server"] = list(volumes_per_server(catalog, data))
        return context


class SetFlavor(Step):
    """The flavor, checked against the source and the quota for the count."""

    action_class = FlavorAction
    depends_on = ("count", "source_id", "boot_volume")


class SetNetwork(Step):
    """Adds ``networks`` (the interfaces in order, or "auto"/"none") and whether
    any interface has port security, which decides if security groups apply."""

    action_class = NetworkAction
    depends_on = ("count",)
    contributes = ("networks", "port_security")

    def contribute(self, data, context):
        context = super().contribute(data, context)
        context["networks"] = interfaces(data)
        context["port_security"] = _port_security(
            self.workflow.resources.catalog, context["networks"]
        )
        return context


class SetAccess(Step):
    """Key pair, security groups and admin password."""

    action_class = AccessAction
    depends_on = ("port_security",)


class SetConfig(Step):
    """The customisation script and the server's other settings."""

    action_class = ConfigAction
    depends_on = ("count",)


class Review(Step):
    """A look at everything before launching."""

    action_class = ReviewAction
    depends_on = ("flavor", "networks")


class LaunchInstance(Workflow):
    """Launch one or more servers from an image, a snapshot or a volume."""

    slug = "launch_instance"
    name = "Launch instance"
    finalize_button_name = "Launch"
    success_message = 'Requested {count} server(s) named "{name}". Follow the build below.'
    failure_message = 'Could not launch "{name}": see the step marked with "!".'
    default_steps = (
        SetProjectUser,
        SetDetails,
        SetSource,
        SetFlavor,
        SetNetwork,
        SetAccess,
        SetConfig,
        Review,
    )

    def handle(self, context: dict[str, Any]) -> dict[str, Any]:
        request = server_request(self.resources.catalog, context)
        try:
            servers = self.resources.connection.create_servers(request)
        except Unauthorized:
            raise  # the view sends the user to log in again, wizard kept
        except CloudError as error:
            raise step_error(error) from error
        return {"server_ids": [server.id for server in servers]}

    def get_success_url(self) -> str:
        ids = self.context.get("server_ids") or []
        if len(ids) == 1:
            return f"/servers/{ids[0]}"
        return "/servers/?ids=" + ",".join(ids)


def server_request(catalog, context: dict[str, Any]) -> ServerRequest:
    """The one request to Nova that the whole context describes."""
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
            volume_size=context["data_volume_size"],
            delete_on_termination=bool(context.get("data_delete_on_termination")),
            volume_type=context.get("data_volume_type") or None,
        )
        devices.extend([data_volume] * (context.get("data_volume_count") or 1))
    networks = context["networks"]
    tags = tuple(t.strip() for t in (context.get("tags") or "").split(",") if t.strip())
    return ServerRequest(
        name=context["name"],
        flavor_id=context["flavor"],
        image_id=image_id,
        count=context["count"],
        availability_zone=context.get("availability_zone") or None,
        key_name=context.get("keypair") or None,
        security_groups=tuple(context.get("security_groups") or ()),
        networks=networks if isinstance(networks, str) else tuple(Nic(**nic) for nic in networks),
        user_data=context.get("user_data") or None,
        description=context.get("description") or None,
        block_devices=tuple(devices),
        admin_password=context.get("admin_pass") or None,
        config_drive=True if context.get("config_drive") else None,
        disk_config=context.get("disk_config") or None,
        metadata=parse_pairs(context.get("metadata") or "", what="metadata item"),
        tags=tags,
        hostname=(context.get("hostname") or "").strip() or None,
        server_group=context.get("server_group") or None,
        scheduler_hints=parse_pairs(context.get("scheduler_hints") or "", what="scheduler hint"),
    )


def _port_security(catalog, networks) -> bool:
    if isinstance(networks, str):
        return networks == "auto"
    for nic in networks:
        if nic.get("port_id"):
            port = catalog.port(nic["port_id"])
            if port is None or port.port_security:
                return True
        else:
            network = catalog.network(nic["network_id"])
            if network is None or network.port_security:
                return True
    return False


#: words in a cloud's message -> the step and field that caused it (first match)
_BLAME = (
    ("block device", "source", "source_id"),
    ("volume", "source", "source_id"),
    ("zero disk", "flavor", "flavor"),
    ("flavor", "flavor", "flavor"),
    ("memory", "flavor", "flavor"),
    ("disk", "flavor", "flavor"),
    ("image", "source", "source_id"),
    ("availability zone", "details", "availability_zone"),
    ("hostname", "config", "hostname"),
    ("metadata", "config", "metadata"),
    ("tag", "config", "tags"),
    ("user data", "config", "user_data"),
    ("server group", "config", "server_group"),
    ("key", "access", "keypair"),
    ("security group", "access", "security_groups"),
    ("port", "network", "nic_1"),
    ("fixed ip", "network", "ip_1"),
    ("network", "network", "nic_1"),
    ("multiple instances", "details", "count"),
    ("name", "details", "name"),
)


def step_error(error: CloudError) -> ActionError:
    """Turn a cloud error from the create call into an error on the right step."""
    message = str(error)
    lowered = error.message.lower()
    if isinstance(error, QuotaExceeded):
        if "volume" in lowered or "gigabytes" in lowered:
            return ActionError(message, step="source", field="source_id")
        field = "count" if "instances" in lowered else None
        return ActionError(message, step="details" if field else "flavor", field=field or "flavor")
    if isinstance(error, CloudUnavailable):
        return ActionError(
            f"{message} Nothing was launched; your choices are kept, so you can try again.",
            step="review",
        )
    if isinstance(error, InvalidRequest):
        for words, step, field in _BLAME:
            if words in lowered:
                return ActionError(message, step=step, field=field)
    return ActionError(message, step="review")
