"""A step's posted input, and the files posted with it put into the step's fields.

:func:`posted_input` reads the form and its files (``<name>_file``; one over
``MAX_UPLOAD_BYTES`` is refused unread). Once the step is known,
:func:`place_uploads` puts each file into the field ``<name>``:

- when the step also has ``<name>_upload``, any file is taken and kept there byte
  for byte (base64); a UTF-8 text file is shown in ``<name>`` too;
- otherwise only UTF-8 text is taken, into ``<name>``, like typed text.

What was not taken is said by field, to show beside it. Templates describe the
user data a step or a context holds with the filter ``user_data_summary``.
"""

from __future__ import annotations

import base64
from collections.abc import Collection
from collections.abc import Mapping

from flask import current_app
from flask import request
from werkzeug.datastructures import MultiDict

from webapp.blueprints.launch import bp
from webapp.forms.launch.common import file_text
from webapp.forms.launch.config import user_data_summary
from webapp.forms.launch.config import user_data_value
from webapp.i18n import format_decimal
from webapp.i18n import gettext as _

__all__ = ["PostedInput", "place_uploads", "posted_input"]


class PostedInput(MultiDict[str, str]):
    """A step's posted form, with its files read but not yet put into fields.

    ``files`` maps a field name to the file's name and content; ``refused``, a
    field name to why its file was not read.
    """

    def __init__(self, form: Mapping[str, str] | MultiDict[str, str] | None = None) -> None:
        super().__init__(form or {})
        self.files: dict[str, tuple[str, bytes]] = {}
        self.refused: dict[str, list[str]] = {}
        #: a file was refused for its size (the step answers 413)
        self.too_large = False


def posted_input() -> PostedInput:
    """The posted step input and its files (field ``<name>_file``), read."""
    data = PostedInput(request.form)
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    for key, upload in request.files.items():
        if not key.endswith("_file") or not upload.filename:
            continue
        name = key.removesuffix("_file")
        content = upload.read(limit + 1)
        if len(content) > limit:
            # Translators: %(filename)s is the name of the user's file.
            message = _(
                "%(filename)s is over %(limit)s bytes: not taken.",
                filename=upload.filename,
                limit=format_decimal(limit),
            )
            data.refused[name] = [message]
            data.too_large = True
        else:
            data.files[name] = (upload.filename, content)
    return data


def place_uploads(data: PostedInput, fields: Collection[str]) -> dict[str, list[str]]:
    """Put the files of ``data`` into the step's ``fields``; what was not taken,
    by field (files for fields the step does not have are left out)."""
    refused = {name: list(why) for name, why in data.refused.items() if name in fields}
    for name, (filename, content) in data.files.items():
        if name not in fields:
            continue
        text = file_text(content)
        if f"{name}_upload" in fields:
            data[f"{name}_upload"] = base64.b64encode(content).decode("ascii")
            data[name] = text or ""
        elif text is None:
            refused[name] = [_("%(filename)s is not a text file.", filename=filename)]
        else:
            data[name] = text
    return refused


bp.add_app_template_filter(user_data_summary, "user_data_summary")
bp.add_app_template_filter(user_data_value, "user_data_value")
