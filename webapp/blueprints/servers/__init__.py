"""The project's servers: the list, one server's page that follows it past ACTIVE
to "ready for SSH", and the actions on it (start, stop, reboot, delete, floating
IPs), and extending its lease.

Modules: :mod:`.views` (the pages and the fragments they poll), :mod:`.actions`
(every POST, with its confirmation), :mod:`.access` (the connection, the cached
lookups, loading a server), :mod:`.presenting` (status words, ages, polling
delays), :mod:`.readiness` (cloud-init's report and the SSH command),
:mod:`.expiry` (the time left and "Extend").
"""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from webapp.cloud.lookup import LookupCache

bp = Blueprint("servers", __name__, url_prefix="/servers")


@bp.record_once
def _keep_lookups(state: BlueprintSetupState) -> None:
    # One cache per app (and so per worker process), shared by its requests.
    state.app.extensions["skiff.lookups"] = LookupCache(
        ttl=float(state.app.config["SERVER_LOOKUP_TTL"])
    )


from webapp.blueprints.servers import actions  # noqa: E402,F401  (registers the routes)
from webapp.blueprints.servers import expiry  # noqa: E402,F401
from webapp.blueprints.servers import views  # noqa: E402,F401
