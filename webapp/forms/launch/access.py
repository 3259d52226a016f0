"""The Access & Security step: key pair (choose, import or generate), security
groups and an optional administrator password."""

from __future__ import annotations

import base64
import binascii
import re

from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms.validators import EqualTo
from wtforms.validators import Length
from wtforms.validators import Optional

from webapp.forms.launch.common import LaunchAction
from webapp.forms.launch.common import MultiCheckboxField
from webapp.forms.launch.common import SelectChoice
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l

KEY_TYPES = (
    "ssh-rsa",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
)
#: Nova's key pair names (from 2.92 '@' and '.' are allowed too)
KEYPAIR_NAME = re.compile(r"^[a-zA-Z0-9 _.@-]{1,255}$")


def check_public_key(text: str) -> str:
    """The OpenSSH public key in ``text``, or ValidationError saying what is wrong."""
    parts = text.strip().split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise ValidationError(
            _(
                "Paste an OpenSSH public key: it starts with ssh-ed25519, ssh-rsa or "
                "ecdsa-sha2-… (the .pub file, not the private key)."
            )
        )
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        raise ValidationError(_("The key's base64 part is damaged.")) from None
    if parts[0].encode() not in blob[:40]:
        raise ValidationError(_("The key's data does not match its type %(type)s.", type=parts[0]))
    return " ".join(parts)


class AccessAction(LaunchAction):
    """Key pair and security groups; the admin password where the operator allows it."""

    class Meta:
        name = _l("Access & Security")
        slug = "access"
        help_text = _l(
            "Choose a key pair to log in with, import your public key, or generate a "
            "new key pair (its private key is shown to you once and kept nowhere)."
        )

    keypair = SelectField(_l("Key pair"), default="")
    new_keypair_name = StringField(
        _l("Name of the key pair to import"), validators=[Optional(), Length(max=255)]
    )
    public_key = TextAreaField(
        _l("Public key to import"), validators=[Optional(), Length(max=16384)]
    )
    security_groups = MultiCheckboxField(_l("Security groups"))
    admin_pass = PasswordField(
        _l("Administrator password"), validators=[Optional(), Length(min=8, max=255)]
    )
    confirm_admin_pass = PasswordField(
        _l("Confirm the password"),
        validators=[EqualTo("admin_pass", _l("The passwords differ."))],
    )

    def __init__(self, context, **kwargs):
        super().__init__(context, **kwargs)
        catalog = self.resources.catalog
        if not self.resources.settings.admin_password:
            del self.admin_pass
            del self.confirm_admin_pass
        if not context.get("port_security", True):
            del self.security_groups  # no port of this server can take them
        if self.is_bound:
            return
        if not self.keypair.data and len(catalog.keypairs) == 1:
            self.keypair.data = catalog.keypairs[0].name  # the only key pair is preselected
        groups = {g.name for g in catalog.security_groups}
        if "security_groups" in self and not self.security_groups.data and "default" in groups:
            self.security_groups.data = ["default"]

    def populate_keypair_choices(self, context):
        return [SelectChoice("", _("No key pair"))] + [
            SelectChoice(k.name, k.name) for k in self.resources.catalog.keypairs
        ]

    def populate_security_groups_choices(self, context):
        return [SelectChoice(g.name, g.name) for g in self.resources.catalog.security_groups]

    def validate_public_key(self, field):
        if not field.data.strip():
            return
        field.data = check_public_key(field.data)
        name = (self.new_keypair_name.data or "").strip()
        if not name:
            self.new_keypair_name.errors = [_("Name the key pair to import.")]
            raise ValidationError(_("The key needs a name (above)."))
        if not KEYPAIR_NAME.match(name):
            raise ValidationError(_("Key pair names use letters, digits, spaces and _ . @ - only."))
        if name in {k.name for k in self.resources.catalog.keypairs}:
            raise ValidationError(
                _("A key pair named %(name)s exists already: choose it above instead.", name=name)
            )

    def handle(self, context):
        """Import the pasted public key (once, even if the launch is retried)."""
        key = (context.get("public_key") or "").strip()
        if not key:
            return None
        name = context["new_keypair_name"].strip()
        connection = self.resources.connection
        if name not in {k.name for k in connection.list_keypairs()}:
            connection.import_keypair(name, key)
        return {"keypair": name}
