"""Forms of the auth blueprint."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from webapp.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    """User name, password and (when the operator shows it) the user's domain."""

    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=255)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=4096)])
    domain = StringField(_l("Domain"), validators=[Length(max=255)])
    next = HiddenField()


class ProjectForm(FlaskForm):
    """The project switcher in the header."""

    project_id = StringField(_l("Project"), validators=[DataRequired()])
    next = HiddenField()


class RegionForm(FlaskForm):
    """The region switcher in the header (shown when the catalog has several)."""

    region = StringField(_l("Region"), validators=[DataRequired(), Length(max=255)])
    next = HiddenField()
