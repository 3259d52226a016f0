"""Login (with a password or through single sign-on), logout and switching
projects and regions."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from webapp.blueprints.auth import regions  # noqa: E402,F401  (registers the routes)
from webapp.blueprints.auth import views  # noqa: E402,F401
from webapp.blueprints.auth import websso  # noqa: E402,F401
