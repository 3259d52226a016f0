"""The Review step: every choice at a glance, with a way back to its step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wtforms import ValidationError

from webapp.cloud.models import Flavor
from webapp.forms.launch.common import LaunchAction
from webapp.forms.launch.common import parse_pairs
from webapp.forms.launch.common import size_mb
from webapp.forms.launch.config import user_data_summary
from webapp.forms.launch.context import nic_list
from webapp.forms.launch.context import special_network
from webapp.forms.launch.equivalents import Equivalent
from webapp.forms.launch.equivalents import equivalents
from webapp.forms.launch.equivalents import launch_request
from webapp.forms.launch.expiry import expiry_summary
from webapp.forms.launch.expiry import lease_of
from webapp.forms.launch.quota import quota_rows
from webapp.forms.launch.source import source_minimums
from webapp.forms.launch.sources import KIND_WORDS
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.workflow import Step

#: Nova's disk_config values in words
DISK_CONFIG = {"": _l("cloud default"), "AUTO": _l("automatic"), "MANUAL": _l("manual")}


@dataclass(frozen=True)
class Entry:
    """One term of the review and its values, one per line. The first entry of
    each step names it (``step``, its slug) for a "Change <change>" button
    (``change``: the step in words, in the user's language)."""

    term: str
    values: tuple[str, ...]
    step: str | None = None
    change: str = ""


class ReviewAction(LaunchAction):
    """No fields: the template shows :meth:`entries`; this class does the lookups."""

    class Meta:
        name = _l("Review")
        slug = "review"
        permissions = ("launch.step.review",)  # the operator may hide this step
        help_text = _l("Check everything once more. Each part links back to its step.")

    def equivalents(self) -> list[Equivalent]:
        """The same launch as a command, an API request and an OpenTofu file
        (none while a step is not done)."""
        catalog = self.resources.catalog
        request = launch_request(catalog, self.context)
        if request is None:
            return []
        return equivalents(request, catalog.features.compute_microversion, self.context)

    def leased(self) -> bool:
        """Whether the launch chose a lease (the equivalents then count it from
        when they run)."""
        return lease_of(self.context) is not None

    def entries(self, project: str, steps: Sequence[Step] = ()) -> list[Entry]:
        """Every choice, step by step, in words (``project``: the project's name).

        ``steps``: the workflow's steps, in order; those that are not built in
        (the operator's, ``LAUNCH_EXTRA_STEPS``) get a section each, where they are.
        """
        self._steps = {step.slug(): step for step in steps or ()}
        sections: dict[str, list[Entry]] = {
            "details": self._details(),
            "source": self._source(),
            "flavor": [
                Entry(
                    _("Flavor"),
                    (self._flavor_words(),),
                    "flavor",
                    # Translators: in Review's button "Change %(what)s": the step it goes back to.
                    _("flavor"),
                )
            ],
            "network": [
                Entry(
                    _("Networks"),
                    tuple(self.interfaces()),
                    "network",
                    # Translators: in Review's button "Change %(what)s": the step it goes back to.
                    _("networks"),
                )
            ],
            "access": self._access(),
            "config": self._config(),
        }
        entries = [Entry(_("Project"), (project,))]
        for step in steps or ():
            slug = step.slug()
            if slug in sections:
                entries.extend(sections.pop(slug))
            elif not step.hidden and slug != "review":
                entries.extend(self._operator_step(step))
        for rest in sections.values():  # without ``steps``: the built-in ones
            entries.extend(rest)
        return entries

    def source_name(self) -> str:
        """The boot source's name."""
        catalog = self.resources.catalog
        source_id = self.context.get("source_id") or ""
        found = (
            catalog.image(source_id)
            or catalog.volume(source_id)
            or catalog.volume_snapshot(source_id)
        )
        return found.name if found else source_id

    def flavor(self) -> Flavor | None:
        """The chosen flavor."""
        return self.resources.catalog.flavor(self.context.get("flavor") or "")

    def interfaces(self) -> list[str]:
        """The interfaces in words, in order."""
        networks = self.context.get("networks")
        special = special_network(networks)
        if special is not None:
            return [_("automatic network") if special == "auto" else _("no network")]
        catalog = self.resources.catalog
        words = []
        for nic in nic_list(networks):
            if nic.get("port_id"):
                port = catalog.port(nic["port_id"])
                words.append(_("port %(name)s", name=port.name if port else nic["port_id"]))
            else:
                network = catalog.network(nic["network_id"])
                name = network.name if network else nic["network_id"]
                words.append(f"{name} ({nic['fixed_ip']})" if nic.get("fixed_ip") else name)
        return words

    def quota(self):
        """What the launch takes from the quota."""
        volumes = tuple(self.context.get("volumes_per_server") or (0, 0))
        return quota_rows(
            self.resources.catalog, self.flavor(), self.context.get("count") or 1, volumes
        )

    # -- step by step ---------------------------------------------------------

    def _operator_step(self, step: Step) -> list[Entry]:
        """An operator's step: each field's label and value (a choice's label),
        the first with the step's "Change" button."""
        own = getattr(step, "review_entries", None)
        if own is not None:
            return list(own(self.context, self.resources))
        action = step.action_class(self.context, resources=self.resources, data=self.context)
        entries: list[Entry] = []
        for field in action:
            value = field.data
            words = str(value) if value not in (None, "") else _("none")
            for choice, label, *_rest in getattr(field, "choices", None) or ():
                if choice == value and value != "":
                    words = str(label)
            first = not entries
            entries.append(
                Entry(
                    str(field.label.text),
                    (words,),
                    step.slug() if first else None,
                    step.name() if first else "",
                )
            )
        return entries

    def _details(self) -> list[Entry]:
        c = self.context
        name, count = c.get("name") or "", c.get("count") or 1
        named = (
            _("%(name)s × %(count)s (%(name)s-1 … %(name)s-%(count)s)", name=name, count=count)
            if count > 1
            else name
        )
        # Translators: in Review's button "Change %(what)s": the step it goes back to.
        change = _("details")
        entries = [Entry(_("Name"), (named,), "details", change)]
        if c.get("description"):
            entries.append(Entry(_("Description"), (c["description"],)))
        entries.append(Entry(_("Availability zone"), (c.get("availability_zone") or _("any"),)))
        entries.append(Entry(_("Expires"), (expiry_summary(c),)))
        return entries

    def _source(self) -> list[Entry]:
        c = self.context
        kind = KIND_WORDS.get(c.get("source_type") or "") or _("unknown kind")
        entries = [
            Entry(
                _("Boot source"),
                (_("%(source)s (%(kind)s)", source=self.source_name(), kind=kind),),
                "source",
                # Translators: in Review's button "Change %(what)s": the step it goes back to.
                _("source"),
            ),
            Entry(_("Boot volume"), (self._boot_volume_words(),)),
        ]
        if self.resources.catalog.features.volumes:
            size = c.get("data_volume_size")
            words = _("none")
            if size:
                words = _data_volume_words(
                    c.get("data_volume_count") or 1,
                    size,
                    c.get("data_volume_type"),
                    c.get("data_delete_on_termination"),
                )
            entries.append(Entry(_("Data volumes"), (words,)))
        return entries

    def _boot_volume_words(self) -> str:
        c = self.context
        if c.get("source_type") == "volume":
            if c.get("delete_on_termination"):
                return _("the volume itself, deleted with the server")
            return _("the volume itself, kept when the server is deleted")
        if not c.get("boot_volume"):
            return _("none: the flavor’s root disk")
        flavor = self.flavor()
        minimum, _ram = source_minimums(self.resources.catalog, c.get("source_id") or "")
        size = c.get("volume_size") or max(minimum, flavor.disk_gb if flavor else 0)
        return _boot_volume_words(size, c.get("volume_type"), c.get("delete_on_termination"))

    def _flavor_words(self) -> str:
        flavor = self.flavor()
        if flavor is None:
            return self.context.get("flavor") or _("none")
        return _(
            "%(name)s: %(vcpus)s vCPU, %(ram)s RAM, %(disk)s GB disk",
            name=flavor.name,
            vcpus=flavor.vcpus,
            ram=size_mb(flavor.ram_mb),
            disk=flavor.disk_gb,
        )

    def _access(self) -> list[Entry]:
        c = self.context
        keypair = c.get("keypair") or c.get("new_keypair_name") or _("none")
        groups = ", ".join(c.get("security_groups") or ()) or _("none")
        # Translators: in Review's button "Change %(what)s": the step it goes back to.
        change = _("access")
        entries = [
            Entry(_("Key pair"), (keypair,), "access", change),
            Entry(_("Security groups"), (groups,)),
        ]
        if self.resources.settings.admin_password:
            said = _("set") if c.get("admin_pass") else _("not set")
            entries.append(Entry(_("Admin password"), (said,)))
        return entries

    def _config(self) -> list[Entry]:
        if "config" in self.resources.settings.hidden_steps:
            return []
        c = self.context
        catalog = self.resources.catalog
        group = next((g for g in catalog.server_groups if g.id == c.get("server_group")), None)
        entries = [
            Entry(
                _("Customisation script"),
                (user_data_summary(c),),
                "config",
                # Translators: in Review's button "Change %(what)s": the step it goes back to.
                _("configuration"),
            ),
            Entry(_("Config drive"), (_("yes") if c.get("config_drive") else _("no"),)),
            Entry(_("Disk partition"), (str(DISK_CONFIG.get(c.get("disk_config") or "", "?")),)),
            Entry(
                _("Server group"),
                (
                    f"{group.name} ({group.policy})"
                    if group and group.policy
                    else group.name
                    if group
                    else _("none"),
                ),
            ),
        ]
        if catalog.features.tags:
            entries.append(Entry(_("Tags"), (c.get("tags") or _("none"),)))
        if catalog.features.hostname:
            entries.append(Entry(_("Hostname"), (c.get("hostname") or _("from the name"),)))
        entries.append(Entry(_("Metadata"), self._typed_metadata()))
        entries.append(
            Entry(_("Scheduler hints"), _pairs(c.get("scheduler_hints"), "scheduler hint"))
        )
        return entries

    def _typed_metadata(self) -> tuple[str, ...]:
        """Configuration's metadata items; one an operator's step sets too is
        said to be replaced (that step's value is sent)."""
        shown = _pairs(self.context.get("metadata"), "metadata item")
        owners = {
            key: slug
            for slug, added in (self.context.get("operator_additions") or {}).items()
            for key in added.get("metadata", {})
        }
        steps = getattr(self, "_steps", {})
        words = []
        for line in shown:
            key = line.split(" = ", 1)[0]
            if key in owners and " = " in line:
                step = steps.get(owners[key])
                name = step.name() if step is not None else owners[key]
                line = _("%(item)s (replaced by the value from %(step)s)", item=line, step=name)
            words.append(line)
        return tuple(words)


def _boot_volume_words(size: int, volume_type: str | None, delete: bool | None) -> str:
    """ "a new volume of 3 GB, type ssd, deleted with the server" (its type when
    one was chosen)."""
    if volume_type and delete:
        return _(
            "a new volume of %(size)s GB, type %(type)s, deleted with the server",
            size=size,
            type=volume_type,
        )
    if volume_type:
        return _(
            "a new volume of %(size)s GB, type %(type)s, kept when the server is deleted",
            size=size,
            type=volume_type,
        )
    if delete:
        return _("a new volume of %(size)s GB, deleted with the server", size=size)
    return _("a new volume of %(size)s GB, kept when the server is deleted", size=size)


def _data_volume_words(count: int, size: int, volume_type: str | None, delete: bool | None) -> str:
    """ "2 × 5 GB, type ssd, deleted with the server" (its type when one was chosen)."""
    if volume_type and delete:
        return _(
            "%(count)s × %(size)s GB, type %(type)s, deleted with the server",
            count=count,
            size=size,
            type=volume_type,
        )
    if volume_type:
        return _(
            "%(count)s × %(size)s GB, type %(type)s, kept when the server is deleted",
            count=count,
            size=size,
            type=volume_type,
        )
    if delete:
        return _("%(count)s × %(size)s GB, deleted with the server", count=count, size=size)
    return _("%(count)s × %(size)s GB, kept when the server is deleted", count=count, size=size)


def _pairs(text: str | None, what: str) -> tuple[str, ...]:
    """``key=value`` lines as "key = value", one each; ("none",) for none."""
    try:
        pairs = parse_pairs(text or "", what=what)
    except ValidationError:  # not checked yet (the step was skipped): as typed
        return tuple(line for line in (text or "").splitlines() if line.strip())
    return tuple(f"{key} = {value}" for key, value in pairs.items()) or (_("none"),)
