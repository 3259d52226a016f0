"""Where the app keeps shared state: sessions, wizard catalogs and submit claims.

By default everything is in the instance folder (files and SQLite), which all
worker processes of one host share. With ``REDIS_URL`` set, all of it goes to Redis,
so that several hosts can serve the portal.
"""

from __future__ import annotations

import os

from cachelib import FileSystemCache
from flask import Flask
from flask import current_app

from webapp.state.guard import RedisSubmitGuard
from webapp.state.guard import SQLiteSubmitGuard
from webapp.state.guard import SubmitGuard

__all__ = ["configure_state", "submit_guard"]


def configure_state(app: Flask) -> None:
    """Choose the session store, the catalog cache and the submit guard."""
    url = app.config["REDIS_URL"]
    if url:
        import redis  # optional dependency: pip install 'skiff[redis]'
        from cachelib import RedisCache

        client = redis.Redis.from_url(url)
        app.config.setdefault("SESSION_TYPE", "redis")
        app.config.setdefault("SESSION_REDIS", client)
        app.extensions["skiff.cache"] = RedisCache(host=client, key_prefix="skiff:cache:")
        app.extensions["skiff.guard"] = RedisSubmitGuard(client)
        return
    app.config.setdefault("SESSION_TYPE", "cachelib")
    app.config.setdefault(
        "SESSION_CACHELIB",
        FileSystemCache(os.path.join(app.instance_path, "sessions"), threshold=5000),
    )
    app.extensions["skiff.cache"] = FileSystemCache(
        os.path.join(app.instance_path, "cache"), threshold=2000
    )
    app.extensions["skiff.guard"] = SQLiteSubmitGuard(
        os.path.join(app.instance_path, "submits.sqlite")
    )


def submit_guard() -> SubmitGuard:
    """The app's submit guard."""
    guard: SubmitGuard = current_app.extensions["skiff.guard"]
    return guard
