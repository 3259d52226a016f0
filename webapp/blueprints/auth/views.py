"""Views of the auth blueprint."""

from __future__ import annotations

import secrets

from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for

from webapp import events
from webapp.blueprints.auth import bp
from webapp.blueprints.auth.forms import LoginForm
from webapp.blueprints.auth.forms import ProjectForm
from webapp.blueprints.auth.regions import last_region
from webapp.cloud import get_provider
from webapp.cloud.errors import CloudError
from webapp.cloud.errors import CloudUnavailable
from webapp.events import tell
from webapp.i18n import gettext as _
from webapp.identity import USER_KEY
from webapp.identity import login_required
from webapp.identity import remember
from webapp.identity import safe_next
from webapp.state import begin_login
from webapp.state import end_login
from webapp.state import state


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Log in with the cloud's credentials; come back to where the user was."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        domain = form.domain.data or current_app.config["CLOUD_USER_DOMAIN"]
        try:
            identity = get_provider().login(
                str(form.username.data),
                str(form.password.data),
                domain,
                project_id=session.get("last_project_id"),
            )
        except CloudError as error:
            form.password.errors = [*form.password.errors, error.message]
            tell(
                events.login,
                user_name=str(form.username.data),
                identity=None,
                outcome=_failure(error),
                error=str(error),
            )
        else:
            if session.get(USER_KEY) not in (None, identity.user_id):
                # Another user: nothing of the previous one's wizards may stay.
                session.clear()
            # A new session id and a new CSRF token at login, against fixation.
            state().sessions.regenerate(session)
            # Made now, not by the first page after login: two tabs opening at
            # once would each make one, and one of them would then be refused.
            session["csrf_token"] = secrets.token_hex(20)
            identity = last_region(identity)
            remember(identity)
            begin_login()
            session["last_project_id"] = identity.project_id
            tell(events.login, user_name=identity.user_name, identity=identity, outcome="success")
            return redirect(safe_next(form.next.data), code=303)
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the cloud token and the session."""
    get_provider().logout(g.identity)
    tell(events.logout, identity=g.identity)
    end_login()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.post("/project")
@login_required
def switch_project():
    """Re-scope to another of the user's projects."""
    form = ProjectForm()
    if form.validate_on_submit():
        try:
            identity = get_provider().switch_project(g.identity, str(form.project_id.data))
        except CloudError as error:
            flash(_("Could not switch project: %(error)s", error=error), "error")
            outcome = _failure(error)
            tell(events.project_switched, identity=g.identity, outcome=outcome, error=str(error))
        else:
            remember(identity)
            session["last_project_id"] = identity.project_id
            tell(events.project_switched, identity=identity, outcome="success", error=None)
            flash(
                _("You are now working in project %(project)s.", project=identity.project_name),
                "info",
            )
    return redirect(safe_next(form.next.data), code=303)


def _failure(error: CloudError) -> str:
    """A failed login's or switch's outcome: "error" when the cloud did not
    answer, "refused" when it said no."""
    return "error" if isinstance(error, CloudUnavailable) else "refused"
