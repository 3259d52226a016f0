"""Small helpers for answering HTMX requests (whole page or panel, headers)."""

from __future__ import annotations

from flask import Response
from flask import make_response
from flask import request


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


def vary_on_htmx(body) -> Response:
    """Make a response, telling caches that this URL answers HTMX with a fragment."""
    response = make_response(body)
    response.vary.add("HX-Request")
    return response
