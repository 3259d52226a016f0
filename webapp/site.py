"""Routes of the site as a whole, outside any blueprint: the icon browsers ask for."""

from __future__ import annotations

from flask import Flask
from flask import redirect
from flask import url_for
from werkzeug.wrappers import Response


def init_app(app: Flask) -> None:
    """Register the site's own routes on ``app``."""
    app.add_url_rule("/favicon.ico", view_func=favicon)


def favicon() -> Response:
    """``/favicon.ico``, which browsers and tools ask for when a page names no icon
    (pages name ``favicon.svg``): the SVG, through a redirect it may keep."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
