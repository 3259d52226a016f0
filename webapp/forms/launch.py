"""The actions (step forms) of the Launch Instance workflow.

Each action lists its choices from the wizard's :class:`~webapp.cloud.models.Catalog`
(passed as ``resources.catalog``) through ``populate_<field>_choices`` hooks, and
checks what Nova would refuse before it is asked: image minimums, quotas, networks
without a subnet, user data size.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import SelectChoice
from wtforms import ValidationError
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from webapp.cloud.base import CloudConnection
from webapp.cloud.models import Catalog
from webapp.cloud.models import Flavor
from webapp.workflow import Action

#: Nova's limit on base64-encoded user data
USER_DATA_LIMIT = 65535
#: the most NICs the form offers
NIC_SLOTS = 3


@dataclass
class LaunchResources:
    """What the launch actions and workflow need: the wizard's lists, and a way
    to reach the cloud when (and only when) a call is needed."""

    catalog: Catalog
    connect: Callable[[], CloudConnection]

    @property
    def connection(self) -> CloudConnection:
        """The user's cloud connection."""
        return self.connect()


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes, usable without JavaScript."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _mb(value: int) -> str:
    return f"{value / 1024:g} GB" if value >= 1024 else f"{value} MB"


def flavor_label(flavor: Flavor) -> str:
    """A flavor as a select option: its name and size."""
    return f"{flavor.name} ({flavor.vcpus} vCPU, {_mb(flavor.ram_mb)} RAM, {flavor.disk_gb} GB disk)"


class SetProjectUserAction(Action):
    """Hidden: who launches, into which project (from the logged-in user)."""

    class Meta:
        name = "Project and user"
        slug = "project_user"
        permissions = ("!",)  # nobody holds it: the step is always hidden


class DetailsAction(Action):
    """Name, count, zone, what to boot from and how big."""

    class Meta:
        name = "Details"
        slug = "details"
        help_text = (
            "Name the server, choose what it boots from and its flavor. Flavors too "
            "small for the image, or over your project's quota, are refused here."
        )

    name = StringField("Instance name", validators=[DataRequired(), Length(max=255)])
    description = StringField("Description", validators=[Optional(), Length(max=255)])
    availability_zone = SelectField("Availability zone", default="")
    count = IntegerField("Count", default=1, validators=[NumberRange(min=1, max=100)])
    source_id = SelectField("Boot source", validators=[DataRequired("Choose what to boot from.")])
    flavor = SelectField("Flavor", validators=[DataRequired("Choose a flavor.")])

    def __init__(self, context, **kwargs):
        super().__init__(context, **kwargs)
        if not self.resources.catalog.features.description:
            del self.description  # Nova < 2.19 would refuse it

    def populate_availability_zone_choices(self, context):
        zones = [SelectChoice(z.name, z.name) for z in self.resources.catalog.availability_zones]
        return [SelectChoice("", "Any availability zone"), *zones]

    def populate_source_id_choices(self, context):
        images = self.resources.catalog.images
        groups = (("image", "Images"), ("snapshot", "Instance snapshots"))
        return [SelectChoice("", "Choose a boot source")] + [
            SelectChoice(image.id, image.name, optgroup=label)
            for kind, label in groups
            for image in sorted(images, key=lambda i: i.name)
            if image.kind == kind
        ]

    def populate_flavor_choices(self, context):
        flavors = sorted(
            self.resources.catalog.flavors, key=lambda f: (f.vcpus, f.ram_mb, f.disk_gb)
        )
        return [SelectChoice("", "Choose a flavor")] + [
            SelectChoice(f.id, flavor_label(f)) for f in flavors
        ]

    def validate_flavor(self, field):
        catalog = self.resources.catalog
        flavor = catalog.flavor(field.data)
        image = catalog.image(self.source_id.data or "")
        if flavor is None:
            return
        if image is not None:
            if flavor.disk_gb and flavor.disk_gb < image.min_disk_gb:
                raise ValidationError(
                    f"{image.name} needs a disk of at least {image.min_disk_gb} GB; "
                    f"{flavor.name} has {flavor.disk_gb} GB."
                )
            if flavor.ram_mb < image.min_ram_mb:
                raise ValidationError(
                    f"{image.name} needs at least {_mb(image.min_ram_mb)} of RAM; "
                    f"{flavor.name} has {_mb(flavor.ram_mb)}."
                )
        count = self.count.data if isinstance(self.count.data, int) else 1
        problem = quota_problem(catalog, flavor, count)
        if problem:
            raise ValidationError(problem)


def quota_problem(catalog: Catalog, flavor: Flavor, count: int) -> str | None:
    """Why ``count`` servers of ``flavor`` do not fit the project's quota, or None."""
    limits = catalog.limits
    for label, used, limit, each in (
        ("instances", limits.used_instances, limits.max_instances, 1),
        ("vCPUs", limits.used_cores, limits.max_cores, flavor.vcpus),
        ("MB of RAM", limits.used_ram_mb, limits.max_ram_mb, flavor.ram_mb),
    ):
        if limit >= 0 and used + count * each > limit:
            left = max(limit - used, 0)
            return (
                f"Over quota: {count} × {flavor.name} needs {count * each} {label}, "
                f"but only {left} of {limit} are left in this project."
            )
    return None


class AccessSecurityAction(Action):
    """Key pair and security groups."""

    class Meta:
        name = "Access & Security"
        slug = "access"
        help_text = "Choose the key pair to log in with and the security groups to apply."

    keypair = SelectField("Key pair", default="")
    security_groups = MultiCheckboxField("Security groups")

    def __init__(self, context, **kwargs):
        super().__init__(context, **kwargs)
        if self.is_bound:
            return
        keypairs = self.resources.catalog.keypairs
        if not self.keypair.data and len(keypairs) == 1:
            self.keypair.data = keypairs[0].name  # the only key pair is preselected
        groups = {g.name for g in self.resources.catalog.security_groups}
        if not self.security_groups.data and "default" in groups:
            self.security_groups.data = ["default"]

    def populate_keypair_choices(self, context):
        return [SelectChoice("", "No key pair")] + [
            SelectChoice(k.name, k.name) for k in self.resources.catalog.keypairs
        ]

    def populate_security_groups_choices(self, context):
        return [
            SelectChoice(g.name, g.name) for g in self.resources.catalog.security_groups
        ]


class NetworkAction(Action):
    """The networks of the server's NICs, in order."""

    class Meta:
        name = "Networking"
        slug = "network"
        help_text = (
            "Choose the network of each network interface, first one first. Networks "
            "without a subnet cannot take servers and are not offered."
        )

    nic_1 = SelectField("First network", validators=[DataRequired("Choose a network.")])
    nic_2 = SelectField("Second network", default="")
    nic_3 = SelectField("Third network", default="")

    def __init__(self, context, **kwargs):
        super().__init__(context, **kwargs)
        usable = self._usable()
        if not self.is_bound and not self.nic_1.data and len(usable) == 1:
            self.nic_1.data = usable[0].id  # the only network is preselected

    def _usable(self):
        return [n for n in self.resources.catalog.networks if n.has_subnet]

    def _choices(self, *, first: bool):
        features = self.resources.catalog.features
        choices = [SelectChoice("", "Choose a network" if first else "None")]
        choices += [
            SelectChoice(n.id, f"{n.name} (shared)" if n.shared else n.name)
            for n in self._usable()
        ]
        if first and features.network_auto:
            choices.append(SelectChoice("auto", "Automatic (the cloud picks a network)"))
        if first and features.network_none:
            choices.append(SelectChoice("none", "No network"))
        return choices

    def populate_nic_1_choices(self, context):
        return self._choices(first=True)

    def populate_nic_2_choices(self, context):
        return self._choices(first=False)

    populate_nic_3_choices = populate_nic_2_choices

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        chosen = [f.data for f in (self.nic_1, self.nic_2, self.nic_3) if f.data]
        if chosen[0] in ("auto", "none") and len(chosen) > 1:
            self.nic_2.errors.append(
                "Automatic or no network cannot be combined with other networks."
            )
            return False
        if len(set(chosen)) != len(chosen):
            self.nic_2.errors.append("Each network can be chosen once.")
            return False
        return True


class PostCreationAction(Action):
    """A customisation script for cloud-init."""

    class Meta:
        name = "Post-creation"
        slug = "post"
        help_text = (
            "A script or cloud-config that cloud-init runs on first boot. Nova accepts "
            "at most 65535 bytes once base64-encoded (about 48 KB of text)."
        )

    user_data = TextAreaField("Customisation script", validators=[Optional()])

    def validate_user_data(self, field):
        encoded = len(base64.b64encode(field.data.encode()))
        if encoded > USER_DATA_LIMIT:
            raw_limit = USER_DATA_LIMIT // 4 * 3
            raise ValidationError(
                f"The script is {len(field.data.encode())} bytes; Nova takes at most "
                f"{raw_limit} bytes (65535 once base64-encoded)."
            )
