"""A server's expiry on the servers pages: the time left (in the list and on its
page) and "Extend", ``POST /servers/<id>/extend``.

An extension is a lease from now, at most the operator's maximum, never sooner
than the server expires already; "never" where the operator allows it. It
changes ``skiff:expires_at`` (or, for never, removes both expiry items) through
the user's connection. A plain browser goes back where it came from (``next``);
htmx gets the list's cell or the page's section again, with the messages.

The list's controls sit inside its "Delete selected" form, so they carry the
server's id in their names (``expiry_amount-<id>``) and post with ``formaction``.
"""

from __future__ import annotations

import dataclasses

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response

from webapp.blueprints.servers import access
from webapp.blueprints.servers import bp
from webapp.blueprints.servers.actions import tell_action
from webapp.cloud.errors import CloudError
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import NotFound
from webapp.cloud.models import Server
from webapp.errors import error_answer
from webapp.events import failure_outcome
from webapp.expiry.lease import EXPIRES_AT
from webapp.expiry.lease import EXPIRY_ACTION
from webapp.expiry.lease import UNITS
from webapp.expiry.lease import InvalidExpiry
from webapp.expiry.lease import Lease
from webapp.expiry.lease import iso
from webapp.expiry.lease import read_expiry
from webapp.expiry.policy import ExpiryPolicy
from webapp.expiry.policy import Refusal
from webapp.expiry.words import UNIT_CHOICES
from webapp.expiry.words import ExpiryView
from webapp.expiry.words import describe
from webapp.expiry.words import lease_words
from webapp.expiry.words import refusal_words
from webapp.htmx import htmx_redirect
from webapp.htmx import is_htmx
from webapp.htmx import vary_on_htmx
from webapp.i18n import LazyString
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.identity import login_required
from webapp.identity import safe_next


@bp.record_once
def _read_policy(state: BlueprintSetupState) -> None:
    state.app.extensions["skiff.expiry"] = ExpiryPolicy.from_config(state.app.config)


def policy() -> ExpiryPolicy:
    """The operator's rules for leases."""
    found: ExpiryPolicy = current_app.extensions["skiff.expiry"]
    return found


def expiry_of(server: Server) -> ExpiryView | None:
    """The server's expiry as the pages show it, now; None when it never expires."""
    return describe(server.metadata, server.status, access.now())


@bp.context_processor
def _expiry_context() -> dict[str, object]:
    """What the expiry cells and sections need, in every servers template."""
    rules = policy()
    return {
        "expiry_of": expiry_of,
        "expiry_allow_never": rules.allow_never,
        "expiry_most": lease_words(rules.longest),
        # (value, words in the language of this request)
        "expiry_units": [(value, str(words)) for value, words in UNIT_CHOICES],
    }


@bp.post("/<server_id>/extend")
@login_required
def extend(server_id: str) -> Response:
    """Move the server's expiry to a lease from now (or remove it: never)."""
    server = access.load(server_id)
    try:
        current = read_expiry(server.metadata)
    except InvalidExpiry:
        current = None
    if current is None:
        message = _l("%(name)s does not expire.", name=server.name)
        tell_action("extend", [server.id], "refused", message)
        return error_answer(409, message)
    in_list = request.form.get("where") == "list"
    suffix = f"-{server.id}" if in_list else ""
    never = request.form.get("expires") == "never"
    lease = None if never else _posted_lease(suffix)
    now = access.now()
    rules = policy()
    refusal = Refusal.TOO_SHORT if not never and lease is None else None
    refusal = refusal or rules.check_extension(lease, now=now, expires_at=current.expires_at)
    if refusal is not None:
        tell_action("extend", [server.id], "refused", LazyString(refusal_words, rules, refusal))
        return error_answer(422, refusal_words(rules, refusal), title=_("Not extended"))
    if lease is None:
        items: dict[str, str | None] = {EXPIRES_AT: None, EXPIRY_ACTION: None}
        message = _("%(name)s no longer expires.", name=server.name)
    else:
        items = {EXPIRES_AT: iso(lease.ends(now))}
        # Translators: %(lease)s is a duration, e.g. "8 hours".
        message = _(
            "%(name)s now expires %(lease)s from now.", name=server.name, lease=lease_words(lease)
        )
    try:
        access.connection().set_server_metadata(server.id, items)
    except NotFound:
        tell_action("extend", [server.id], "gone")
        flash(_("%(name)s was already gone.", name=server.name), "info")
        url = url_for("servers.index")
        return htmx_redirect(url) if is_htmx() else redirect(url, code=303)
    except InvalidRequest as error:  # Nova's 409 in a state that forbids it, too
        tell_action("extend", [server.id], "refused", error)
        return error_answer(
            409,
            # Translators: %(error)s is what the cloud said.
            _(
                "%(name)s was not extended, Nova says: %(error)s",
                name=server.name,
                error=error.message,
            ),
            title=_("Not extended"),
        )
    except CloudError as error:
        tell_action("extend", [server.id], failure_outcome(error), error)
        raise
    tell_action("extend", [server.id], "success")
    flash(message, "success")
    if not is_htmx():
        back = request.form.get("next") or url_for("servers.detail", server_id=server.id)
        return redirect(safe_next(back), code=303)
    metadata = {k: v for k, v in {**server.metadata, **items}.items() if v is not None}
    changed = dataclasses.replace(server, metadata=metadata)
    template = "servers/_expiry_cell_changed.html" if in_list else "servers/_expiry_changed.html"
    return vary_on_htmx(render_template(template, server=changed))


def _posted_lease(suffix: str) -> Lease | None:
    """The posted lease (``expiry_amount``, ``expiry_unit``, with the list's
    suffix); None without a whole number and a unit."""
    unit = request.form.get(f"expiry_unit{suffix}", "hours")
    try:
        amount = int(request.form.get(f"expiry_amount{suffix}", "").strip())
    except ValueError:
        return None
    return Lease(amount, unit) if unit in UNITS else None
