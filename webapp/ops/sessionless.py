"""Probes and scrapes without sessions: the answer to a load balancer's or
Prometheus's request never reads or writes the session store.

Flask opens the session before it knows the route, so the session interface is
wrapped: for the paths given, it opens an empty anonymous session (no store call,
even when a cookie came along) and saves nothing; every other request is the
wrapped interface's.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from flask import Flask
from flask import Request
from flask import Response
from flask import request
from flask.sessions import SessionInterface
from flask.sessions import SessionMixin

from webapp.state.sessions import StoreSession

__all__ = ["SessionlessPaths"]


class SessionlessPaths(SessionInterface):
    """``inner`` for every path but ``paths``, which get no session at all.

    Attributes of ``inner`` that are not a session interface's own
    (``regenerate``, ``end``...) are reached through this one.
    """

    def __init__(self, inner: SessionInterface, paths: Collection[str]) -> None:
        self.inner = inner
        self.paths = frozenset(paths)

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if request.path in self.paths:
            return StoreSession()
        return self.inner.open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.path not in self.paths:
            self.inner.save_session(app, session, response)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
