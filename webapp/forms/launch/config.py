"""The Configuration step: customisation script and the server's other settings.

Each setting that needs a newer Nova microversion than the cloud offers is not
shown (tags 2.52, hostname 2.90); metadata follows Nova's key and value rules and
the project's metadata limit; the script's size is checked against Nova's limit
(65535 bytes once base64-encoded) before anything is sent.
"""

from __future__ import annotations

import base64
import re

from wtforms import BooleanField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms.validators import Length
from wtforms.validators import Optional

from webapp.forms.launch.common import METADATA_KEY
from webapp.forms.launch.common import SelectChoice
from webapp.forms.launch.common import parse_pairs
from webapp.forms.launch.common import unix_newlines
from webapp.workflow import Action

#: Nova's limit on base64-encoded user data
USER_DATA_LIMIT = 65535
HOSTNAME = re.compile(r"^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$")
FQDN_LABEL = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$")


class ConfigAction(Action):
    """Script, config drive, disk partitioning, server group, metadata, tags,
    hostname and scheduler hints."""

    class Meta:
        name = "Configuration"
        slug = "config"
        permissions = ("launch.step.config",)  # the operator may hide this step
        help_text = (
            "A script or cloud-config that cloud-init runs on first boot, and the "
            "server's other settings. All are optional."
        )

    user_data = TextAreaField(
        "Customisation script", validators=[Optional()], filters=[unix_newlines]
    )
    config_drive = BooleanField("Use a configuration drive")
    disk_config = SelectField("Disk partition", default="")
    server_group = SelectField("Server group", default="")
    metadata = TextAreaField(
        "Metadata (key=value, one per line)", validators=[Optional()], filters=[unix_newlines]
    )
    tags = StringField("Tags (comma-separated)", validators=[Optional(), Length(max=3100)])
    hostname = StringField("Hostname", validators=[Optional(), Length(max=255)])
    scheduler_hints = TextAreaField(
        "Scheduler hints (key=value, one per line)",
        validators=[Optional()],
        filters=[unix_newlines],
    )

    def __init__(self, context, **kwargs):
        super().__init__(context, **kwargs)
        features = self.resources.catalog.features
        if not features.tags:
            del self.tags
        if not features.hostname:
            del self.hostname
        if not self.is_bound and "config_drive" not in context:
            self.config_drive.data = self.resources.settings.config_drive

    def populate_disk_config_choices(self, context):
        return [
            SelectChoice("", "Cloud default"),
            SelectChoice("AUTO", "Automatic: grow the root partition to the whole disk"),
            SelectChoice("MANUAL", "Manual: keep the image's partitions"),
        ]

    def populate_server_group_choices(self, context):
        return [SelectChoice("", "No server group")] + [
            SelectChoice(g.id, f"{g.name} ({g.policy})" if g.policy else g.name)
            for g in self.resources.catalog.server_groups
        ]

    def validate_user_data(self, field):
        size = len(field.data.encode())
        if len(base64.b64encode(field.data.encode())) > USER_DATA_LIMIT:
            raise ValidationError(
                f"The script is {size} bytes; Nova takes at most {USER_DATA_LIMIT // 4 * 3} "
                "bytes (65535 once base64-encoded)."
            )

    def validate_metadata(self, field):
        pairs = parse_pairs(field.data, what="metadata item")
        limit = self.resources.catalog.limits.max_server_meta
        if limit >= 0 and len(pairs) > limit:
            raise ValidationError(f"{len(pairs)} items: this project allows at most {limit}.")
        for key, value in pairs.items():
            if not METADATA_KEY.match(key):
                raise ValidationError(
                    f"Key {key!r}: use 1 to 255 letters, digits, spaces and - _ : . only."
                )
            if len(value) > 255:
                raise ValidationError(f"The value of {key!r} is longer than 255 characters.")

    def validate_tags(self, field):
        tags = [t.strip() for t in (field.data or "").split(",") if t.strip()]
        if len(tags) > 50:
            raise ValidationError(f"{len(tags)} tags: Nova takes at most 50.")
        for tag in tags:
            if len(tag) > 60 or "/" in tag:
                raise ValidationError(f"Tag {tag!r}: at most 60 characters, without '/'.")

    def validate_hostname(self, field):
        name = (field.data or "").strip()
        if not name:
            return
        count = self.context.get("count") or 1
        if count > 1:
            raise ValidationError(
                f"One hostname cannot go to {count} servers (Details): leave it empty."
            )
        if self.resources.catalog.features.hostname_fqdn and "." in name:
            if not all(FQDN_LABEL.match(label) for label in name.split(".")):
                raise ValidationError(f"{name} is not a valid domain name.")
        elif not (2 <= len(name) <= 63 and HOSTNAME.match(name)):
            raise ValidationError(
                "Use 2 to 63 letters, digits and hyphens, not starting or ending with a hyphen."
            )

    def validate_scheduler_hints(self, field):
        parse_pairs(field.data, what="scheduler hint")
