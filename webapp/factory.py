"""The app factory: configuration, extensions, stores, blueprints; wiring only."""

from __future__ import annotations

import functools
import hashlib
import os
import secrets

from flask import Flask
from flask import current_app
from flask import g
from flask import redirect
from flask import request
from flask import url_for

from webapp import cloud
from webapp import i18n
from webapp.config import DEFAULTS
from webapp.config import fixed_settings
from webapp.extensions import compress
from webapp.extensions import csrf
from webapp.limits import exempt_blueprint
from webapp.limits import init_limits
from webapp.ops import audit
from webapp.proxy import init_proxy
from webapp.state import configure_state


def create_app(config: dict | None = None, *, instance_path: str | None = None) -> Flask:
    """Create and configure the portal.

    :param config: settings that win over the environment (tests use it).
    :param instance_path: where sessions, caches and the demo cloud live
        (default: ``instance/`` beside the package, Flask's rule).
    """
    app = Flask("webapp", instance_relative_config=True, instance_path=instance_path)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SKIFF")
    app.config.update(fixed_settings(app.config["SESSION_LIFETIME_HOURS"]))
    if config:
        app.config.update(config)
    cloud.use_clouds_yaml(app, config)  # SKIFF_CLOUD: under every explicit setting
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY") and app.config["SECRET_KEY_FILE"]:
        app.config["SECRET_KEY"] = _file_secret(app.config["SECRET_KEY_FILE"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)

    init_proxy(app)  # first: every setting and request after it sees the public URL
    configure_state(app)
    csrf.init_app(app)
    init_limits(app)  # after CSRF: a forged form is refused before it is counted
    compress.init_app(app)
    i18n.init_app(app)
    cloud.init_app(app)
    audit.init_app(app)  # before the views' hooks: their cloud calls are recorded

    from webapp import errors
    from webapp import site
    from webapp.blueprints.auth import bp as auth_bp
    from webapp.blueprints.language import bp as language_bp
    from webapp.blueprints.launch import bp as launch_bp
    from webapp.blueprints.ops import bp as ops_bp
    from webapp.blueprints.servers import bp as servers_bp
    from webapp.expiry.cli import skiff as skiff_commands
    from webapp.identity import load_identity

    app.register_blueprint(auth_bp)
    app.register_blueprint(language_bp)
    app.register_blueprint(launch_bp)
    app.register_blueprint(servers_bp)
    app.register_blueprint(ops_bp)  # /healthz, /readyz, /metrics (and the metrics' hooks)
    exempt_blueprint(app, ops_bp)
    app.cli.add_command(skiff_commands)  # flask skiff expire
    errors.init_app(app)
    site.init_app(app)
    app.before_request(load_identity)
    app.after_request(_security_headers)
    # Registered after Compress, so it runs before it: Compress skips streams.
    app.after_request(_buffer_static)

    @app.context_processor
    def portal():
        return {"identity": g.get("identity"), "cloud": cloud.get_provider(), "asset": _asset_url}

    @app.get("/")
    def home():
        """Straight to work: the launch wizard."""
        return redirect(url_for("launch.index"))

    return app


def _instance_secret(instance_path: str) -> str:
    """A random secret kept in the instance folder, so every worker shares it."""
    path = os.path.join(instance_path, "secret_key")
    try:
        with open(path) as file:
            return file.read().strip()
    except FileNotFoundError:
        # Written aside then linked into place: when two workers start at once,
        # one link wins and both read the same, complete key.
        temporary = f"{path}.{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
        return _instance_secret(instance_path)


def _file_secret(path: str) -> str:
    """``SECRET_KEY_FILE``'s first line; a missing or empty file stops the app
    (another key would log everyone out, and differ between hosts)."""
    with open(path) as file:
        secret = file.readline().strip()
    if not secret:
        raise RuntimeError(f"SECRET_KEY_FILE {path} is empty")
    return secret


@functools.cache
def _asset_version(path: str) -> str:
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:12]


def _asset_url(filename: str) -> str:
    """A static file's URL carrying its content hash, so it can be cached for a year."""
    version = _asset_version(os.path.join(current_app.static_folder or "", filename))
    return url_for("static", filename=filename, v=version)


def _buffer_static(response):
    """Read a static file into memory (ours are small) so it can be compressed."""
    if request.endpoint == "static" and response.direct_passthrough and response.status_code == 200:
        response.direct_passthrough = False
        data = response.get_data()
        response.close()
        response.set_data(data)
    return response


def _security_headers(response):
    if request.endpoint != "static":
        # Pages hold what the user typed and move on with every request: the
        # browser's Back button must ask again, not show a stale copy.
        response.headers.setdefault("Cache-Control", "no-store")
    if current_app.config["SESSION_COOKIE_SECURE"] and request.is_secure:
        # Served over HTTPS (the cookies say so, and this request came by it, as
        # the proxy tells when PROXIES trusts it): browsers must never try plain HTTP.
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; object-src 'none'; frame-ancestors 'none'",
    )
    return response
