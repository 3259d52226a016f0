"""Small helpers for answering HTMX requests: whole page or fragment, and one
function per HX response header (the django-htmx shape)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import make_response
from flask import request
from werkzeug.wrappers import Response as BaseResponse

__all__ = ["htmx_redirect", "is_htmx", "push_url", "retarget", "vary_on_htmx"]


def is_htmx() -> bool:
    """Whether this request came from htmx and wants a fragment.

    History restores ask for a whole page, since htmx puts the answer in <body>.
    """
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def htmx_redirect(url: str) -> Response:
    """Make htmx load ``url`` as a whole page.

    A 3xx would not do: the browser follows it inside the XHR and htmx would
    swap the new page into the panel, losing the headers of the 3xx.
    """
    response = Response(status=200)
    response.headers["HX-Redirect"] = url
    return response


def push_url(response: BaseResponse, url: str) -> BaseResponse:
    """Have htmx put ``url`` in the browser's history for this swap."""
    response.headers["HX-Push-Url"] = url
    return response


def retarget(response: BaseResponse, target: str, swap: str = "innerHTML") -> BaseResponse:
    """Have htmx swap this response into ``target`` (a CSS selector) with ``swap``,
    whatever the request asked for."""
    response.headers["HX-Retarget"] = target
    response.headers["HX-Reswap"] = swap
    return response


def vary_on_htmx(body: Any) -> Response:
    """Make a response, telling caches that this URL answers HTMX with a fragment."""
    response = make_response(body)
    response.vary.add("HX-Request")
    return response
