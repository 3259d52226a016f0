"""The Details step (name, description, zone, count) and the hidden step that
brings the project and user."""

from __future__ import annotations

from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from webapp.forms.launch.common import SelectChoice
from webapp.workflow import Action


class SetProjectUserAction(Action):
    """Hidden: who launches, into which project (from the logged-in user)."""

    class Meta:
        name = "Project and user"
        slug = "project_user"


class DetailsAction(Action):
    """Name, description, availability zone and how many servers."""

    class Meta:
        name = "Details"
        slug = "details"
        help_text = (
            "Name the server. With a count above one, Nova names them name-1, name-2 and so on."
        )

    name = StringField("Instance name", validators=[DataRequired(), Length(max=255)])
    description = StringField("Description", validators=[Optional(), Length(max=255)])
    availability_zone = SelectField("Availability zone", default="")
    count = IntegerField("Count", default=1, validators=[NumberRange(min=1, max=100)])

    def __init__(self, context, **kwargs):
        super().__init__(context, **kwargs)
        if not self.resources.catalog.features.description:
            del self.description  # Nova before 2.19 would refuse it

    def populate_availability_zone_choices(self, context):
        zones = [SelectChoice(z.name, z.name) for z in self.resources.catalog.availability_zones]
        return [SelectChoice("", "Any availability zone"), *zones]
