"""Switching region: the header's region switcher posts here.

The chosen region is part of the identity in the server-side session, so every
cloud call of the login goes to that region's endpoints. The wizards opened in
another region are not continued (their lists and their launch are that
region's), exactly as after a project switch.
"""

from __future__ import annotations

from flask import flash
from flask import g
from flask import redirect
from flask import session
from flask.typing import ResponseReturnValue

from webapp import events
from webapp.blueprints.auth import bp
from webapp.blueprints.auth.forms import RegionForm
from webapp.cloud import get_provider
from webapp.cloud.errors import CloudError
from webapp.cloud.models import Identity
from webapp.events import tell
from webapp.htmx import htmx_redirect
from webapp.htmx import is_htmx
from webapp.i18n import gettext as _
from webapp.identity import login_required
from webapp.identity import remember
from webapp.identity import safe_next

#: the session field keeping the last region chosen, for the next login
LAST_REGION = "last_region"


@bp.post("/region")
@login_required
def switch_region() -> ResponseReturnValue:
    """Send the login's cloud calls to another region of its catalog; a region it
    does not have is refused with a message, and nothing changes."""
    form = RegionForm()
    if form.validate_on_submit():
        try:
            identity = get_provider().switch_region(g.identity, str(form.region.data))
        except CloudError as error:
            flash(_("Could not switch region: %(error)s", error=error), "error")
            tell(events.project_switched, identity=g.identity, outcome="refused", error=error)
        else:
            if identity != g.identity:
                remember(identity)
                session[LAST_REGION] = identity.region
            tell(events.project_switched, identity=identity, outcome="success", error=None)
            flash(_("You are now working in region %(region)s.", region=identity.region), "info")
    target = safe_next(form.next.data)
    if is_htmx():
        return htmx_redirect(target)
    return redirect(target, code=303)


def last_region(identity: Identity) -> Identity:
    """``identity`` in the region this browser chose last, when its catalog has it
    (a login starts in the configured region otherwise)."""
    region = session.get(LAST_REGION)
    if not region or region == identity.region or region not in identity.regions:
        return identity
    return get_provider().switch_region(identity, region)
