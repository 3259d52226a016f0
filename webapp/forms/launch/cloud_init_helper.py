"""The Configuration step's cloud-init helper: fields for common set-up (OS
updates, packages, a user with SSH keys and sudo, the time zone, commands) and
the ``#cloud-config`` document they make, which the user sees and may edit.

"Make the cloud-config" (:meth:`CloudInitHelper.make_cloud_config`) writes the
document into the ``cloud_config`` field, replacing what was there; that field,
as it is then (edited or not), is what goes to the server. ``cloud_config_made``
keeps a digest of the document the helper made, so a helper changed afterwards
is not silently left out: the step asks to make the document again.
"""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from collections.abc import Mapping

import yaml
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms.validators import Length
from wtforms.validators import Optional

from webapp.forms.launch.access import check_public_key
from webapp.forms.launch.cloud_config import HEADER
from webapp.forms.launch.cloud_config import Helper
from webapp.forms.launch.cloud_config import cloud_config
from webapp.forms.launch.cloud_config import fingerprint
from webapp.forms.launch.cloud_config import lines
from webapp.forms.launch.cloud_config import split_packages
from webapp.forms.launch.common import unix_newlines
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l

__all__ = ["HELPER_FIELDS", "CloudInitHelper", "available_timezones", "cloud_config_text"]

#: the helper's own fields, in the order they are shown and checked
HELPER_FIELDS = (
    "init_updates",
    "init_packages",
    "init_user",
    "init_ssh_keys",
    "init_sudo",
    "init_timezone",
    "init_commands",
)
#: a package name for apt, dnf, zypper or apk, maybe with a version (nginx=1.22*)
PACKAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+._:~=*-]*$")
#: a user name every Linux takes (useradd's default rule)
USER_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


@functools.cache
def available_timezones() -> dict[str, str]:
    """The IANA time zones this machine knows, by their lower-case name (read once)."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def cloud_config_text(values: Mapping[str, object]) -> str | None:
    """The cloud-config of a step's values (form data or context), None when empty."""
    text = values.get("cloud_config")
    return text if isinstance(text, str) and text.strip() else None


class CloudInitHelper:
    """The helper's fields and checks, mixed into the Configuration step's
    action (a WTForms form: the fields are collected from this class too)."""

    init_updates = BooleanField(_l("Install the OS updates"))
    init_packages = TextAreaField(
        _l("Packages to install"),
        validators=[Optional(), Length(max=4096)],
        filters=[unix_newlines],
    )
    init_user = StringField(_l("User to create"), validators=[Optional(), Length(max=32)])
    init_ssh_keys = TextAreaField(
        _l("The user's SSH public keys, one per line"),
        validators=[Optional(), Length(max=65536)],
        filters=[unix_newlines],
    )
    init_sudo = BooleanField(_l("The user may run any command as root (sudo, no password)"))
    init_timezone = StringField(_l("Time zone"), validators=[Optional(), Length(max=64)])
    init_commands = TextAreaField(
        _l("Commands to run at first boot, one per line"), filters=[unix_newlines]
    )
    cloud_config = TextAreaField(_l("Cloud-config"), filters=[unix_newlines])
    cloud_config_made = HiddenField()

    def helper(self) -> Helper:
        """The helper's choices as typed (checked or not)."""
        return Helper(
            updates=bool(self.init_updates.data),
            packages=split_packages(self.init_packages.data),
            user=(self.init_user.data or "").strip(),
            ssh_keys=lines(self.init_ssh_keys.data),
            sudo=bool(self.init_sudo.data),
            timezone=(self.init_timezone.data or "").strip(),
            commands=lines(self.init_commands.data),
        )

    def helper_in_use(self) -> bool:
        """Whether the helper or its document holds anything, or an error (the
        page then shows the helper open)."""
        names = (*HELPER_FIELDS, "cloud_config")
        fields = [self[name] for name in names]  # type: ignore[index]  # the form's __getitem__
        return any(field.data or field.errors for field in fields)

    def make_cloud_config(self) -> str | None:
        """Check the helper's fields and write their document into
        ``cloud_config`` (replacing it). Returns the document; None when the
        helper chose nothing (the field is then left as it is) or a field is
        wrong (its errors say why)."""
        valid = True
        for name in HELPER_FIELDS:
            field = self[name]  # type: ignore[index]  # the form's __getitem__
            inline = getattr(type(self), f"validate_{name}", None)
            valid = field.validate(self, [inline] if inline else []) and valid
        if not valid:
            return None
        document = cloud_config(self.helper())
        if document is not None:
            self.cloud_config.data = document
            self.cloud_config_made.data = fingerprint(document)
        return document

    def validate_init_packages(self, field):
        for name in split_packages(field.data):
            if not PACKAGE.match(name):
                raise ValidationError(
                    _(
                        "%(name)s is not a package name: use letters, digits and "
                        "+ . _ : ~ = * - only.",
                        name=repr(name),
                    )
                )

    def validate_init_user(self, field):
        name = (field.data or "").strip()
        if not name:
            return
        if not USER_NAME.match(name):
            raise ValidationError(
                _("Use up to 32 lower-case letters, digits, _ and -, starting with a letter or _.")
            )
        if name == "root":
            raise ValidationError(_("root exists on every image: choose another name."))
        field.data = name

    def validate_init_ssh_keys(self, field):
        keys = []
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                keys.append(check_public_key(line))
            except ValidationError as error:
                raise ValidationError(
                    _("Line %(number)s: %(error)s", number=number, error=error)
                ) from None
        if keys and not (self.init_user.data or "").strip():
            raise ValidationError(_("Name the user these keys are for (above)."))
        field.data = "\n".join(keys)

    def validate_init_sudo(self, field):
        if field.data and not (self.init_user.data or "").strip():
            raise ValidationError(_("Name the user who may use sudo (above)."))

    def validate_init_timezone(self, field):
        typed = (field.data or "").strip()
        if not typed:
            return
        known = available_timezones()
        name = known.get(typed.lower())
        if name is None:
            close = difflib.get_close_matches(typed, known.values(), n=1)
            if close:
                raise ValidationError(
                    _(
                        "%(name)s is not a time zone. Did you mean %(close)s?",
                        name=typed,
                        close=close[0],
                    )
                )
            raise ValidationError(
                _("%(name)s is not a time zone: write it like Europe/Paris or UTC.", name=typed)
            )
        field.data = name

    def check_cloud_config(self, field) -> None:
        """The document starts with ``#cloud-config``, is a YAML mapping, and
        was made from the helper as it is now (when the helper is used)."""
        text = cloud_config_text({"cloud_config": field.data})
        if text is None:
            field.data = ""
        else:
            if not text.lstrip().lower().startswith(HEADER):
                raise ValidationError(_("Start the cloud-config with the line #cloud-config."))
            try:
                loaded = yaml.safe_load(text)
            except yaml.YAMLError as error:
                mark = getattr(error, "problem_mark", None)
                problem = getattr(error, "problem", None) or str(error)
                if mark is None:
                    raise ValidationError(
                        _("This is not valid YAML: %(problem)s.", problem=problem)
                    ) from None
                raise ValidationError(
                    _(
                        "Line %(line)s: this is not valid YAML: %(problem)s.",
                        line=mark.line + 1,
                        problem=problem,
                    )
                ) from None
            if loaded is not None and not isinstance(loaded, dict):
                raise ValidationError(_("A cloud-config is a YAML mapping: key: value lines."))
        if any(self[name].errors for name in HELPER_FIELDS):  # type: ignore[index]
            return  # those errors come first
        made = cloud_config(self.helper())
        if made is None or fingerprint(made) == (self.cloud_config_made.data or ""):
            return
        if text is None:
            raise ValidationError(
                _(
                    "You filled in the helper but made no cloud-config: press "
                    "“Make the cloud-config”, or clear the helper."
                )
            )
        raise ValidationError(
            _(
                "The helper changed after this cloud-config was made: press “Make the "
                "cloud-config” again (it replaces the document), or undo the change."
            )
        )
