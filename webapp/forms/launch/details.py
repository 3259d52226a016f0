"""The Details step (name, description, zone, count, when the server expires)
and the hidden step that brings the project and user.

Count is checked against the project's instances quota here, where it can be
changed (vCPUs and RAM are the Flavor step's, volumes the Source step's); the
field says how many servers fit, and :meth:`DetailsAction.fit_count` what to
lower it to. The lease (never, or a number of minutes, hours or days, then stop
or delete) follows the operator's rules (:mod:`webapp.forms.launch.expiry`).
"""

from __future__ import annotations

from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from webapp.cloud.models import Flavor
from webapp.expiry.lease import Lease
from webapp.expiry.policy import Refusal
from webapp.expiry.words import ACTION_CHOICES
from webapp.expiry.words import UNIT_CHOICES
from webapp.expiry.words import refusal_words
from webapp.forms.launch.common import LaunchAction
from webapp.forms.launch.common import SelectChoice
from webapp.forms.launch.expiry import expiry_defaults
from webapp.forms.launch.expiry import expiry_hint
from webapp.forms.launch.quota import INSTANCES
from webapp.forms.launch.quota import MAX_COUNT
from webapp.forms.launch.quota import count_hint
from webapp.forms.launch.quota import instances_room
from webapp.forms.launch.quota import max_count
from webapp.forms.launch.quota import no_room
from webapp.forms.launch.quota import over_limit
from webapp.forms.launch.quota import sentence
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l


class SetProjectUserAction(LaunchAction):
    """Hidden: who launches, into which project (from the logged-in user)."""

    class Meta:
        name = _l("Project and user")
        slug = "project_user"


class DetailsAction(LaunchAction):
    """Name, description, availability zone, how many servers, and their lease."""

    class Meta:
        name = _l("Details")
        slug = "details"
        help_text = _l(
            "Name the server. With a count above one, Nova names them name-1, name-2 and so on."
        )

    name = StringField(_l("Instance name"), validators=[DataRequired(), Length(max=255)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=255)])
    availability_zone = SelectField(_l("Availability zone"), default="")
    count = IntegerField(_l("Count"), default=1, validators=[NumberRange(min=1, max=MAX_COUNT)])
    expires = SelectField(_l("Expires"), default="never")
    expiry_amount = IntegerField(_l("How long"))
    expiry_unit = SelectField(_l("Unit"), default="hours")
    expiry_action = SelectField(_l("Then"), default="stop")

    def __init__(self, context, **kwargs):
        super().__init__(context, **kwargs)
        if not self.resources.catalog.features.description:
            del self.description  # Nova before 2.19 would refuse it
        if not self.resources.settings.expiry.allow_never:
            del self.expires  # every launch chooses a lease
        for name, value in expiry_defaults(self.resources.settings.expiry).items():
            # the operator's default, unless the context or the input says otherwise
            if name in self and name not in context and not (self.is_bound and self[name].raw_data):
                self[name].data = value

    def populate_expires_choices(self, context):
        return [SelectChoice("never", _("Never")), SelectChoice("after", _("After"))]

    def populate_expiry_unit_choices(self, context):
        return [SelectChoice(value, str(words)) for value, words in UNIT_CHOICES]

    def populate_expiry_action_choices(self, context):
        return [SelectChoice(value, str(words)) for value, words in ACTION_CHOICES]

    def populate_availability_zone_choices(self, context):
        zones = [SelectChoice(z.name, z.name) for z in self.resources.catalog.availability_zones]
        return [SelectChoice("", _("Any availability zone")), *zones]

    def validate_count(self, field):
        """Refuse a count over the instances quota, saying so with the figures."""
        if field.errors or field.data is None:
            return  # not a number, or out of range: said already
        limits = self.resources.catalog.limits
        room = instances_room(limits)
        if room is None or field.data <= room:
            return
        if room == 0:
            raise ValidationError(no_room(limits))
        over = over_limit(INSTANCES, field.data, limits.used_instances, limits.max_instances)
        raise ValidationError(sentence(over))

    def validate_expiry_amount(self, field):
        """A whole number the operator's maximum allows, unless the server never
        expires (then whatever is typed there is ignored)."""
        if "expires" in self and self.expires.data == "never":
            field.errors[:] = []  # "Not a valid integer value." is beside the point
            field.data = None
            return
        policy = self.resources.settings.expiry
        if field.raw_data and not str(field.raw_data[0]).strip():
            field.errors[:] = []  # left empty: said below, in words about the lease
            field.data = None
        if field.errors:
            return  # not a number: said already
        if field.data is None:
            refusal = Refusal.TOO_SHORT if policy.allow_never else Refusal.NEVER
            raise ValidationError(refusal_words(policy, refusal))
        if self.expiry_unit.data in dict(UNIT_CHOICES):
            refusal = policy.check(Lease(field.data, self.expiry_unit.data))
            if refusal is not None:
                raise ValidationError(refusal_words(policy, refusal))

    def expiry_hint(self) -> str | None:
        """The longest lease, in words (None when the field's error says it)."""
        hint = expiry_hint(self.resources.settings.expiry)
        return None if self.expiry_amount.errors else hint

    def chosen(self) -> tuple[Flavor | None, tuple[int, int]]:
        """The flavor and the volumes per server chosen so far (later steps)."""
        flavor = self.resources.catalog.flavor(self.context.get("flavor") or "")
        volumes = self.context.get("volumes_per_server") or (0, 0)
        return flavor, (int(volumes[0]), int(volumes[1]))

    def count_hint(self) -> str | None:
        """How many servers fit the project's quotas, in words (None when the
        field's error says it already, or nothing limits the count)."""
        hint = count_hint(self.resources.catalog, *self.chosen())
        return None if hint in self.count.errors else hint

    def fit_count(self) -> int | None:
        """The largest count that fits, when Count is over it (else None)."""
        room, _row = max_count(self.resources.catalog, *self.chosen())
        count = self.count.data
        if not room or not isinstance(count, int) or count <= room:
            return None
        return min(room, MAX_COUNT)
