"""Launch and stay: after a launch, a new wizard typed in the same way, at once.

``buttons.submit`` launches (the submit guard makes it once); then
:func:`open_next` says that the launch went, with a link to its server's page
(or to the list, for several), and opens the next wizard: the same input, the
name numbered on ("web" -> "web-2", :func:`~webapp.blueprints.launch.again.next_name`),
checked against the cloud's lists fetched now (whose quotas count the launch
just made), as "launch again like this" does.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash

from webapp.blueprints.launch.again import next_name
from webapp.blueprints.launch.pages import step_url
from webapp.blueprints.launch.profiles import flash_link
from webapp.blueprints.launch.reuse import chosen_names
from webapp.blueprints.launch.reuse import open_like
from webapp.cloud.errors import CloudError
from webapp.forms.launch import LaunchInstance
from webapp.i18n import gettext as _
from webapp.i18n import ngettext

__all__ = ["open_next"]


def open_next(
    launched: LaunchInstance, typed: Mapping[str, Mapping[str, list[str]]], url: str
) -> str | None:
    """Say that ``launched`` went (to ``url``) and open the next wizard like it,
    from what it had typed (``typed``); the new wizard's URL, or None when it
    could not be opened (then said, and the caller goes to ``url``)."""
    details = typed.get("details", {})
    name = next(iter(details.get("name", [])), "")
    count = len((launched.result or {}).get("server_ids") or []) or 1
    text = ngettext(
        'Requested the server "%(name)s".',
        'Requested %(num)d servers named "%(name)s".',
        count,
        name=name,
    )
    label = ngettext("Follow its build", "Follow their build", count)
    flash_link(text, url, label, "success")
    try:
        workflow = open_like(
            typed,
            name=next_name(name) if name else None,
            names=chosen_names(typed, launched.resources.catalog),
        )
    except CloudError as error:
        flash(_("A new launch like it could not be opened: %(error)s", error=error), "error")
        return None
    if workflow.errors:
        message = _('Not all of it can be launched again now: see the steps marked with "!".')
        flash(message, "error")
    else:
        flash(_("Here is a new launch like it, checked against the cloud as it is now."), "info")
    return step_url(workflow, workflow.entry_point())
