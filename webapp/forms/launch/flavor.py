"""The Flavor step: a table of flavors, each usable or not (and why), and the
quota bars of the launch.

A flavor is unusable for what it changes itself: too little RAM or disk for the
source, or more vCPUs or RAM than the project's quotas leave for the count. The
instances quota is the Count field's (Details step): a full one would make every
flavor look wrong for a reason no flavor can fix.
"""

from __future__ import annotations

from wtforms import RadioField
from wtforms import ValidationError
from wtforms.validators import DataRequired

from webapp.cloud.models import Flavor
from webapp.forms.launch.common import LaunchAction
from webapp.forms.launch.common import SelectChoice
from webapp.forms.launch.common import size_mb
from webapp.forms.launch.quota import CORES
from webapp.forms.launch.quota import RAM
from webapp.forms.launch.quota import quota_rows
from webapp.forms.launch.source import source_minimums
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l


class FlavorAction(LaunchAction):
    """Choose the flavor; flavors too small for the source or over quota are refused."""

    class Meta:
        name = _l("Flavor")
        slug = "flavor"
        help_text = _l(
            "The flavor sets the server's vCPUs, memory and root disk. Flavors too small "
            "for the boot source, or over your project's quota for this count, are marked."
        )

    flavor = RadioField(_l("Flavor"), validators=[DataRequired(_l("Choose a flavor."))])

    def populate_flavor_choices(self, context):
        return [SelectChoice(f.id, f.name) for f in self.flavors()]

    def flavors(self) -> list[Flavor]:
        """The flavors, smallest first."""
        return sorted(
            self.resources.catalog.flavors, key=lambda f: (f.vcpus, f.ram_mb, f.disk_gb, f.name)
        )

    def unusable(self, flavor: Flavor) -> str | None:
        """Why ``flavor`` cannot be used for this launch, or None."""
        catalog = self.resources.catalog
        context = self.context
        source = context.get("source_id") or ""
        min_disk, min_ram = source_minimums(catalog, source)
        if flavor.ram_mb < min_ram:
            return _(
                "the source needs %(needed)s of RAM; it has %(has)s",
                needed=size_mb(min_ram),
                has=size_mb(flavor.ram_mb),
            )
        if not context.get("boot_volume"):
            if flavor.disk_gb == 0:
                return _("it has no root disk: boot from a volume (Source step)")
            if flavor.disk_gb < min_disk:
                return _(
                    "the source needs a %(needed)s GB disk; it has %(has)s GB",
                    needed=min_disk,
                    has=flavor.disk_gb,
                )
        for row in quota_rows(catalog, flavor, context.get("count") or 1):
            problem = row.problem() if row.resource in (CORES, RAM) else None
            if problem:
                return problem
        return None

    def validate_flavor(self, field):
        flavor = self.resources.catalog.flavor(field.data)
        reason = flavor and self.unusable(flavor)
        if reason:
            raise ValidationError(
                _("%(flavor)s cannot be used: %(reason)s.", flavor=flavor.name, reason=reason)
            )

    def quota(self):
        """The quota bars for the flavor chosen (or none yet)."""
        flavor = self.resources.catalog.flavor(self.flavor.data or "")
        volumes = self.context.get("volumes_per_server") or (0, 0)
        return quota_rows(
            self.resources.catalog, flavor, self.context.get("count") or 1, tuple(volumes)
        )
