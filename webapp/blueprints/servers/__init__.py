"""The project's servers: the list, and one server's page that follows its build."""

from flask import Blueprint

bp = Blueprint("servers", __name__, url_prefix="/servers")

from webapp.blueprints.servers import views  # noqa: E402,F401  (registers the routes)
