"""A step's posted input, with its uploaded text files read in."""

from __future__ import annotations

from flask import current_app
from flask import flash
from flask import request
from werkzeug.datastructures import MultiDict

__all__ = ["posted_input"]


def posted_input() -> MultiDict[str, str]:
    """The posted step input, with uploaded text files (field ``<name>_file``)
    read into their text field ``<name>``, so that they are saved like typed text."""
    data = request.form.copy()
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    for key, upload in request.files.items():
        if not key.endswith("_file") or not upload.filename:
            continue
        content = upload.read(limit + 1)
        if len(content) > limit:
            flash(f"{upload.filename} is too large.", "error")
            continue
        try:
            data[key.removesuffix("_file")] = content.decode("utf-8")
        except UnicodeDecodeError:
            flash(f"{upload.filename} is not a text file.", "error")
    return data
