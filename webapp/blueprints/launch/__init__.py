"""The launch wizard: one URL per step, panels swapped over HTMX, whole pages without."""

from flask import Blueprint

bp = Blueprint("launch", __name__, url_prefix="/launch")

from webapp.blueprints.launch import views  # noqa: E402,F401  (registers the routes)
