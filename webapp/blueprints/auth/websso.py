"""Single sign-on through Keystone's WebSSO: start, callback, done.

1. ``GET /auth/websso/start/<choice>?next=…`` sends the browser to Keystone's WebSSO
   URL for that choice, with ``origin=<PUBLIC_URL>/auth/websso/``; it remembers the
   choice and ``next`` in a cookie of their own.
2. Keystone (after the identity provider's login) answers the browser with a form
   that POSTs the unscoped token to ``POST /auth/websso/``, the callback: no CSRF
   token can come with it, so it is guarded by the headers browsers send (Origin,
   Sec-Fetch-*), and the token is checked with the configured Keystone at once.
3. ``GET /auth/websso/done`` makes the login: it lists the user's projects, scopes
   to the last used one and starts a fresh session, then goes on to ``next``.

Why two requests after Keystone's: its form posts from another site, and browsers
send SameSite=Lax cookies (the session's, ``next``'s) only with a top-level GET from
another site, not with a POST. On a real deployment the callback thus sees neither
the user's session (their wizards, their last project) nor ``next``. So it keeps
the checked token, sealed, in the state store for two minutes under a random
handle, whose cookie (HttpOnly, SameSite=Lax, path ``/auth/websso/``: a handle, not
the token) it sets with a 303 to ``done``; that GET comes with every cookie, takes
the token (once) and finishes the login in the user's own session, so an expired
login's wizards are found again.
"""

from __future__ import annotations

import logging
import secrets

from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from webapp import events
from webapp.blueprints.auth import bp
from webapp.blueprints.auth.logins import LAST_PROJECT
from webapp.blueprints.auth.logins import start_login
from webapp.blueprints.auth.websso_settings import EXTENSION
from webapp.blueprints.auth.websso_settings import WebSSOSettings
from webapp.blueprints.auth.websso_settings import websso_settings
from webapp.cloud import get_provider
from webapp.cloud.errors import CloudError
from webapp.cloud.errors import CloudUnavailable
from webapp.errors import error_answer
from webapp.events import failure_outcome
from webapp.events import tell
from webapp.extensions import csrf
from webapp.i18n import LazyString
from webapp.i18n import lazy_gettext as _l
from webapp.identity import safe_next
from webapp.request_ids import request_id
from webapp.state import state

LOG = logging.getLogger(__name__)

#: the cookie keeping "<choice>:<next>" from the start to the end of the trip
START_COOKIE = "skiff_websso_start"
#: seconds the trip through the identity provider may take (its login form included)
START_SECONDS = 3600
#: the cookie keeping the handle of the token the callback checked, for ``done``
HANDOFF_COOKIE = "skiff_websso_login"
#: seconds between the callback and ``done`` (one redirect: a few suffice)
HANDOFF_SECONDS = 120

FOREIGN = _l(
    "This sign-in did not come from your cloud's single sign-on page, so it was "
    "refused. Sign in again from the log-in page."
)
NOT_STARTED = _l(
    "This sign-in was not started from this portal in this browser, so it was "
    "refused. Sign in from the log-in page."
)
INCOMPLETE = _l(
    "The sign-in could not be completed: it took too long, or this browser refused "
    "the portal's cookies. Sign in again."
)


@bp.record_once
def read_websso_settings(setup: BlueprintSetupState) -> None:
    """Read and check the single sign-on settings once, when the app is built."""
    setup.app.extensions[EXTENSION] = WebSSOSettings.from_config(setup.app.config)


@bp.get("/websso/start/<int:choice>")
def websso_start(choice: int) -> ResponseReturnValue:
    """Send the browser to Keystone's WebSSO URL for this choice."""
    settings = _settings()
    if choice >= len(settings.choices):
        abort(404)
    callback = settings.public_url + url_for("auth.websso_callback")
    response = redirect(settings.start_url(settings.choices[choice], callback), code=303)
    trip = f"{choice}:{safe_next(request.args.get('next'))}"
    _set_cookie(response, START_COOKIE, trip, START_SECONDS)
    return response


@csrf.exempt  # Keystone's page posts it from another site: it cannot carry our token
@bp.post("/websso/")
def websso_callback() -> ResponseReturnValue:
    """Take the unscoped token Keystone's page posts, if the request is the
    browser's navigation from that page and Keystone accepts the token."""
    settings = _settings()
    refused = _not_a_navigation_from_keystone(settings)
    if refused:
        return error_answer(403, FOREIGN, detail=f"WebSSO callback refused: {refused}")
    token = request.form.get("token", "")
    try:
        get_provider().websso_check(token)
    except CloudError as error:
        return _failed(error)
    handle = secrets.token_urlsafe(32)
    kept = state()
    kept.store.put(_handoff_key(handle), kept.sealer.seal(token.encode()), ttl=HANDOFF_SECONDS)
    response = redirect(url_for("auth.websso_done"), code=303)
    _set_cookie(response, HANDOFF_COOKIE, handle, HANDOFF_SECONDS)
    return response


@bp.get("/websso/done")
def websso_done() -> ResponseReturnValue:
    """Log in with the token the callback checked, then go on to ``next``."""
    settings = _settings()
    token = _take_token()
    if START_COOKIE not in request.cookies:
        # Login CSRF: a page elsewhere could post its own user's valid token here
        # (Origin "null" must be let through) and log this browser in as that user.
        # Only a trip this browser started, through the start route, may end here.
        return _failed(None, status=400, message=NOT_STARTED)
    if token is None:
        return _failed(None, status=400, message=INCOMPLETE)
    choice, next_url = _trip(settings)
    try:
        identity = get_provider().websso_login(token, project_id=session.get(LAST_PROJECT))
    except CloudError as error:
        return _failed(error)
    start_login(identity, websso_choice=choice)
    response = redirect(next_url, code=303)
    _drop_cookie(response, START_COOKIE)
    _drop_cookie(response, HANDOFF_COOKIE)
    return response


def _settings() -> WebSSOSettings:
    settings = websso_settings()
    if settings is None:
        abort(404)
    return settings


def _not_a_navigation_from_keystone(settings: WebSSOSettings) -> str | None:
    """Why the callback request is not a top-level navigation from Keystone's
    page (for the log), or None. Headers a browser did not send are not held
    against it: only what they say."""
    origin = request.headers.get("Origin")
    if origin is not None and not settings.accepts_origin(origin):
        return f"Origin {origin[:200]!r} is not Keystone's"
    mode = request.headers.get("Sec-Fetch-Mode")
    if mode is not None and mode != "navigate":
        return f"Sec-Fetch-Mode {mode[:50]!r}"
    dest = request.headers.get("Sec-Fetch-Dest")
    if dest is not None and dest != "document":
        return f"Sec-Fetch-Dest {dest[:50]!r}"
    return None


def _trip(settings: WebSSOSettings) -> tuple[int, str]:
    """The choice and ``next`` the start remembered (the first choice and the
    launch wizard when its cookie does not say them)."""
    choice_text, _sep, next_url = request.cookies.get(START_COOKIE, "").partition(":")
    choice = int(choice_text) if choice_text.isdigit() else 0
    if choice >= len(settings.choices):
        choice = 0
    return choice, safe_next(next_url)


def _take_token() -> str | None:
    """The token the callback kept for this browser, taken once; None if none."""
    handle = request.cookies.get(HANDOFF_COOKIE)
    if not handle:
        return None
    kept = state()
    key = _handoff_key(handle)
    sealed = kept.store.get(key)
    if sealed is None:
        return None
    kept.store.delete(key)
    plain = kept.sealer.unseal(sealed)
    return plain.decode() if plain is not None else None


def _handoff_key(handle: str) -> str:
    return f"websso:{handle}"


def _failed(
    error: CloudError | None,
    *,
    status: int = 401,
    message: str | LazyString | None = None,
) -> Response:
    """A sign-in that did not work: audited, logged, and a page saying so; nothing
    is logged in. A cloud that did not answer is the usual 503 page."""
    if error is not None:
        tell(events.login, user_name="", identity=None, outcome=failure_outcome(error), error=error)
        if isinstance(error, CloudUnavailable):
            raise error
        message = error.message
    reference = request_id()
    LOG.info("Single sign-on refused (reference %s): %s", reference, message)
    page = render_template("auth/websso_error.html", message=str(message), reference=reference)
    response = current_app.make_response((page, status))
    _drop_cookie(response, HANDOFF_COOKIE)
    return response


def _cookie_path() -> str:
    return url_for("auth.websso_callback")


def _set_cookie(response: Response, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path=_cookie_path(),
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )


def _drop_cookie(response: Response, name: str) -> None:
    if name in request.cookies:
        response.delete_cookie(
            name,
            path=_cookie_path(),
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
            httponly=True,
            samesite="Lax",
        )
