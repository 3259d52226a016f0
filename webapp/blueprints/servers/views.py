"""Views of the servers blueprint."""

from __future__ import annotations

from flask import abort
from flask import g
from flask import render_template
from flask import request

from webapp.blueprints.servers import bp
from webapp.cloud import get_connection
from webapp.cloud.errors import NotFound
from webapp.cloud.faults import explain_fault
from webapp.htmx import is_htmx
from webapp.htmx import vary_on_htmx
from webapp.identity import login_required


@bp.get("/")
@login_required
def index():
    """The project's servers; ``?ids=a,b`` narrows the list to one launch."""
    servers = get_connection(g.identity).list_servers()
    wanted = [i for i in request.args.get("ids", "").split(",") if i]
    if wanted:
        servers = [s for s in servers if s.id in wanted]
    building = any(not s.is_final for s in servers)
    template = "servers/_table.html" if is_htmx() else "servers/index.html"
    return vary_on_htmx(
        render_template(template, servers=servers, building=building, explain=explain_fault)
    )


@bp.get("/<server_id>")
@login_required
def detail(server_id):
    """One server; the page polls its status over HTMX until the build is over."""
    try:
        server = get_connection(g.identity).get_server(server_id)
    except NotFound:
        abort(404)
    template = "servers/_status.html" if is_htmx() else "servers/detail.html"
    return vary_on_htmx(render_template(template, server=server, explain=explain_fault))
