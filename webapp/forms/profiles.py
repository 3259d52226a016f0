"""The form of a launch profile's name and description: saving one on Review,
renaming one on the profiles page."""

from __future__ import annotations

import flask_wtf.i18n
from wtforms import Form
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from webapp.i18n import lazy_gettext as _l
from webapp.state.profiles import DESCRIPTION_MAX
from webapp.state.profiles import NAME_MAX

__all__ = ["ProfileForm"]


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class ProfileForm(Form):
    """A profile's name (required, unique per user: the view checks that) and an
    optional description. The page's form carries the CSRF token (Flask-WTF's
    global check), so this form has none of its own."""

    class Meta:
        def get_translations(self, form):
            # WTForms' own messages ("Field cannot be longer than…") in the
            # request's language, as for the launch steps.
            return flask_wtf.i18n.translations

    name = StringField(
        _l("Profile name"),
        filters=[_strip],
        validators=[DataRequired(_l("Name the profile.")), Length(max=NAME_MAX)],
    )
    description = StringField(
        _l("Description (optional)"), filters=[_strip], validators=[Length(max=DESCRIPTION_MAX)]
    )
