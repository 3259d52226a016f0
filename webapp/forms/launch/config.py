"""The Configuration step: customisation script and the server's other settings.

Each setting that needs a newer Nova microversion than the cloud offers is not
shown (tags 2.52, hostname 2.90); metadata follows Nova's key and value rules and
the project's metadata limit.

The cloud-init helper (:mod:`webapp.forms.launch.cloud_init_helper`) makes a
``#cloud-config`` document the user may edit; with a script as well, both go as
one MIME multi-part (:func:`user_data_value`), whose size is what counts.

The script is typed (its lines, posted with CRLF, get LF) or uploaded. An upload
is kept byte for byte, base64, in ``user_data_upload`` (posted back by a ticked
checkbox): a UTF-8 text file is shown in the textarea too and stays exact while
the textarea is left as it was (editing it makes the script typed text); any
other file (gzip, binary) goes as it is while the textarea is left empty. Nova
takes at most 65,535 bytes once base64-encoded, so 49,149 raw bytes: checked on
the bytes before anything is sent.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping

from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms.validators import Length
from wtforms.validators import Optional

from webapp.forms.launch.cloud_config import is_mime
from webapp.forms.launch.cloud_config import multipart
from webapp.forms.launch.cloud_init_helper import CloudInitHelper
from webapp.forms.launch.cloud_init_helper import cloud_config_text
from webapp.forms.launch.common import METADATA_KEY
from webapp.forms.launch.common import LaunchAction
from webapp.forms.launch.common import SelectChoice
from webapp.forms.launch.common import file_text
from webapp.forms.launch.common import parse_pairs
from webapp.forms.launch.common import unix_newlines
from webapp.forms.launch.expiry import metadata_problem
from webapp.i18n import format_decimal
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.i18n import ngettext

#: Nova's limit on base64-encoded user data
USER_DATA_LIMIT = 65535
#: the most raw bytes whose base64 fits Nova's limit
USER_DATA_MAX_BYTES = USER_DATA_LIMIT // 4 * 3
GZIP_MAGIC = b"\x1f\x8b"
HOSTNAME = re.compile(r"^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$")
FQDN_LABEL = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$")


def encoded_size(size: int) -> int:
    """The length of ``size`` bytes once base64-encoded."""
    return 4 * -(-size // 3)


def uploaded_bytes(value: object) -> bytes | None:
    """The bytes of a kept upload (base64), or None when none is kept."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:  # not base64 (binascii.Error), or not even ASCII
        return None


def script_value(values: Mapping[str, object]) -> str | bytes | None:
    """The script of the step's values (its form data, or the context): a
    binary upload's bytes, else the script's text; None for no script."""
    upload = uploaded_bytes(values.get("user_data_upload"))
    if upload is not None and file_text(upload) is None:
        return upload
    text = values.get("user_data")
    return text if isinstance(text, str) and text else None


def user_data_value(values: Mapping[str, object]) -> str | bytes | None:
    """What Nova gets from the step's values (its form data, or the context): the
    cloud-config and the script as one MIME multi-part, else the one given (a
    binary upload's bytes, else text); None for neither."""
    script = script_value(values)
    document = cloud_config_text(values)
    if document is None:
        return script
    return document if script is None else multipart(document, script)


def user_data_summary(values: Mapping[str, object]) -> str:
    """The user data in words, its size in bytes: "script of 120 bytes",
    "binary user data of 312 bytes (gzip)", "cloud-config of 80 bytes",
    "cloud-config and script, one MIME multi-part of 900 bytes", "no script"."""
    value = user_data_value(values)
    if value is None:
        return _("no script")
    if cloud_config_text(values) is not None:
        size = format_decimal(len(value.encode() if isinstance(value, str) else value))
        if script_value(values) is None:
            return _("cloud-config of %(size)s bytes", size=size)
        return _("cloud-config and script, one MIME multi-part of %(size)s bytes", size=size)
    if isinstance(value, str):
        return _("script of %(size)s bytes", size=format_decimal(len(value.encode())))
    if value.startswith(GZIP_MAGIC):
        return _("binary user data of %(size)s bytes (gzip)", size=format_decimal(len(value)))
    return _("binary user data of %(size)s bytes", size=format_decimal(len(value)))


def _same_lines(typed: str, text: str) -> bool:
    """Whether a textarea's text is ``text`` as shown, line ends aside (a page
    turns CR and CRLF into LF; a browser posts every line end as CRLF)."""

    def lines(value: str) -> str:
        return value.replace("\r\n", "\n").replace("\r", "\n")

    return lines(typed) == lines(text)


class UploadField(HiddenField):
    """An uploaded file's bytes, base64, posted back by a ticked checkbox: posted
    without it, the form holds no upload (not the one of the context)."""

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else ""


class ConfigAction(CloudInitHelper, LaunchAction):
    """The cloud-init helper and its cloud-config, script, config drive, disk
    partitioning, server group, metadata, tags, hostname and scheduler hints."""

    class Meta:
        name = _l("Configuration")
        slug = "config"
        permissions = ("launch.step.config",)  # the operator may hide this step
        help_text = _l(
            "A script or cloud-config that cloud-init runs on first boot, and the "
            "server's other settings. All are optional."
        )

    user_data = TextAreaField(_l("Customisation script"), filters=[unix_newlines])
    user_data_upload = UploadField()
    config_drive = BooleanField(_l("Use a configuration drive"))
    disk_config = SelectField(_l("Disk partition"), default="")
    server_group = SelectField(_l("Server group"), default="")
    metadata = TextAreaField(
        _l("Metadata (key=value, one per line)"),
        validators=[Optional()],
        filters=[unix_newlines],
    )
    tags = StringField(_l("Tags (comma-separated)"), validators=[Optional(), Length(max=3100)])
    hostname = StringField(_l("Hostname"), validators=[Optional(), Length(max=255)])
    scheduler_hints = TextAreaField(
        _l("Scheduler hints (key=value, one per line)"),
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
        if self.is_bound:
            self._settle_upload()

    def _settle_upload(self) -> None:
        """Keep an upload's exact bytes while the textarea is as it was shown; a
        script typed there instead drops the upload."""
        upload = uploaded_bytes(self.user_data_upload.data)
        text = None if upload is None else file_text(upload)
        typed = self.user_data.data or ""
        if text is not None and _same_lines(typed, text):
            self.user_data.data = text
        elif upload is None or text is not None or typed.strip():
            self.user_data_upload.data = ""

    def populate_disk_config_choices(self, context):
        return [
            SelectChoice("", _("Cloud default")),
            SelectChoice("AUTO", _("Automatic: grow the root partition to the whole disk")),
            SelectChoice("MANUAL", _("Manual: keep the image's partitions")),
        ]

    def populate_server_group_choices(self, context):
        return [SelectChoice("", _("No server group"))] + [
            SelectChoice(g.id, f"{g.name} ({g.policy})" if g.policy else g.name)
            for g in self.resources.catalog.server_groups
        ]

    def validate_cloud_config(self, field):
        self.check_cloud_config(field)
        if cloud_config_text(self.data) is not None:
            self._check_size()

    def validate_user_data(self, field):
        script = script_value(self.data)
        if script is None:
            return
        if cloud_config_text(self.data) is None:
            self._check_size()
        elif is_mime(script):
            raise ValidationError(
                _(
                    "This script is a MIME multi-part already: it cannot go with the "
                    "cloud-config above. Add the cloud-config to it as a part, or empty "
                    "the cloud-config."
                )
            )

    def _check_size(self) -> None:
        """Raise ValidationError when the user data is over Nova's limit, saying
        what it is made of (the cloud-config and the script count together)."""
        value = user_data_value(self.data)
        if value is None:
            return
        size = len(value.encode() if isinstance(value, str) else value)
        if encoded_size(size) <= USER_DATA_LIMIT:
            return
        figures = {
            "size": format_decimal(size),
            "most": format_decimal(USER_DATA_MAX_BYTES),
            "limit": format_decimal(USER_DATA_LIMIT),
        }
        if cloud_config_text(self.data) is not None and script_value(self.data) is not None:
            raise ValidationError(
                _(
                    "With the script, the user data is one MIME multi-part of %(size)s "
                    "bytes. At most %(most)s bytes (Nova's limit, %(limit)s once "
                    "encoded): shorten one or the other.",
                    **figures,
                )
            )
        if cloud_config_text(self.data) is not None:
            raise ValidationError(
                _(
                    "The cloud-config is %(size)s bytes. At most %(most)s bytes "
                    "(Nova's limit, %(limit)s once encoded).",
                    **figures,
                )
            )
        if isinstance(value, str):
            raise ValidationError(
                _(
                    "The script is %(size)s bytes. At most %(most)s bytes "
                    "(Nova's limit, %(limit)s once encoded).",
                    **figures,
                )
            )
        raise ValidationError(
            _(
                "The file is %(size)s bytes. At most %(most)s bytes "
                "(Nova's limit, %(limit)s once encoded).",
                **figures,
            )
        )

    def validate_metadata(self, field):
        pairs = parse_pairs(field.data, what="metadata item")
        limit = self.resources.catalog.limits.max_server_meta
        if limit >= 0 and len(pairs) > limit:
            raise ValidationError(
                ngettext(
                    "%(num)d item: this project allows at most %(limit)s.",
                    "%(num)d items: this project allows at most %(limit)s.",
                    len(pairs),
                    limit=limit,
                )
            )
        problem = metadata_problem(pairs, self.context, limit)  # the expiry's own items
        if problem:
            raise ValidationError(problem)
        for key, value in pairs.items():
            if not METADATA_KEY.match(key):
                raise ValidationError(
                    _(
                        "Key %(key)s: use 1 to 255 letters, digits, spaces and - _ : . only.",
                        key=repr(key),
                    )
                )
            if len(value) > 255:
                raise ValidationError(
                    _("The value of %(key)s is longer than 255 characters.", key=repr(key))
                )

    def validate_tags(self, field):
        tags = [t.strip() for t in (field.data or "").split(",") if t.strip()]
        if len(tags) > 50:
            raise ValidationError(_("%(count)s tags: Nova takes at most 50.", count=len(tags)))
        for tag in tags:
            if len(tag) > 60 or "/" in tag:
                raise ValidationError(
                    _("Tag %(tag)s: at most 60 characters, without '/'.", tag=repr(tag))
                )

    def validate_hostname(self, field):
        name = (field.data or "").strip()
        if not name:
            return
        count = self.context.get("count") or 1
        if count > 1:
            raise ValidationError(
                _(
                    "One hostname cannot go to %(count)s servers (Details): leave it empty.",
                    count=count,
                )
            )
        if self.resources.catalog.features.hostname_fqdn and "." in name:
            if not all(FQDN_LABEL.match(label) for label in name.split(".")):
                raise ValidationError(_("%(name)s is not a valid domain name.", name=name))
        elif not (2 <= len(name) <= 63 and HOSTNAME.match(name)):
            raise ValidationError(
                _("Use 2 to 63 letters, digits and hyphens, not starting or ending with a hyphen.")
            )

    def validate_scheduler_hints(self, field):
        parse_pairs(field.data, what="scheduler hint")
