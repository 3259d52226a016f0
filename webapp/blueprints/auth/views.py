"""Views of the auth blueprint."""

from __future__ import annotations

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
from webapp.blueprints.auth.logins import LAST_PROJECT
from webapp.blueprints.auth.logins import start_login
from webapp.blueprints.auth.websso_settings import websso_settings
from webapp.cloud import get_provider
from webapp.cloud.errors import CloudError
from webapp.events import failure_outcome
from webapp.events import tell
from webapp.htmx import htmx_redirect
from webapp.htmx import is_htmx
from webapp.i18n import gettext as _
from webapp.identity import WEBSSO_CHOICE
from webapp.identity import login_required
from webapp.identity import remember
from webapp.identity import safe_next
from webapp.state import end_login


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Log in with the cloud's credentials, or through single sign-on; come back
    to where the user was."""
    form = LoginForm(next=request.args.get("next", ""))
    sso = websso_settings()
    if sso and sso.direct and request.method == "GET" and not session.get("_flashes"):
        # Straight to the only choice, unless a message (a logout's) is to be read.
        return redirect(url_for("auth.websso_start", choice=0, next=form.next.data or None))
    password = sso is None or current_app.config["LOGIN_PASSWORD_FORM"]
    if password and form.validate_on_submit():
        domain = form.domain.data or current_app.config["CLOUD_USER_DOMAIN"]
        try:
            identity = get_provider().login(
                str(form.username.data),
                str(form.password.data),
                domain,
                project_id=session.get(LAST_PROJECT),
            )
        except CloudError as error:
            form.password.errors = [*form.password.errors, error.message]
            tell(
                events.login,
                user_name=str(form.username.data),
                identity=None,
                outcome=failure_outcome(error),
                error=error,
            )
        else:
            start_login(identity)
            return redirect(safe_next(form.next.data), code=303)
    return render_template(
        "auth/login.html",
        form=form,
        password_form=password,
        websso_choices=sso.choices if sso else (),
    )


@bp.post("/logout")
@login_required
def logout():
    """End the cloud tokens and the session; after a single sign-on login, go on
    to the identity provider's logout page when one is configured."""
    sso = websso_settings()
    through_idp = session.get(WEBSSO_CHOICE) is not None
    get_provider().logout(g.identity)
    tell(events.logout, identity=g.identity)
    end_login()
    flash(_("You have logged out."), "info")
    if through_idp and sso and sso.idp_logout_url:
        # Another site: htmx must leave the page rather than fetch it.
        target = sso.idp_logout_url
        return htmx_redirect(target) if is_htmx() else redirect(target, code=303)
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
            outcome = failure_outcome(error)
            tell(events.project_switched, identity=g.identity, outcome=outcome, error=error)
        else:
            remember(identity)
            session[LAST_PROJECT] = identity.project_id
            tell(events.project_switched, identity=identity, outcome="success", error=None)
            flash(
                _("You are now working in project %(project)s.", project=identity.project_name),
                "info",
            )
    return redirect(safe_next(form.next.data), code=303)
