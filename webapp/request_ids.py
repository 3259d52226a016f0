"""A short id for every request, to tie what a user reports to the log.

:func:`request_id` gives the request's id (8 hex digits), made on first use, so it
exists whatever failed first (a before-request hook, the routing, a view). Every
answer carries it in its ``X-Request-ID`` header; error pages show it as their
"Reference" and the log line of the error names it (see :mod:`webapp.errors`).
"""

from __future__ import annotations

import secrets

from flask import Flask
from flask import g
from flask import has_request_context
from werkzeug.wrappers import Response as BaseResponse

__all__ = ["HEADER", "init_app", "request_id"]

#: the response header that carries the id
HEADER = "X-Request-ID"


def init_app(app: Flask) -> None:
    """Send every request's id back in the ``X-Request-ID`` header."""
    app.after_request(_send_id)


def request_id() -> str:
    """This request's id: 8 hex digits, the same however often it is asked for
    ("-" outside a request)."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        g.request_id = secrets.token_hex(4)
    rid: str = g.request_id
    return rid


def _send_id(response: BaseResponse) -> BaseResponse:
    response.headers[HEADER] = request_id()
    return response
