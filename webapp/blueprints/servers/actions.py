"""What users do to their servers: every POST of the servers pages.

Each action is a CSRF-protected POST (Flask-WTF's global check). One that loses
work or the server (:data:`~webapp.cloud.lifecycle.DESTRUCTIVE`, and removing a
floating IP) is confirmed first: the POST without ``confirmed`` answers with a
confirmation, a panel for HTMX or a page otherwise, whose form posts again with
``confirmed=1``. An action Nova's state machine does not allow now is refused
(409) before any call to the cloud; Nova's own 409 (the state changed meanwhile)
is a 409 with its words. After an action HTMX gets the new buttons and a status
that polls again; a plain browser a 303 back to the server's page.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.wrappers import Response

from webapp import events
from webapp.blueprints.servers import access
from webapp.blueprints.servers import bp
from webapp.blueprints.servers import presenting
from webapp.cloud.base import CloudConnection
from webapp.cloud.errors import CloudError
from webapp.cloud.errors import Conflict
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import NotFound
from webapp.cloud.errors import QuotaExceeded
from webapp.cloud.lifecycle import ACTIONS
from webapp.cloud.lifecycle import DESTRUCTIVE
from webapp.cloud.lifecycle import allowed_actions
from webapp.cloud.models import Server
from webapp.errors import error_answer
from webapp.events import failure_outcome
from webapp.events import tell
from webapp.htmx import htmx_redirect
from webapp.htmx import is_htmx
from webapp.htmx import vary_on_htmx
from webapp.i18n import LazyString
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.identity import login_required

#: action -> (button label, what is flashed once it is asked for, the call); the
#: words are lazy (``str()`` them in a request), the flashed one a ``str.format``
#: template with ``{name}``, the server's name
PERFORM: dict[str, tuple[LazyString, LazyString, Callable[[CloudConnection, str], None]]] = {
    "start": (_l("Start"), _l("Starting {name}."), lambda c, i: c.start_server(i)),
    "stop": (_l("Stop"), _l("Stopping {name}."), lambda c, i: c.stop_server(i)),
    "reboot": (_l("Reboot"), _l("Rebooting {name}."), lambda c, i: c.reboot_server(i)),
    "hard-reboot": (
        _l("Hard reboot"),
        _l("Rebooting {name} (hard)."),
        lambda c, i: c.reboot_server(i, hard=True),
    ),
    "delete": (_l("Delete"), _l("Deleting {name}."), lambda c, i: c.delete_server(i)),
}

#: what each confirmation asks (``{name}``: the server's name)
QUESTIONS = {
    "start": _l("Start {name}?"),
    "stop": _l("Stop {name}?"),
    "reboot": _l("Reboot {name}?"),
    "hard-reboot": _l("Hard reboot {name}?"),
    "delete": _l("Delete {name}?"),
}

#: what each confirmation warns of
WARNINGS = {
    "stop": _l("Stopping powers the server off: unsaved work in it is lost."),
    "hard-reboot": _l("A hard reboot cuts the power: unsaved work in it is lost."),
    "delete": _l("Deleting cannot be undone; its disk goes too, unless it is a volume kept."),
}

#: the most servers one "Delete selected" takes
MAX_SELECTED = 50


@bp.post("/<server_id>/<action>")
@login_required
def act(server_id: str, action: str) -> Response:
    """Start, stop, reboot, hard-reboot or delete one server."""
    if action not in ACTIONS:
        abort(404)
    try:
        server = access.connection().get_server(server_id)
    except NotFound:
        tell_action(action, [server_id], "gone")
        if action != "delete":
            abort(404)
        flash(_("That server was already gone."), "info")
        return _leave(url_for("servers.index"))
    label, done, call = PERFORM[action]
    if action not in allowed_actions(server):
        words = presenting.status_of(server).words
        # Translators: %(action)s is an action's button (Start, Stop...),
        # %(status)s the server's status in words (Running, Stopped...).
        message = _l(
            "%(action)s is not possible now: %(name)s is %(status)s.",
            action=label,
            name=server.name,
            status=words,
        )
        tell_action(action, [server.id], "refused", message)
        return _refused(message)
    if action in DESTRUCTIVE and not _confirmed():
        return _confirm(server, action, str(label))
    try:
        call(access.connection(), server.id)
    except NotFound:
        tell_action(action, [server.id], "gone")
        flash(_("%(name)s was already gone.", name=server.name), "info")
        return _leave(url_for("servers.index"))
    except Conflict as error:
        tell_action(action, [server.id], "refused", error)
        return _refused(
            # Translators: %(error)s is what the cloud said.
            _(
                "%(name)s changed meanwhile, Nova says: %(error)s",
                name=server.name,
                error=error.message,
            )
        )
    except CloudError as error:
        tell_action(action, [server.id], failure_outcome(error), error)
        raise
    tell_action(action, [server.id], "success")
    flash(str(done).format(name=server.name), "success")
    if action == "delete":
        return _leave(url_for("servers.index"))
    return _followed(server.id)


@bp.post("/<server_id>/floating-ips")
@login_required
def add_floating_ip(server_id: str) -> Response:
    """Give the server a floating IP from the chosen pool."""
    server = access.load(server_id)
    pool_id = request.form.get("pool_id", "")
    try:
        found = access.connection().add_floating_ip(server.id, pool_id=pool_id)
    except QuotaExceeded as error:
        tell_action("add-floating-ip", [server.id], "refused", error)
        return error_answer(
            403, _("No floating IP left for the project: %(error)s", error=error.message)
        )
    except InvalidRequest as error:
        tell_action("add-floating-ip", [server.id], "refused", error)
        return _refused(
            _(
                "Could not give %(name)s a floating IP: %(error)s",
                name=server.name,
                error=error.message,
            )
        )
    except CloudError as error:
        tell_action("add-floating-ip", [server.id], failure_outcome(error), error)
        raise
    tell_action("add-floating-ip", [server.id], "success")
    flash(
        _(
            "%(name)s now has the floating IP %(address)s.",
            name=server.name,
            address=found.address,
        ),
        "success",
    )
    return _floating_ips_changed(server.id)


@bp.post("/<server_id>/floating-ips/<floating_ip_id>/remove")
@login_required
def remove_floating_ip(server_id: str, floating_ip_id: str) -> Response:
    """Take a floating IP off the server (the project keeps it), once confirmed."""
    server = access.load(server_id)
    if not _confirmed():
        address = request.form.get("address") or floating_ip_id
        url = url_for(
            "servers.remove_floating_ip", server_id=server.id, floating_ip_id=floating_ip_id
        )
        return _confirmation(
            server,
            question=_(
                "Remove the floating IP %(address)s from %(name)s?",
                address=address,
                name=server.name,
            ),
            warning=_("Connections to that address stop; the project keeps the address."),
            action_url=url,
            button=_("Remove"),
            target="#floating-ips",
            cancel_fragment=url_for("servers.floating_ips", server_id=server.id),
        )
    try:
        access.connection().remove_floating_ip(floating_ip_id)
    except NotFound:
        tell_action("remove-floating-ip", [server.id], "gone")
        flash(_("That floating IP was already gone."), "info")
    except InvalidRequest as error:
        tell_action("remove-floating-ip", [server.id], "refused", error)
        return _refused(_("Could not remove the floating IP: %(error)s", error=error.message))
    except CloudError as error:
        tell_action("remove-floating-ip", [server.id], failure_outcome(error), error)
        raise
    else:
        tell_action("remove-floating-ip", [server.id], "success")
        flash(_("The floating IP was removed from %(name)s.", name=server.name), "success")
    return _floating_ips_changed(server.id)


@bp.post("/delete")
@login_required
def delete_many() -> Response:
    """Delete the selected servers, once confirmed; one message per server."""
    ids = list(dict.fromkeys(request.form.getlist("selected")))[:MAX_SELECTED]
    if not ids:
        flash(_("Select the servers to delete first."), "info")
        return _leave(url_for("servers.index"))
    if not _confirmed():
        servers = [_found(server_id) for server_id in ids]
        values = {"servers": [s for s in servers if s is not None], "ids": ids}
        if is_htmx():
            return vary_on_htmx(render_template("servers/_confirm_many.html", **values))
        return vary_on_htmx(render_template("servers/confirm_many.html", **values))
    cloud = access.connection()
    for server_id in ids:
        name = request.form.get(f"name-{server_id}") or server_id
        try:
            cloud.delete_server(server_id)
        except NotFound:
            tell_action("delete", [server_id], "gone")
            flash(_("%(name)s was already gone.", name=name), "info")
        except CloudError as error:
            tell_action("delete", [server_id], failure_outcome(error), error)
            flash(_("%(name)s was not deleted: %(error)s", name=name, error=error.message), "error")
        else:
            tell_action("delete", [server_id], "success")
            flash(str(PERFORM["delete"][1]).format(name=name), "success")
    return _leave(url_for("servers.index"))


def tell_action(action: str, server_ids: list[str], outcome: str, error: object = None) -> None:
    """Tell :data:`webapp.events.server_action` how an action on servers went."""
    tell(
        events.server_action,
        identity=g.identity,
        action=action,
        server_ids=server_ids,
        outcome=outcome,
        error=error,
    )


def _confirmed() -> bool:
    return request.form.get("confirmed") == "1"


def _found(server_id: str) -> Server | None:
    try:
        return access.connection().get_server(server_id)
    except NotFound:
        return None


def _refused(message: str | LazyString) -> Response:
    """A 409 with the reason: the error page, or over HTMX the message."""
    return error_answer(409, message, title=_("Not possible now"))


def _leave(url: str) -> Response:
    """Go to another page (a whole page, for HTMX too)."""
    return htmx_redirect(url) if is_htmx() else redirect(url, code=303)


def _confirm(server: Server, action: str, label: str) -> Response:
    """Ask before a destructive action."""
    return _confirmation(
        server,
        question=str(QUESTIONS[action]).format(name=server.name),
        warning=str(WARNINGS.get(action, "")),
        action_url=url_for("servers.act", server_id=server.id, action=action),
        button=label,
        target="#server-actions",
        cancel_fragment=url_for("servers.actions", server_id=server.id),
    )


def _confirmation(server: Server, **values: str) -> Response:
    """The confirmation: a panel swapped in place of what was pressed (HTMX), or a
    page of its own; both post again with ``confirmed=1``, or cancel."""
    template = "servers/_confirm.html" if is_htmx() else "servers/confirm.html"
    return vary_on_htmx(render_template(template, server=server, **values))


def _followed(server_id: str) -> Response:
    """After an action: HTMX gets the new buttons, the status polling again from
    its fastest pace, and the messages; a plain browser goes back to the page."""
    if not is_htmx():
        return redirect(url_for("servers.detail", server_id=server_id), code=303)
    server = access.load(server_id)
    values = access.status_values(server, follow=True)
    return vary_on_htmx(render_template("servers/_after_action.html", **values))


def _floating_ips_changed(server_id: str) -> Response:
    """After a floating IP change: its section, and the status (its addresses)."""
    if not is_htmx():
        url = url_for("servers.detail", server_id=server_id, _anchor="floating-ips")
        return redirect(url, code=303)
    server = access.load(server_id)
    values = {**access.status_values(server, follow=True), **access.floating_ip_values(server)}
    return vary_on_htmx(render_template("servers/_floating_ips_changed.html", **values))
