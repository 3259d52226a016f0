"""The Source step: what the server boots from, and the volumes it gets.

Boot sources are images, instance snapshots, bootable volumes and volume
snapshots (which become a new volume), shown a kind per tab, a table each
(:mod:`.sources`). An image or snapshot can also be copied into a new volume;
the boot-volume settings are shown only when they apply to the source. Extra
blank data volumes can be added. Volume quotas are checked here, because Nova
accepts a launch over the volume quota and the server only fails later, in ERROR.
"""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from webapp.cloud.catalog import Catalog
from webapp.forms.launch import sources
from webapp.forms.launch.common import LaunchAction
from webapp.forms.launch.common import SelectChoice
from webapp.forms.launch.quota import GIGABYTES
from webapp.forms.launch.quota import VOLUMES
from webapp.forms.launch.quota import over_limit
from webapp.forms.launch.quota import sentence
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l

#: the fields that say how the step looks (which tab, which filter), not what is
#: launched: they are kept with the step's input but stay out of the context
VIEW_FIELDS = ("source_kind", "source_filter")
#: the boot-volume settings, each shown only when it applies to the source
BOOT_FIELDS = ("create_volume", "volume_size", "volume_type", "delete_on_termination")


def source_kind(catalog: Catalog, source_id: str) -> str | None:
    """ "image", "snapshot", "volume" or "volume_snapshot" for this id, or None."""
    image = catalog.image(source_id)
    if image is not None:
        return image.kind
    if catalog.volume(source_id) is not None:
        return "volume"
    if catalog.volume_snapshot(source_id) is not None:
        return "volume_snapshot"
    return None


def source_minimums(catalog: Catalog, source_id: str) -> tuple[int, int]:
    """(disk GB, RAM MB) the source needs at least."""
    image = catalog.image(source_id)
    if image is not None:
        return sources.image_min_disk(image), image.min_ram_mb
    volume = catalog.volume(source_id)
    if volume is not None:
        return volume.size_gb, volume.image_min_ram_mb
    snapshot = catalog.volume_snapshot(source_id)
    if snapshot is not None:
        return max(snapshot.size_gb, snapshot.image_min_disk_gb), snapshot.image_min_ram_mb
    return 0, 0


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class SourceAction(LaunchAction):
    """Boot source, boot volume options and an optional data volume."""

    class Meta:
        name = _l("Source")
        slug = "source"
        help_text = _l(
            "Boot from an image or instance snapshot, or from a volume. A new boot "
            "volume is at least as big as the image needs; leave its size empty for "
            "that minimum."
        )

    source_kind = RadioField(_l("Kind of source"), validate_choice=False)
    source_filter = StringField(_l("Filter by name or OS"), filters=[_strip])
    source_id = SelectField(
        _l("Boot source"), validators=[DataRequired(_l("Choose what to boot from."))]
    )
    create_volume = BooleanField(_l("Copy the image into a new volume and boot from it"))
    volume_size = IntegerField(
        _l("Boot volume size (GB)"), validators=[Optional(), NumberRange(min=1, max=16384)]
    )
    volume_type = SelectField(_l("Volume type"), default="")
    delete_on_termination = BooleanField(_l("Delete the boot volume when the server is deleted"))
    data_volume_size = IntegerField(
        _l("Size of each data volume (GB)"),
        validators=[Optional(), NumberRange(min=1, max=16384)],
    )
    data_volume_count = IntegerField(
        _l("Number of data volumes"),
        default=1,
        validators=[Optional(), NumberRange(min=1, max=8)],
    )
    data_volume_type = SelectField(_l("Data volume type"), default="")
    data_delete_on_termination = BooleanField(_l("Delete the data volume with the server"))

    def __init__(self, context, **kwargs):
        super().__init__(context, **kwargs)
        catalog = self.resources.catalog
        settings = self.resources.settings
        if not self.is_bound and "delete_on_termination" not in context:
            self.create_volume.data = settings.create_volume
            self.delete_on_termination.data = settings.delete_volume_on_termination
            self.data_delete_on_termination.data = True
        if not catalog.features.volumes:
            for name in (
                "create_volume",
                "volume_size",
                "volume_type",
                "delete_on_termination",
                "data_volume_size",
                "data_volume_count",
                "data_volume_type",
                "data_delete_on_termination",
            ):
                delattr(self, name)
        elif not (catalog.features.volume_type and catalog.volume_types):
            del self.volume_type
            del self.data_volume_type
        # The tab: the one last shown, else the chosen source's, else the first.
        offered = self.offered()
        if self.source_kind.data not in offered:
            chosen = self.kind()
            self.source_kind.data = chosen if chosen in offered else next(iter(offered), None)

    @property
    def data(self) -> dict[str, Any]:
        """The step's values, without the view's (:data:`VIEW_FIELDS`)."""
        return {k: v for k, v in super().data.items() if k not in VIEW_FIELDS}

    def offered(self) -> list[str]:
        """The kinds of source offered, a tab each, the operator's default first."""
        settings = self.resources.settings
        return sources.kinds_offered(
            self.resources.catalog,
            default=settings.default_source,
            disabled=settings.disabled_sources,
        )

    def populate_source_kind_choices(self, context):
        return [SelectChoice(kind, str(sources.KIND_LABELS[kind])) for kind in self.offered()]

    def populate_source_id_choices(self, context):
        catalog = self.resources.catalog
        return [SelectChoice("", _("Choose a boot source"))] + [
            SelectChoice(row.id, row.name)
            for kind in self.offered()
            for row in sources.rows_of(catalog, kind)
        ]

    def picker(self) -> sources.SourcePicker:
        """The tabs, the rows of the tab shown (filtered) and the chosen source."""
        return sources.picker(
            self.resources.catalog,
            kinds=self.offered(),
            kind=self.source_kind.data,
            text=self.source_filter.data or "",
            chosen_id=self.source_id.data or "",
        )

    def boot_fields(self) -> list[str]:
        """The boot-volume settings that apply to the chosen source (else to the
        kind of the tab shown), and any other with an error to show."""
        kind = self.kind() or self.source_kind.data
        if kind in ("image", "snapshot"):
            wanted = set(BOOT_FIELDS) if self._ticked("create_volume") else {"create_volume"}
        elif kind == "volume":
            wanted = {"delete_on_termination"}
        elif kind == "volume_snapshot":
            wanted = {"volume_size", "volume_type", "delete_on_termination"}
        else:
            wanted = set()
        return [
            name for name in BOOT_FIELDS if name in self and (name in wanted or self[name].errors)
        ]

    def carried(self) -> list[tuple[str, str]]:
        """(name, value) of the boot-volume settings not shown, as typed: posted
        back hidden, so that they are there again once they apply."""
        shown = self.boot_fields()
        pairs = []
        for name in BOOT_FIELDS:
            if name not in self or name in shown:
                continue
            field = self[name]
            if isinstance(field, BooleanField):
                value = "y" if field.data else ""
            elif field.raw_data:
                value = field.raw_data[0]
            else:
                value = "" if field.data is None else str(field.data)
            if value:
                pairs.append((name, value))
        return pairs

    def _ticked(self, name: str) -> bool:
        return name in self and bool(self[name].data)

    def _type_choices(self):
        types = sorted(
            self.resources.catalog.volume_types, key=lambda t: (not t.is_default, t.name)
        )
        return [SelectChoice("", _("Default type"))] + [SelectChoice(t.name, t.name) for t in types]

    def populate_volume_type_choices(self, context):
        return self._type_choices()

    def populate_data_volume_type_choices(self, context):
        return self._type_choices()

    # -- checks ---------------------------------------------------------------

    def boot_minimum(self) -> int:
        """The smallest boot volume (GB) the chosen source allows, 0 if none chosen."""
        return source_minimums(self.resources.catalog, self.source_id.data or "")[0]

    def kind(self) -> str | None:
        """The chosen source's kind."""
        return source_kind(self.resources.catalog, self.source_id.data or "")

    def new_boot_volume(self) -> bool:
        """Whether the launch creates a boot volume (per server)."""
        return makes_boot_volume(self.resources.catalog, self.data)

    def validate_source_id(self, field):
        kind = self.kind()
        count = self.context.get("count") or 1
        if kind == "volume" and count > 1:
            raise ValidationError(
                _(
                    "An existing volume can boot one server only; you asked for %(count)s "
                    "(Details). Choose an image, or set the count to 1.",
                    count=count,
                )
            )

    def validate_volume_size(self, field):
        if field.data is None or not self.new_boot_volume():
            return
        minimum, _ram = source_minimums(self.resources.catalog, self.source_id.data or "")
        if field.data < minimum:
            raise ValidationError(
                _(
                    "The boot volume must be at least %(minimum)s GB for this source.",
                    minimum=minimum,
                )
            )

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        problem = self.volume_quota_problem()
        if problem:
            self.source_id.errors = [problem]
            return False
        return True

    def volume_quota_problem(self) -> str | None:
        """Why the volumes this launch creates do not fit the quota, or None."""
        limits = self.resources.catalog.limits
        count = self.context.get("count") or 1
        volumes, gigabytes = self.volumes_per_server()
        for resource, used, limit, asked in (
            (VOLUMES, limits.used_volumes, limits.max_volumes, count * volumes),
            (GIGABYTES, limits.used_volume_gb, limits.max_volume_gb, count * gigabytes),
        ):
            if asked and limit >= 0 and used + asked > limit:
                return sentence(over_limit(resource, asked, used, limit, count))
        return None

    def volumes_per_server(self) -> tuple[int, int]:
        """(count, GB) of the volumes each server gets."""
        return volumes_per_server(self.resources.catalog, self.data)


def makes_boot_volume(catalog: Catalog, data: dict) -> bool:
    """Whether the source step's ``data`` makes a new boot volume per server."""
    kind = source_kind(catalog, data.get("source_id") or "")
    return kind == "volume_snapshot" or (
        kind in ("image", "snapshot") and bool(data.get("create_volume"))
    )


def volumes_per_server(catalog: Catalog, data: dict) -> tuple[int, int]:
    """(count, GB) of the new volumes each server gets, from the step's ``data``."""
    volumes = gigabytes = 0
    if makes_boot_volume(catalog, data):
        minimum, _ram = source_minimums(catalog, data.get("source_id") or "")
        volumes, gigabytes = 1, data.get("volume_size") or minimum
    if data.get("data_volume_size"):
        count = data.get("data_volume_count") or 1
        volumes += count
        gigabytes += count * data["data_volume_size"]
    return volumes, gigabytes
