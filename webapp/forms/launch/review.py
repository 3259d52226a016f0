"""The Review step: every choice at a glance, with a way back to its step."""

from __future__ import annotations

from webapp.forms.launch.context import nic_list
from webapp.forms.launch.context import special_network
from webapp.forms.launch.quota import quota_rows
from webapp.workflow import Action


class ReviewAction(Action):
    """No fields: the template summarises the context; this class does the lookups."""

    class Meta:
        name = "Review"
        slug = "review"
        permissions = ("launch.step.review",)  # the operator may hide this step
        help_text = "Check everything once more. Each part links back to its step."

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

    def flavor(self):
        """The chosen flavor."""
        return self.resources.catalog.flavor(self.context.get("flavor") or "")

    def interfaces(self) -> list[str]:
        """The interfaces in words."""
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
