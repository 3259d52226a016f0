"""What the user sees when something fails: expired forms, logins, cloud trouble."""

from __future__ import annotations

from flask import Flask
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response as BaseResponse

from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.errors import Unauthorized
from webapp.htmx import htmx_redirect
from webapp.htmx import is_htmx
from webapp.htmx import retarget
from webapp.identity import forget
from webapp.identity import login_url
from webapp.state import StoreUnavailable
from webapp.workflow import WizardConflict


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, csrf_failed)
    app.register_error_handler(Unauthorized, login_expired)
    app.register_error_handler(CloudUnavailable, cloud_unavailable)
    app.register_error_handler(StoreUnavailable, store_unavailable)
    app.register_error_handler(WizardConflict, wizard_conflict)
    app.register_error_handler(404, not_found)


def csrf_failed(error: CSRFError):
    """A form without a valid CSRF token: refused, with a way forward."""
    message = "This form has expired or did not come from this site. Reload the page and try again."
    if is_htmx():
        # htmx does not swap a 4xx; show the message where messages go instead.
        return _message_fragment(message)
    return render_template("error.html", title="Form expired", message=message), 400


def login_expired(error: Unauthorized):
    """The cloud no longer accepts the user's token: log in again, then come back."""
    forget()
    flash("Your login has expired. Log in again; your launch form is kept.", "info")
    url = login_url()
    return htmx_redirect(url) if is_htmx() else redirect(url, code=303)


def cloud_unavailable(error: CloudUnavailable):
    """The cloud did not answer: say so, keep everything, offer a retry."""
    message = f"{error} Nothing you entered is lost: try again in a moment."
    if is_htmx():
        return _message_fragment(message)
    return render_template("error.html", title="The cloud did not answer", message=message), 503


def store_unavailable(error: StoreUnavailable) -> ResponseReturnValue:
    """The session store (Redis, or the instance folder's SQLite file) is down."""
    message = (
        "The portal's session store is not answering; what you typed is kept. "
        "Try again in a moment."
    )
    if is_htmx():
        # A 503 that htmx swaps (see htmx-config in base.html), into the messages.
        response = _message_fragment(message)
        response.status_code = 503
        return response
    return render_template("error.html", title="Try again in a moment", message=message), 503


def wizard_conflict(error: WizardConflict) -> ResponseReturnValue:
    """The same wizard kept being saved from elsewhere (another tab) meanwhile."""
    message = (
        "This launch form was changed in another tab at the same moment and could not "
        "be saved. Reload the page to see the latest version."
    )
    if is_htmx():
        return _message_fragment(message)
    return render_template("error.html", title="Changed elsewhere", message=message), 409


def not_found(error):
    """An unknown page or server."""
    return render_template("error.html", title="Not found", message="There is nothing here."), 404


def _message_fragment(message: str) -> BaseResponse:
    """``message`` swapped into the page's messages area, whatever htmx targeted."""
    html = render_template("_messages.html", messages=[("error", message)])
    return retarget(make_response(html), "#messages")
