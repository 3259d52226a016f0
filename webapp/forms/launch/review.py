"""The Review step: every choice at a glance, with a way back to its step."""

from __future__ import annotations

from dataclasses import dataclass

from wtforms import ValidationError

from webapp.cloud.models import Flavor
from webapp.forms.launch.common import parse_pairs
from webapp.forms.launch.common import size_mb
from webapp.forms.launch.config import user_data_summary
from webapp.forms.launch.context import nic_list
from webapp.forms.launch.context import special_network
from webapp.forms.launch.quota import quota_rows
from webapp.forms.launch.source import source_minimums
from webapp.forms.launch.sources import KIND_WORDS
from webapp.workflow import Action

#: Nova's disk_config values in words
DISK_CONFIG = {"": "cloud default", "AUTO": "automatic", "MANUAL": "manual"}


@dataclass(frozen=True)
class Entry:
    """One term of the review and its values, one per line. The first entry of
    each step names it (``step``, its slug) for a "Change <change>" button."""

    term: str
    values: tuple[str, ...]
    step: str | None = None
    change: str = ""


class ReviewAction(Action):
    """No fields: the template shows :meth:`entries`; this class does the lookups."""

    class Meta:
        name = "Review"
        slug = "review"
        permissions = ("launch.step.review",)  # the operator may hide this step
        help_text = "Check everything once more. Each part links back to its step."

    def entries(self, project: str) -> list[Entry]:
        """Every choice, step by step, in words (``project``: the project's name)."""
        return [
            Entry("Project", (project,)),
            *self._details(),
            *self._source(),
            Entry("Flavor", (self._flavor_words(),), "flavor", "flavor"),
            Entry("Networks", tuple(self.interfaces()), "network", "networks"),
            *self._access(),
            *self._config(),
        ]

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
            return ["automatic network" if special == "auto" else "no network"]
        catalog = self.resources.catalog
        words = []
        for nic in nic_list(networks):
            if nic.get("port_id"):
                port = catalog.port(nic["port_id"])
                words.append(f"port {port.name if port else nic['port_id']}")
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

    def _details(self) -> list[Entry]:
        c = self.context
        name, count = c.get("name") or "", c.get("count") or 1
        named = f"{name} × {count} ({name}-1 … {name}-{count})" if count > 1 else name
        entries = [Entry("Name", (named,), "details", "details")]
        if c.get("description"):
            entries.append(Entry("Description", (c["description"],)))
        entries.append(Entry("Availability zone", (c.get("availability_zone") or "any",)))
        return entries

    def _source(self) -> list[Entry]:
        c = self.context
        kind = KIND_WORDS.get(c.get("source_type") or "", "unknown kind")
        entries = [
            Entry("Boot source", (f"{self.source_name()} ({kind})",), "source", "source"),
            Entry("Boot volume", (self._boot_volume_words(),)),
        ]
        if self.resources.catalog.features.volumes:
            size = c.get("data_volume_size")
            words = "none"
            if size:
                words = f"{c.get('data_volume_count') or 1} × {size} GB" + _volume_words(
                    c.get("data_volume_type"), c.get("data_delete_on_termination")
                )
            entries.append(Entry("Data volumes", (words,)))
        return entries

    def _boot_volume_words(self) -> str:
        c = self.context
        if c.get("source_type") == "volume":
            return "the volume itself" + _volume_words(None, c.get("delete_on_termination"))
        if not c.get("boot_volume"):
            return "none: the flavor’s root disk"
        flavor = self.flavor()
        minimum, _ = source_minimums(self.resources.catalog, c.get("source_id") or "")
        size = c.get("volume_size") or max(minimum, flavor.disk_gb if flavor else 0)
        return f"a new volume of {size} GB" + _volume_words(
            c.get("volume_type"), c.get("delete_on_termination")
        )

    def _flavor_words(self) -> str:
        flavor = self.flavor()
        if flavor is None:
            return self.context.get("flavor") or "none"
        return (
            f"{flavor.name}: {flavor.vcpus} vCPU, {size_mb(flavor.ram_mb)} RAM, "
            f"{flavor.disk_gb} GB disk"
        )

    def _access(self) -> list[Entry]:
        c = self.context
        keypair = c.get("keypair") or c.get("new_keypair_name") or "none"
        entries = [
            Entry("Key pair", (keypair,), "access", "access"),
            Entry("Security groups", (", ".join(c.get("security_groups") or ()) or "none",)),
        ]
        if self.resources.settings.admin_password:
            entries.append(Entry("Admin password", ("set" if c.get("admin_pass") else "not set",)))
        return entries

    def _config(self) -> list[Entry]:
        if "config" in self.resources.settings.hidden_steps:
            return []
        c = self.context
        catalog = self.resources.catalog
        group = next((g for g in catalog.server_groups if g.id == c.get("server_group")), None)
        entries = [
            Entry("Customisation script", (user_data_summary(c),), "config", "configuration"),
            Entry("Config drive", ("yes" if c.get("config_drive") else "no",)),
            Entry("Disk partition", (DISK_CONFIG.get(c.get("disk_config") or "", "?"),)),
            Entry(
                "Server group",
                (
                    f"{group.name} ({group.policy})"
                    if group and group.policy
                    else group.name
                    if group
                    else "none",
                ),
            ),
        ]
        if catalog.features.tags:
            entries.append(Entry("Tags", (c.get("tags") or "none",)))
        if catalog.features.hostname:
            entries.append(Entry("Hostname", (c.get("hostname") or "from the name",)))
        entries.append(Entry("Metadata", _pairs(c.get("metadata"), "metadata item")))
        entries.append(Entry("Scheduler hints", _pairs(c.get("scheduler_hints"), "scheduler hint")))
        return entries


def _volume_words(volume_type: str | None, delete: bool | None) -> str:
    """ ", type ssd, deleted with the server" (its type when one was chosen)."""
    typed = f", type {volume_type}" if volume_type else ""
    return typed + (", deleted with the server" if delete else ", kept when the server is deleted")


def _pairs(text: str | None, what: str) -> tuple[str, ...]:
    """``key=value`` lines as "key = value", one each; ("none",) for none."""
    try:
        pairs = parse_pairs(text or "", what=what)
    except ValidationError:  # not checked yet (the step was skipped): as typed
        return tuple(line for line in (text or "").splitlines() if line.strip())
    return tuple(f"{key} = {value}" for key, value in pairs.items()) or ("none",)
