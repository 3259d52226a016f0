"""The wizard's page at once, while the cloud's lists load.

A step needs the wizard's lists (:class:`~webapp.cloud.catalog.Catalog`): a
saved wizard's are cached for a while, and a new launch's page fetches them
anew. The page is sent directly when they are cached (for a new launch: when
this login's lists of the project still are, so the cloud has answered lately
and will quickly again). When they are not (the first page after a login or a
project switch, when a real cloud's services can take seconds to accept a fresh
token), a plain page request is answered at once with the *loading page*: the
wizard's head, its step list and a loading panel saying what is being fetched.
The lists then arrive in a second request, in one of two ways:

* **With JavaScript**, the loading panel asks for the same URL over htmx
  (``hx-get``, ``hx-trigger="load"``). That request waits for the lists and is
  answered exactly as any htmx request for a step: the step's panel (step list
  and messages out of band), swapped in place of the loading panel. The URL
  stays, nothing is reloaded, and an expired login (``HX-Redirect`` to the
  login page) or a cloud that does not answer (a message) are handled as on
  every other htmx request.
* **Without JavaScript**, a ``<noscript>`` refresh loads the same URL with
  ``?wait=1`` (:data:`WAIT`), which never answers the loading page: it waits
  for the lists and sends the whole page. The browser keeps showing the loading
  page meanwhile.

So a step's URL answers three ways, told apart by the ``HX-Request`` header
(hence ``Vary: HX-Request``, and ``Cache-Control: no-store`` as on every page)
and the ``wait`` argument. Only a plain page ``GET`` gets the loading page: never
an htmx request or a post (a history restore may: htmx asks for a whole page
then, and the loading panel's request follows as above).

The loading page leaves flashed messages in the session: the panel's request
shows them (out of band), so they are neither lost nor shown twice.

Why not one streamed response (page head first, the panel when ready)? Its
status and headers are sent before the lists are fetched, so an expired login
could no longer redirect, and proxies and compression buffer streams.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask import request
from flask import url_for
from werkzeug.wrappers import Response

from webapp.htmx import is_htmx
from webapp.htmx import vary_on_htmx
from webapp.workflow import Step
from webapp.workflow import Workflow

__all__ = ["WAIT", "may_defer", "page", "without_wait"]

#: the query argument of the page that waits for the lists (without JavaScript)
WAIT = "wait"


def may_defer() -> bool:
    """Whether this request may be answered by the loading page when the lists
    are not cached: a plain page ``GET`` (or ``HEAD``), not htmx's and not the
    one that waits."""
    return request.method in ("GET", "HEAD") and not is_htmx() and WAIT not in request.args


def page(workflow: Workflow, step: Step) -> Response:
    """The wizard's page for ``step`` with a loading panel in place of the step's
    panel (``workflow`` needs no lists: only its steps and their states are shown)."""
    body = render_template(
        "launch/wizard.html",
        workflow=workflow,
        step=step,
        loading=True,
        panel_url=_this_url(),
        wait_url=_this_url(**{WAIT: "1"}),
        messages=(),  # left for the panel, which shows them out of band
    )
    return vary_on_htmx(body)


def without_wait(args: dict[str, Any]) -> dict[str, Any]:
    """Query arguments without :data:`WAIT` (for the URLs a page links to)."""
    return {k: v for k, v in args.items() if k != WAIT}


def _this_url(**extra: str) -> str:
    # Query arguments starting with "_" would be url_for's own (_external...).
    query = {k: v for k, v in request.args.to_dict(flat=False).items() if not k.startswith("_")}
    values = {**without_wait(query), **extra, **(request.view_args or {})}
    return url_for(str(request.endpoint), **values)
