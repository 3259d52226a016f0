"""The logged-in user, kept in the server-side session, and the login_required guard."""

from __future__ import annotations

import dataclasses
import functools
import secrets
from urllib.parse import urlsplit

from flask import g
from flask import redirect
from flask import request
from flask import session
from flask import url_for

from webapp.cloud.models import Identity
from webapp.cloud.models import Project
from webapp.htmx import htmx_redirect
from webapp.htmx import is_htmx
from webapp.state import LOGIN

SESSION_KEY = "identity"
#: whose login the session is, kept when the identity is forgotten (token expired)
USER_KEY = "user"
#: the single sign-on choice (its index in ``WEBSSO_CHOICES``) of a login made
#: through it; kept when the identity is forgotten, so it is taken again
WEBSSO_CHOICE = "websso_choice"


def remember(identity: Identity) -> None:
    """Keep ``identity`` (with its token state) in the server-side session.

    The first time, the session becomes a login (:data:`~webapp.state.LOGIN`, a
    random id its wizards are kept under), which lasts while the same user logs in
    again in this browser.
    """
    if session.get(USER_KEY) != identity.user_id:
        session[LOGIN] = secrets.token_urlsafe(16)
        session[USER_KEY] = identity.user_id
    session[SESSION_KEY] = dataclasses.asdict(identity)


def forget() -> None:
    """Drop the identity; the user's wizards stay for their next login."""
    session.pop(SESSION_KEY, None)


def load_identity() -> None:
    """Put the session's identity, if any, in ``g.identity`` (a before-request hook)."""
    data = session.get(SESSION_KEY)
    if data is None:
        g.identity = None
        return
    projects = tuple(Project(**p) for p in data["projects"])
    regions = tuple(data.get("regions", ()))
    g.identity = Identity(**{**data, "projects": projects, "regions": regions})


def login_url(next_url: str | None = None) -> str:
    """The login page, coming back to ``next_url`` (default: this page) after.

    With single sign-on, a user who logged in through it (or anyone, with
    ``WEBSSO_DIRECT``) is sent through the same choice again instead: the identity
    provider's own session usually makes that seamless.
    """
    target = next_url or _this_page()
    choice = _websso_choice()
    if choice is not None:
        return url_for("auth.websso_start", choice=choice, next=target)
    return url_for("auth.login", next=target)


def login_required(view):
    """Send anonymous users to the login page, and back here afterwards."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.identity is None:
            if is_htmx():
                return htmx_redirect(login_url())
            return redirect(login_url(), code=303)
        return view(*args, **kwargs)

    return wrapped


def _websso_choice() -> int | None:
    """The single sign-on choice a new login goes through, or None (the login page)."""
    # Imported here: the auth blueprint imports this module.
    from webapp.blueprints.auth.websso_settings import websso_settings

    settings = websso_settings()
    if settings is None:
        return None
    choice = session.get(WEBSSO_CHOICE)
    if isinstance(choice, int) and 0 <= choice < len(settings.choices):
        return choice
    return 0 if settings.direct else None


def safe_next(url: str | None) -> str:
    """``url`` if it stays on this site, else the start page."""
    if not url:
        return url_for("launch.index")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
        return url_for("launch.index")
    return url


def _this_page() -> str:
    # A POST's own URL is a GET page too in this app (the step it posted).
    if is_htmx() and request.headers.get("HX-Current-URL"):
        current = urlsplit(request.headers["HX-Current-URL"])
        return current.path + (f"?{current.query}" if current.query else "")
    return request.full_path.rstrip("?")
