"""A launch typed before, in a new wizard: from a profile, or after "Launch and stay".

:func:`seed` turns what was typed in each step (as ``WizardState.input`` keeps
it) into a :class:`~webapp.blueprints.launch.again.Seed` for today's lists: every
id those lists no longer hold (an image deleted since, a flavor, a network...) is
left out and noted as a problem on its step, in words. :func:`open_like` puts it
in a new wizard exactly as "launch again like this" does
(:func:`~webapp.blueprints.launch.again.prefill`): every step checked in order
against the cloud as it is now, the problems beside their fields.

:func:`chosen_names` notes the names of the ids chosen, for those words later
(a profile keeps them: an image gone from the cloud cannot be asked its name).
"""

from __future__ import annotations

from collections.abc import Mapping

from webapp.blueprints.launch import wizards
from webapp.blueprints.launch.again import Seed
from webapp.blueprints.launch.again import Values
from webapp.blueprints.launch.again import prefill
from webapp.cloud.catalog import Catalog
from webapp.forms.launch import LaunchInstance
from webapp.forms.launch.network import NIC_SLOTS
from webapp.forms.launch.network import PORT_PREFIX
from webapp.forms.launch.source import source_kind
from webapp.i18n import gettext as _
from webapp.i18n import ngettext
from webapp.state.profiles import typed_input

__all__ = ["chosen_names", "open_like", "seed"]

#: what a typed step holds: field -> its values
Typed = Mapping[str, list[str]]


def open_like(
    inputs: Mapping[str, Mapping[str, list[str]]],
    *,
    name: str | None = None,
    names: Mapping[str, str] | None = None,
) -> LaunchInstance:
    """A new wizard (saved) with ``inputs`` typed into it and every step checked
    against the cloud's lists, fetched now.

    :param name: the server's name, instead of the one typed.
    :param names: names of the ids typed (:func:`chosen_names`), for the problems.
    """
    workflow = wizards.start_fresh()
    try:
        found = seed(inputs, workflow.resources.catalog, name=name, names=names or {})
        prefill(workflow, found)
    finally:
        wizards.save(workflow)
    return workflow


def seed(
    inputs: Mapping[str, Mapping[str, list[str]]],
    catalog: Catalog,
    *,
    name: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Seed:
    """What to type in each step (``inputs``, the administrator password left
    out), without the ids ``catalog`` no longer holds, each one noted as a problem."""
    found = Seed()
    labels = names or {}
    for slug, fields in typed_input(inputs).items():
        found.inputs[slug] = dict[str, str | list[str]](fields)
    if name is not None:
        found.inputs.setdefault("details", {})["name"] = name
    _details(found.inputs.get("details", {}), catalog, found)
    _source(found.inputs.get("source", {}), catalog, labels, found)
    _flavor(found.inputs.get("flavor", {}), catalog, labels, found)
    _network(found.inputs.get("network", {}), catalog, labels, found)
    _access(found.inputs.get("access", {}), catalog, found)
    _config(found.inputs.get("config", {}), catalog, labels, found)
    return found


def chosen_names(inputs: Mapping[str, Mapping[str, list[str]]], catalog: Catalog) -> dict[str, str]:
    """id -> name of the boot source, flavor, networks, ports and server group
    typed in ``inputs``, as ``catalog`` names them."""
    chosen: list[str] = []
    for slug, field in (("source", "source_id"), ("flavor", "flavor"), ("config", "server_group")):
        chosen += inputs.get(slug, {}).get(field, [])
    for slot in range(1, NIC_SLOTS + 1):
        chosen += inputs.get("network", {}).get(f"nic_{slot}", [])
    found: dict[str, str] = {}
    for value in chosen:
        if value.startswith(PORT_PREFIX):
            port = catalog.port(value.removeprefix(PORT_PREFIX))
            name = (port.name or None) if port else None
        else:
            thing = (
                catalog.image(value)
                or catalog.volume(value)
                or catalog.volume_snapshot(value)
                or catalog.flavor(value)
                or catalog.network(value)
                or next((g for g in catalog.server_groups if g.id == value), None)
            )
            name = thing.name if thing else None
        if name:
            found[value] = name
    return found


# -- one step each ---------------------------------------------------------------


def _first(values: Values, field: str) -> str:
    value = values.get(field) or ""
    return value if isinstance(value, str) else next(iter(value), "")


def _drop(values: Values, field: str) -> None:
    values[field] = ""


def _details(values: Values, catalog: Catalog, found: Seed) -> None:
    zone = _first(values, "availability_zone")
    if zone and zone not in {z.name for z in catalog.availability_zones}:
        _drop(values, "availability_zone")
        message = _(
            "The availability zone %(name)s is no longer available: choose another, or any.",
            name=zone,
        )
        found.problem("details", "availability_zone", message)


def _source(values: Values, catalog: Catalog, labels: Mapping[str, str], found: Seed) -> None:
    source_id = _first(values, "source_id")
    if source_id and source_kind(catalog, source_id) is None:
        _drop(values, "source_id")
        message = _(
            "The boot source %(name)s is no longer available: choose another.",
            name=labels.get(source_id, source_id),
        )
        found.problem("source", "source_id", message)
    if not catalog.features.volumes:
        return  # the step has no volume fields: what was typed there is not read
    types = {t.name for t in catalog.volume_types}
    for field in ("volume_type", "data_volume_type"):
        volume_type = _first(values, field)
        if volume_type and volume_type not in types:
            _drop(values, field)
            message = _(
                "The volume type %(name)s is no longer available: choose another.",
                name=volume_type,
            )
            found.problem("source", field, message)


def _flavor(values: Values, catalog: Catalog, labels: Mapping[str, str], found: Seed) -> None:
    flavor_id = _first(values, "flavor")
    if flavor_id and catalog.flavor(flavor_id) is None:
        _drop(values, "flavor")
        message = _(
            "The flavor %(name)s is no longer available: choose another.",
            name=labels.get(flavor_id, flavor_id),
        )
        found.problem("flavor", "flavor", message)


def _network(values: Values, catalog: Catalog, labels: Mapping[str, str], found: Seed) -> None:
    for slot in range(1, NIC_SLOTS + 1):
        field = f"nic_{slot}"
        value = _first(values, field)
        if value in ("", "auto", "none"):
            continue  # what the form offers today decides (Nova's own choices)
        label = labels.get(value, value.removeprefix(PORT_PREFIX))
        if value.startswith(PORT_PREFIX):
            if catalog.port(value.removeprefix(PORT_PREFIX)) is not None:
                continue
            message = _(
                "The port %(name)s of interface %(slot)d is no longer free: "
                "choose another, or none.",
                name=label,
                slot=slot,
            )
        else:
            network = catalog.network(value)
            if network is not None and network.has_subnet:
                continue
            message = _(
                "The network %(name)s of interface %(slot)d is no longer available: "
                "choose another, or none.",
                name=label,
                slot=slot,
            )
        _drop(values, field)
        found.problem("network", field, message)


def _access(values: Values, catalog: Catalog, found: Seed) -> None:
    keypairs = {k.name for k in catalog.keypairs}
    new_name = _first(values, "new_keypair_name").strip()
    if new_name and new_name in keypairs and _first(values, "public_key").strip():
        # A key imported with that launch: it is there now, so it is chosen
        # rather than imported again (which the step refuses: the name is taken).
        values.update(keypair=new_name, new_keypair_name="", public_key="")
    keypair = _first(values, "keypair")
    if keypair and keypair not in keypairs:
        _drop(values, "keypair")
        message = _(
            "The key pair %(name)s no longer exists: choose another, import or "
            "generate one, or launch without.",
            name=keypair,
        )
        found.problem("access", "keypair", message)
    typed = values.get("security_groups")
    if typed is None:
        return
    groups = [typed] if isinstance(typed, str) else list(typed)
    known = {g.name for g in catalog.security_groups}
    gone = [group for group in groups if group not in known]
    if gone:
        values["security_groups"] = [group for group in groups if group in known]
        message = ngettext(
            "Security group %(names)s is no longer available: the others are ticked.",
            "Security groups %(names)s are no longer available: the others are ticked.",
            len(gone),
            names=", ".join(gone),
        )
        found.problem("access", "security_groups", message)


def _config(values: Values, catalog: Catalog, labels: Mapping[str, str], found: Seed) -> None:
    group_id = _first(values, "server_group")
    if group_id and group_id not in {g.id for g in catalog.server_groups}:
        _drop(values, "server_group")
        message = _(
            "The server group %(name)s is no longer available: choose another, or none.",
            name=labels.get(group_id, group_id),
        )
        found.problem("config", "server_group", message)
