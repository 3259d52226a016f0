"""The Source step: what the server boots from, and the volumes it gets.

Boot sources are images, instance snapshots, bootable volumes and volume
snapshots (which become a new volume). An image or snapshot can also be copied
into a new volume. Extra blank data volumes can be added. Volume quotas are
checked here, because Nova accepts a launch over the volume quota and the server
only fails later, in ERROR.
"""

from __future__ import annotations

import math

from wtforms import BooleanField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from webapp.cloud.catalog import Catalog
from webapp.forms.launch.common import SelectChoice
from webapp.workflow import Action

GIB = 1024**3

#: source kind -> its group label in the select
SOURCE_GROUPS = (
    ("image", "Images"),
    ("snapshot", "Instance snapshots"),
    ("volume", "Volumes"),
    ("volume_snapshot", "Volume snapshots"),
)


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
        return max(math.ceil(image.size_bytes / GIB), image.min_disk_gb, 1), image.min_ram_mb
    volume = catalog.volume(source_id)
    if volume is not None:
        return volume.size_gb, volume.image_min_ram_mb
    snapshot = catalog.volume_snapshot(source_id)
    if snapshot is not None:
        return max(snapshot.size_gb, snapshot.image_min_disk_gb), snapshot.image_min_ram_mb
    return 0, 0


class SourceAction(Action):
    """Boot source, boot volume options and an optional data volume."""

    class Meta:
        name = "Source"
        slug = "source"
        help_text = (
            "Boot from an image or instance snapshot, or from a volume. A new boot "
            "volume is at least as big as the image needs; leave its size empty for "
            "that minimum."
        )

    source_id = SelectField("Boot source", validators=[DataRequired("Choose what to boot from.")])
    create_volume = BooleanField("Copy the image into a new volume and boot from it")
    volume_size = IntegerField(
        "Boot volume size (GB)", validators=[Optional(), NumberRange(min=1, max=16384)]
    )
    volume_type = SelectField("Volume type", default="")
    delete_on_termination = BooleanField("Delete the boot volume when the server is deleted")
    data_volume_size = IntegerField(
        "Size of each data volume (GB)", validators=[Optional(), NumberRange(min=1, max=16384)]
    )
    data_volume_count = IntegerField(
        "Number of data volumes", default=1, validators=[Optional(), NumberRange(min=1, max=8)]
    )
    data_volume_type = SelectField("Data volume type", default="")
    data_delete_on_termination = BooleanField("Delete the data volume with the server")

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

    def populate_source_id_choices(self, context):
        catalog = self.resources.catalog
        disabled = self.resources.settings.disabled_sources
        items = {
            "image": [(i.id, i.name) for i in catalog.images if i.kind == "image"],
            "snapshot": [(i.id, i.name) for i in catalog.images if i.kind == "snapshot"],
            "volume": [
                (v.id, f"{v.name or v.id} ({v.size_gb} GB)") for v in catalog.volumes if v.bootable
            ],
            "volume_snapshot": [
                (s.id, f"{s.name or s.id} ({s.size_gb} GB)") for s in catalog.volume_snapshots
            ],
        }
        choices = [SelectChoice("", "Choose a boot source")]
        first = self.resources.settings.default_source
        for kind, label in sorted(SOURCE_GROUPS, key=lambda group: group[0] != first):
            if kind in disabled:
                continue
            for value, text in sorted(items[kind], key=lambda item: item[1].lower()):
                choices.append(SelectChoice(value, text, optgroup=label))
        return choices

    def _type_choices(self):
        types = sorted(
            self.resources.catalog.volume_types, key=lambda t: (not t.is_default, t.name)
        )
        return [SelectChoice("", "Default type")] + [SelectChoice(t.name, t.name) for t in types]

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
                f"An existing volume can boot one server only; you asked for {count} "
                "(Details). Choose an image, or set the count to 1."
            )

    def validate_volume_size(self, field):
        if field.data is None or not self.new_boot_volume():
            return
        minimum, _ = source_minimums(self.resources.catalog, self.source_id.data or "")
        if field.data < minimum:
            raise ValidationError(f"The boot volume must be at least {minimum} GB for this source.")

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
        for what, used, limit, asked in (
            ("volumes", limits.used_volumes, limits.max_volumes, count * volumes),
            ("GB of volumes", limits.used_volume_gb, limits.max_volume_gb, count * gigabytes),
        ):
            if asked and limit >= 0 and used + asked > limit:
                return (
                    f"Over the volume quota: this launch needs {asked} {what}, but only "
                    f"{max(limit - used, 0)} of {limit} are left in this project."
                )
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
        minimum, _ = source_minimums(catalog, data.get("source_id") or "")
        volumes, gigabytes = 1, data.get("volume_size") or minimum
    if data.get("data_volume_size"):
        count = data.get("data_volume_count") or 1
        volumes += count
        gigabytes += count * data["data_volume_size"]
    return volumes, gigabytes
