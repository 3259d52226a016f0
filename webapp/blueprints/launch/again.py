"""Launch again like this: a new wizard pre-filled from a server, checked against
the cloud as it is now.

:func:`read_server` asks the cloud for the server, its ports and (when it booted
from a volume) its volumes. :func:`seed` turns them into what a user would have
typed in each step, and notes each value today's lists no longer hold as a
:class:`Problem` on its step (the value itself is left out: no list could show
it). :func:`prefill` puts that input in a new wizard and checks every step in
order, as Next would, then shows the problems: the user lands on the first step
with an error, or on the last one, ready to launch.

What is copied, step by step:

- Details: the name with a suffix ("web" -> "web-2", "web-2" -> "web-3"), the
  description; one server, in any zone; the lease it was given (from its launch
  to its expiry, so an extended one counts whole, within today's longest) and
  what then happens to it, or never.
- Source: the image or instance snapshot it booted from. Booted from a volume:
  the image that volume was made from, copied into a new volume of the same size
  (and type); without such an image, or a cloud without volumes, nothing, and the
  step asks.
- Flavor: by id, else by name (Nova's copy of the flavor from 2.47 has no id).
- Networking: an interface per port, in order, on the port's network (a new port,
  any address: the server still holds its own).
- Access & Security: the key pair, the security groups (by name).
- Configuration: metadata (``key=value`` lines, but the expiry's own), tags
  (comma-separated), config drive, server group.
- The operator's steps: what each reads back from the metadata and tags
  (:meth:`~webapp.forms.launch.extra_steps.OperatorStep.from_server`); those
  items are then not in Configuration's too.

Never copied: the admin password and the script (Nova does not give them back),
the hostname (two servers would share it), data volumes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from webapp.cloud.base import CloudConnection
from webapp.cloud.catalog import Catalog
from webapp.cloud.errors import NotFound
from webapp.cloud.models import Port
from webapp.cloud.models import Server
from webapp.cloud.models import Volume
from webapp.expiry.lease import METADATA_KEYS as EXPIRY_METADATA_KEYS
from webapp.forms.launch import LaunchInstance
from webapp.forms.launch.common import LaunchResources
from webapp.forms.launch.expiry import expiry_fields_of
from webapp.forms.launch.extra_steps import OperatorStep
from webapp.forms.launch.extra_steps import Recovered
from webapp.forms.launch.network import NIC_SLOTS
from webapp.i18n import gettext as _
from webapp.i18n import ngettext
from webapp.workflow import Step
from webapp.workflow import StepInput

__all__ = [
    "Original",
    "Problem",
    "Seed",
    "boot_volume",
    "next_name",
    "prefill",
    "read_server",
    "seed",
]

#: Nova's longest server name
NAME_MAX = 255
_NUMBERED = re.compile(r"^(.*)-(\d+)$")

#: one step's input: field -> its value, or its values (a checkbox list)
Values = dict[str, str | list[str]]


@dataclass(frozen=True)
class Original:
    """The server to launch again, as the cloud describes it now."""

    server: Server
    ports: tuple[Port, ...] = ()
    volumes: tuple[Volume, ...] = ()


@dataclass(frozen=True)
class Problem:
    """A value of the server that the cloud no longer offers, said beside ``field``
    of the step ``step`` (None: about the whole step)."""

    step: str
    field: str | None
    message: str


@dataclass
class Seed:
    """What a user would have typed in each step (step slug -> :data:`Values`), and
    the problems found on the way."""

    inputs: dict[str, Values] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, step: str, field: str | None, message: str) -> None:
        """Note a problem on ``step``."""
        self.problems.append(Problem(step, field, message))


def read_server(connection: CloudConnection, server_id: str) -> Original:
    """The server, its ports and, when it booted from a volume, its volumes.

    Raises NotFound when the server is gone (or in another project).
    """
    server = connection.get_server(server_id)
    ports = tuple(connection.server_ports(server_id))
    volumes = () if server.image_id else tuple(connection.server_volumes(server_id))
    return Original(server, ports, volumes)


def next_name(name: str) -> str:
    """The name with a suffix, or its numbered suffix plus one: "web" -> "web-2",
    "web-2" -> "web-3", "db-09" -> "db-10"; never longer than Nova takes."""
    match = _NUMBERED.match(name)
    if match:
        base, digits = match.groups()
        suffix = f"-{int(digits) + 1:0{len(digits)}d}"
    else:
        base, suffix = name, "-2"
    return base[: NAME_MAX - len(suffix)] + suffix


def boot_volume(volumes: tuple[Volume, ...]) -> Volume | None:
    """The volume a server booted from: a bootable one on the first device."""
    if not volumes:
        return None
    return min(volumes, key=lambda v: (not v.bootable, v.device or "~"))


def seed(original: Original, resources: LaunchResources, steps: Sequence[Step] = ()) -> Seed:
    """What to type in each step to launch a server like ``original`` with the
    wizard's lists (``resources.catalog``), and what those lists no longer hold.

    ``steps``: the wizard's; the operator's (``LAUNCH_EXTRA_STEPS``) read their
    values back from the server's metadata and tags, which are then not copied
    into Configuration's too.
    """
    found = Seed()
    server = original.server
    theirs = Recovered()
    for step in steps:
        if isinstance(step, OperatorStep):
            recovered = step.from_server(server.metadata, server.tags)
            found.inputs[step.slug()] = dict(recovered.values)
            theirs = Recovered(
                {},
                theirs.metadata_keys | recovered.metadata_keys,
                theirs.tags | recovered.tags,
            )
    catalog = resources.catalog
    found.inputs["details"] = {
        "name": next_name(server.name),
        "description": server.description or "",
        "availability_zone": "",
        "count": "1",
        **expiry_fields_of(server, resources.settings.expiry),
    }
    found.inputs["source"] = _source(original, resources, found)
    found.inputs["flavor"] = {"flavor": _flavor(server, catalog, found)}
    found.inputs["network"] = _networks(original.ports, catalog, found)
    found.inputs["access"] = _access(server, catalog, found)
    found.inputs["config"] = _config(server, catalog, found, theirs)
    return found


def prefill(workflow: LaunchInstance, seed: Seed) -> None:
    """Type the seed into every step of a new wizard and check each in order, as
    Next would; then show each problem beside its field, instead of the message
    the wizard gives a field left empty ("Choose a flavor.")."""
    for step in workflow.steps:
        slug = step.slug()
        typed = StepInput.from_values(seed.inputs.get(slug, {}))
        if workflow.missing_dependencies(step):
            # An earlier step has an error: this one is checked once the user
            # has fixed it and comes here (a blocked step says nothing new).
            workflow.save_input(step, typed)
        else:
            workflow.validate_step(step, typed)
        for problem in seed.problems:
            if problem.step != slug:
                continue
            if problem.field is not None:
                workflow.errors.get(slug, {}).pop(problem.field, None)
            workflow.reject(step, problem.field, problem.message)


# -- one step each ---------------------------------------------------------------


def _source(original: Original, resources: LaunchResources, found: Seed) -> Values:
    catalog = resources.catalog
    image_id = original.server.image_id
    if image_id:
        values: Values = {"source_id": image_id}
        from_volume = False
    else:
        volume = boot_volume(original.volumes)
        if volume is None or not volume.image_id or not catalog.features.volumes:
            found.problem(
                "source",
                "source_id",
                _(
                    "This server boots from a volume that cannot be copied here: "
                    "choose what the new server boots from."
                ),
            )
            return {}
        image_id = volume.image_id
        values = {"source_id": image_id, "create_volume": "y", "volume_size": str(volume.size_gb)}
        if resources.settings.delete_volume_on_termination:
            values["delete_on_termination"] = "y"
        if volume.volume_type in {t.name for t in catalog.volume_types}:
            values["volume_type"] = volume.volume_type
        from_volume = True
    if catalog.image(image_id) is None:
        values["source_id"] = ""
        found.problem("source", "source_id", _image_gone(resources, image_id, from_volume))
    return values


def _image_gone(resources: LaunchResources, image_id: str, from_volume: bool) -> str:
    """Why the image is not in today's list, in words: deleted, or not launchable;
    ``from_volume``: the image the server's boot volume was made from."""
    try:
        image = resources.connection.get_image(image_id)
    except NotFound:
        if from_volume:
            return _(
                "The image this server's boot volume was made from no longer exists "
                "(id %(id)s): choose another boot source.",
                id=image_id,
            )
        return _(
            "The image this server booted from no longer exists (id %(id)s): "
            "choose another boot source.",
            id=image_id,
        )
    if from_volume:
        return _(
            "The image %(name)s this server's boot volume was made from can no longer be "
            "launched: choose another boot source.",
            name=image.name,
        )
    return _(
        "The image %(name)s this server booted from can no longer be launched: "
        "choose another boot source.",
        name=image.name,
    )


def _flavor(server: Server, catalog: Catalog, found: Seed) -> str:
    copy = server.flavor  # Nova's copy from 2.47: a name, no id
    flavor_id = server.flavor_id or (copy.id if copy else "")
    flavor = catalog.flavor(flavor_id) if flavor_id else None
    if flavor is None and copy is not None and copy.name:
        flavor = next((f for f in catalog.flavors if f.name == copy.name), None)
    if flavor is not None:
        return flavor.id
    name = copy.name if copy is not None and copy.name else flavor_id
    found.problem(
        "flavor",
        "flavor",
        _("The flavor %(name)s of this server no longer exists: choose another.", name=name),
    )
    return ""


def _networks(ports: tuple[Port, ...], catalog: Catalog, found: Seed) -> Values:
    values: Values = {}
    for slot, port in enumerate(ports[:NIC_SLOTS], start=1):
        network = catalog.network(port.network_id)
        if network is not None and network.has_subnet:
            values[f"nic_{slot}"] = network.id
            continue
        values[f"nic_{slot}"] = ""
        if network is not None:
            message = _(
                "The network of this server's interface %(slot)d (%(network)s) has no subnet, "
                "so it cannot take servers now: choose another, or none.",
                slot=slot,
                network=network.name,
            )
        elif port.network_id:
            message = _(
                "The network of this server's interface %(slot)d is no longer available "
                "(id %(id)s): choose another, or none.",
                slot=slot,
                id=port.network_id,
            )
        else:
            message = _(
                "The network of this server's interface %(slot)d is no longer available "
                "(id unknown): choose another, or none.",
                slot=slot,
            )
        found.problem("network", f"nic_{slot}", message)
    if len(ports) > NIC_SLOTS:
        found.problem(
            "network",
            None,
            _(
                "This server has %(count)d interfaces; a launch here takes %(slots)d: "
                "the first %(slots)d are filled in.",
                count=len(ports),
                slots=NIC_SLOTS,
            ),
        )
    return values


def _access(server: Server, catalog: Catalog, found: Seed) -> Values:
    keypair = server.key_name or ""
    if keypair and keypair not in {k.name for k in catalog.keypairs}:
        found.problem(
            "access",
            "keypair",
            _(
                "The key pair %(name)s no longer exists: choose another, import or "
                "generate one, or launch without.",
                name=keypair,
            ),
        )
        keypair = ""
    # Nova lists a group once per port of the server.
    groups = list(dict.fromkeys(server.security_groups))
    known = {g.name for g in catalog.security_groups}
    gone = [name for name in groups if name not in known]
    if gone:
        found.problem(
            "access",
            "security_groups",
            ngettext(
                "Security group %(names)s of this server no longer exists: the others are ticked.",
                "Security groups %(names)s of this server no longer exist: the others are ticked.",
                len(gone),
                names=", ".join(gone),
            ),
        )
    return {"keypair": keypair, "security_groups": [name for name in groups if name in known]}


def _config(server: Server, catalog: Catalog, found: Seed, theirs: Recovered) -> Values:
    values: Values = {
        # the expiry's own items are not copied: the new server's lease is chosen
        # anew; nor the operator's steps' (those steps have them)
        "metadata": "\n".join(
            f"{key}={value}"
            for key, value in server.metadata.items()
            if key not in EXPIRY_METADATA_KEYS and key not in theirs.metadata_keys
        ),
        "tags": ", ".join(tag for tag in server.tags if tag not in theirs.tags),
    }
    if server.config_drive:
        values["config_drive"] = "y"
    groups = {g.id: g.name for g in catalog.server_groups}
    for group_id in server.server_groups[:1]:  # the form takes one
        if group_id in groups:
            values["server_group"] = group_id
        else:
            found.problem(
                "config",
                "server_group",
                _(
                    "The server group of this server no longer exists (id %(id)s): "
                    "choose another, or none.",
                    id=group_id,
                ),
            )
    return values
