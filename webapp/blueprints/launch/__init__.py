"""The launch wizard: one URL per step, panels swapped over HTMX, whole pages without."""

from flask import Blueprint

from webapp.forms.launch.common import size_mb

bp = Blueprint("launch", __name__, url_prefix="/launch")


@bp.app_template_filter("size_mb")
def size_mb_filter(value: int) -> str:
    """Megabytes in words in templates: 512 MB, 2 GB."""
    return size_mb(value)


from webapp.blueprints.launch import views  # noqa: E402,F401  (registers the routes)
