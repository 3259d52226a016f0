"""What a load balancer and Prometheus ask: ``/healthz``, ``/readyz``, ``/metrics``.

No login, no session (:mod:`webapp.ops.sessionless`), no rate limit, never cached;
the work is in :mod:`webapp.ops.health` and :mod:`webapp.ops.metrics`.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Flask
from flask import abort
from flask import current_app
from flask import jsonify
from flask import request
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response

from webapp.ops import health
from webapp.ops import metrics
from webapp.ops.sessionless import SessionlessPaths

bp = Blueprint("ops", __name__)

#: the paths of this blueprint, which get no session
PATHS = ("/healthz", "/readyz", "/metrics")


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    app = state.app
    assert isinstance(app, Flask)
    app.session_interface = SessionlessPaths(app.session_interface, PATHS)
    health.init_app(app)
    metrics.init_app(app)


@bp.get("/healthz")
def healthz() -> Response:
    """The process answers: nothing else is asked."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz() -> Response:
    """The state store and the cloud answer: 200, else 503; each check's word."""
    found = health.readiness()
    response = jsonify(found.as_json())
    response.status_code = 200 if found.ready else 503
    return _no_store(response)


@bp.get("/metrics")
def metrics_text() -> Response:
    """Every metric, for a bearer of ``METRICS_TOKEN`` (404 when none is set)."""
    refused = metrics.token_status(
        current_app.config["METRICS_TOKEN"], request.headers.get("Authorization")
    )
    if refused == 404:
        abort(404)  # as any unknown URL: nothing says a scrape could be allowed
    if refused is not None:
        if refused == 401:
            text, headers = "Unauthorized\n", {"WWW-Authenticate": 'Bearer realm="metrics"'}
        else:
            text, headers = "Forbidden\n", {}
        return _no_store(Response(text, refused, headers, mimetype="text/plain"))
    body, content_type = metrics.exposition()
    return _no_store(Response(body, 200, content_type=content_type))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
