"""The servers pages (GET): the list, one server's page, and the fragments they
ask for again over HTMX (status, actions, floating IPs, console log).

Every fragment URL answers a plain browser with a redirect to its page, so a link
or a reload never shows a bare fragment.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.wrappers import Response

from webapp.blueprints.servers import access
from webapp.blueprints.servers import bp
from webapp.blueprints.servers import presenting
from webapp.blueprints.servers.actions import PERFORM
from webapp.cloud.errors import Conflict
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import NotFound
from webapp.cloud.lifecycle import ACTIONS
from webapp.cloud.lifecycle import DESTRUCTIVE
from webapp.cloud.lifecycle import allowed_actions
from webapp.cloud.models import Image
from webapp.cloud.models import Server
from webapp.htmx import htmx_redirect
from webapp.htmx import is_htmx
from webapp.htmx import vary_on_htmx
from webapp.i18n import gettext as _
from webapp.identity import login_required

View = Callable[[str], Response]


def fragment(anchor: str | None = None) -> Callable[[View], View]:
    """For a fragment's URL: a plain browser (a link, a reload) goes to the
    server's page instead, at ``anchor``."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(server_id: str) -> Response:
            if not is_htmx():
                url = url_for("servers.detail", server_id=server_id, _anchor=anchor)
                return redirect(url, code=303)
            return view(server_id)

        return wrapped

    return decorate


@bp.context_processor
def _actions_context() -> dict[str, object]:
    """What the action buttons need, in every servers template."""
    return {
        "action_order": ACTIONS,
        # in the language of this request
        "action_labels": {action: str(label) for action, (label, *_rest) in PERFORM.items()},
        "destructive": DESTRUCTIVE,
        # the launch blueprint's "launch again" may not be there (yet)
        "can_launch_again": "launch.again" in current_app.view_functions,
    }


@bp.get("/")
@login_required
def index() -> Response:
    """One page of the project's servers, filtered by name and status;
    ``?ids=a,b`` narrows it to one launch's servers."""
    name = request.args.get("name", "").strip()
    status = request.args.get("status", "")
    if status not in dict(presenting.STATUS_FILTERS):
        status = ""
    marker = request.args.get("marker") or None
    page = access.connection().list_servers_page(
        name=name or None,
        status=status or None,
        marker=marker,
        limit=int(current_app.config["SERVERS_PER_PAGE"]),
    )
    servers = list(page.servers)
    wanted = [i for i in request.args.get("ids", "").split(",") if i]
    if wanted:
        servers = [s for s in servers if s.id in wanted]
    lookups = access.lookups()
    rows = [
        {
            "server": s,
            "status": presenting.status_of(s),
            "flavor": presenting.flavor_of(s, lookups),
            "image": presenting.image_label(s, lookups),
            "age": presenting.age_in_words(s.created, now=access.now()),
        }
        for s in servers
    ]
    values = {
        "rows": rows,
        "changing": any(not s.is_final for s in servers),
        "filters": {"name": name, "status": status},
        "ids": ",".join(wanted),
        "query": {
            k: v for k, v in (("name", name), ("status", status), ("ids", ",".join(wanted))) if v
        },
        "marker": marker,
        "next_marker": page.next_marker,
        "selected": set(request.args.getlist("selected")),
        # (code, words in the language of this request)
        "status_filters": [(code, str(words)) for code, words in presenting.STATUS_FILTERS],
    }
    template = "servers/_list.html" if is_htmx() else "servers/index.html"
    return vary_on_htmx(render_template(template, **values))


@bp.get("/<server_id>")
@login_required
def detail(server_id: str) -> Response:
    """Everything about one server; its status follows it over HTMX while it changes."""
    if is_htmx():  # an HTMX request for the page itself: its status only
        return status(server_id)
    cloud = access.connection()
    server = access.load(server_id)
    lookups = access.lookups()
    volumes = cloud.server_volumes(server.id)
    image = _image_of(server, lookups.image(server.image_id), volumes)
    console = None  # not read: a building or failed server has none yet
    if server.status not in {"BUILD", "ERROR"}:
        console = cloud.console_output(
            server.id, lines=int(current_app.config["CONSOLE_LOG_LINES"])
        )
    features = cloud.features()
    values = {
        # an empty log was read all the same: status_values must not read it again
        **access.status_values(server, console=console, image=image),
        "flavor": presenting.flavor_of(server, lookups),
        "image": image,
        "volumes": volumes,
        "ports": cloud.server_ports(server.id),
        "groups": _server_groups(server),
        "console": console or "",
        "server_id": server.id,
        "console_link": features.remote_console and server.status == "ACTIVE",
        **access.floating_ip_values(server),
    }
    return vary_on_htmx(render_template("servers/detail.html", **values))


@bp.get("/<server_id>/status")
@login_required
@fragment()
def status(server_id: str) -> Response:
    """The status fragment, polled with ``?poll=<n>&seen=<state>`` (HTMX only)."""
    try:
        server = access.connection().get_server(server_id)
    except NotFound:
        # Said in place: a redirect here could cut short the one that a delete
        # from this page, answered a moment later, starts.
        return vary_on_htmx(render_template("servers/_gone.html"))
    poll = request.args.get("poll", 0, type=int) or 0
    values = access.status_values(server, poll=max(0, poll), seen=request.args.get("seen"))
    return vary_on_htmx(render_template("servers/_status.html", **values))


@bp.get("/<server_id>/actions")
@login_required
@fragment()
def actions(server_id: str) -> Response:
    """The action buttons (what a cancelled confirmation swaps back)."""
    server = access.load(server_id)
    return vary_on_htmx(
        render_template(
            "servers/_actions.html",
            server=server,
            allowed=allowed_actions(server),
            state=presenting.state_key(server),
        )
    )


@bp.get("/<server_id>/floating-ips")
@login_required
@fragment(anchor="floating-ips")
def floating_ips(server_id: str) -> Response:
    """The floating IPs section (what a cancelled removal swaps back)."""
    server = access.load(server_id)
    values = access.floating_ip_values(server)
    return vary_on_htmx(render_template("servers/_floating_ips.html", server=server, **values))


@bp.get("/<server_id>/console-log")
@login_required
@fragment(anchor="console-log")
def console_log(server_id: str) -> Response:
    """The console log's last lines, read again."""
    lines = int(current_app.config["CONSOLE_LOG_LINES"])
    try:
        console = access.connection().console_output(server_id, lines=lines)
    except NotFound:
        return htmx_redirect(url_for("servers.index"))
    return vary_on_htmx(
        render_template("servers/_console_log.html", server_id=server_id, console=console)
    )


@bp.get("/<server_id>/console")
@login_required
def console(server_id: str) -> Response:
    """The graphical console: off to the cloud's console page, or a page saying
    why there is none (the demo cloud's is simulated)."""
    server = access.load(server_id)
    try:
        remote = access.connection().remote_console(server.id)
    except Conflict as error:
        message = _(
            "The console is not available while the server is in this state: %(error)s",
            error=error.message,
        )
        return _console_page(server, message, status=409)
    except InvalidRequest as error:
        message = _(
            "This cloud offers no graphical console for this server (%(error)s).",
            error=error.message,
        )
        return _console_page(server, message, status=404)
    if remote.simulated:
        return _console_page(server, None, remote=remote)
    return redirect(remote.url, code=303)


def _console_page(server: Server, message: str | None, *, status: int = 200, **values) -> Response:
    body = render_template("servers/console.html", server=server, message=message, **values)
    return Response(body, status=status, mimetype="text/html")


def _image_of(server: Server, listed: Image | None, volumes) -> Image | None:
    """The server's image: listed, else asked for (a deleted or private one), else
    the image its boot volume was made from."""
    if listed is not None:
        return listed
    image_id = server.image_id or next((v.image_id for v in volumes if v.image_id), "")
    if not image_id:
        return None
    try:
        return access.connection().get_image(image_id)
    except NotFound:
        return None


def _server_groups(server: Server) -> list[str]:
    """The names of the server's groups (their ids when not listed)."""
    if not server.server_groups:
        return []
    names = {group.id: group.name for group in access.connection().list_server_groups()}
    return [names.get(group_id, group_id) for group_id in server.server_groups]
