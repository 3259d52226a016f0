"""Rate limits on logins and launches, so that guessing passwords or launching in a
loop is slowed down before it reaches the cloud (Flask-Limiter).

Three limits, read from the settings (see :mod:`webapp.config`):

- ``LOGIN_LIMIT_PER_ADDRESS``: login POSTs per client address;
- ``LOGIN_LIMIT_PER_USER``: login POSTs per user name, as typed, lower-cased;
- ``LAUNCH_LIMIT``: final submits of the launch wizard (``nav=launch`` or
  ``launch_stay``) per user.

They are checked before the view, after the CSRF check, on those POSTs only:
showing the login form, a wizard's other buttons and every other page are never
counted. Wrong and right passwords count alike. The window moves: an attempt stops
counting exactly one window after it was made.

Counts are kept in Redis with ``REDIS_URL`` (keys under ``skiff-limits:``, apart
from the state's ``skiff:``), shared by every worker and host; else in each worker
process's memory. The client address is ``request.remote_addr``: the connection's,
or, behind ``PROXIES`` proxies, the one they put in ``X-Forwarded-For``
(:mod:`webapp.proxy`).

A limit hit is a :class:`~flask_limiter.RateLimitExceeded` (429) whose description
says what was limited and how long to wait; :mod:`webapp.errors` shows it like any
HTTP error (the error page, or for htmx a message in ``#messages``), and the answer
gets a ``Retry-After`` header here.

Each app gets its own :class:`~flask_limiter.Limiter` (``app.extensions["skiff.limits"]``)
rather than one from :mod:`webapp.extensions`: Flask-Limiter keeps its storage and
its on/off switch on the Limiter, so one bound to several apps in one process (as
the tests build them) would count them all in the last app's storage.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request
from flask import session
from flask_limiter import ApplicationLimit
from flask_limiter import Limiter
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from limits import RateLimitItem
from limits import parse_many

from webapp import events
from webapp.events import tell
from webapp.i18n import LazyString
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.i18n import ngettext
from webapp.identity import USER_KEY

__all__ = ["exempt_blueprint", "init_limits", "limiter"]

#: where the app's Limiter is kept
EXTENSION = "skiff.limits"
#: the prefix of the counters' keys in Redis
KEY_PREFIX = "skiff-limits"
#: the only requests that are ever counted: POSTs to these endpoints
LIMITED = frozenset({"auth.login", "launch.submit"})
#: longest user name counted on its own (the login form refuses longer ones)
USERNAME_MAX = 255


def init_limits(app: Flask) -> None:
    """Bind the limits to ``app`` (unless ``RATE_LIMITS_ENABLED`` is off)."""
    if not app.config["RATE_LIMITS_ENABLED"]:
        return
    url = app.config["REDIS_URL"]
    options: dict[str, Any] = {}
    if url:
        from webapp.state.redis_store import TIMEOUT  # needs 'skiff[redis]'

        # limits' scheme for redis-py's unix://
        url = f"redis+{url}" if url.startswith("unix://") else url
        options = {
            "key_prefix": KEY_PREFIX,
            "socket_timeout": TIMEOUT,
            "socket_connect_timeout": TIMEOUT,
        }
    rules = [
        _rule(
            app.config["LOGIN_LIMIT_PER_ADDRESS"],
            scope="login-address",
            key=get_remote_address,
            applies=_is_login,
        ),
        _rule(
            app.config["LOGIN_LIMIT_PER_USER"],
            scope="login-user",
            key=_username,
            applies=lambda: _is_login() and bool(_username()),
        ),
        _rule(
            app.config["LAUNCH_LIMIT"],
            scope="launch",
            key=lambda: str(session.get(USER_KEY) or ""),
            applies=_is_final_submit,
        ),
    ]
    extension = Limiter(
        get_remote_address,
        application_limits=[rule for rule in rules if rule is not None],
        strategy="moving-window",
        storage_uri=url or "memory://",
        storage_options=options,
        fail_on_first_breach=True,
    )
    extension.request_filter(_never_limited)
    extension.init_app(app)
    app.extensions[EXTENSION] = extension
    app.after_request(_retry_after)


def limiter() -> Limiter:
    """The app's Limiter (only there when ``RATE_LIMITS_ENABLED`` is on)."""
    found: Limiter = current_app.extensions[EXTENSION]
    return found


def exempt_blueprint(app: Flask, blueprint: Blueprint) -> None:
    """Never count ``blueprint``'s requests, whatever limits come later (probes:
    a load balancer polling ``/readyz`` must not be throttled)."""
    extension = app.extensions.get(EXTENSION)
    if extension is not None:
        extension.exempt(blueprint)


def _rule(
    value: str,
    *,
    scope: str,
    key: Callable[[], str],
    applies: Callable[[], bool],
) -> ApplicationLimit | None:
    """One setting's limits (None when it is empty), keyed by ``key`` under ``scope``,
    counting the requests ``applies`` picks; :data:`_SAID` of ``scope`` says what
    was limited (in the language of the request that hit the limit)."""
    text = _SAID[scope]
    if not value:
        return None
    parse_many(value)  # a typo in a setting stops the app here, not every request
    return ApplicationLimit(
        value,
        scope=scope,
        key_function=key,
        exempt_when=lambda: not applies(),
        error_message=functools.partial(_message, text),
    )


#: what a hit of each scope's limit says
_SAID: dict[str, LazyString] = {
    "login-address": _l("Too many login attempts from your address."),
    "login-user": _l("Too many login attempts for this user name."),
    # Translators: {limit} is a rate such as "2 per hour" or "5 per 10 minutes".
    "launch": _l("Too many launches: at most {limit} for each user."),
}


def _never_limited() -> bool:
    """A request filter: True for every request but a login POST and a launch.

    Decided here, cheaply, so that a step swap (a POST of the launch blueprint with
    another button) costs the limiter nothing.
    """
    if request.method != "POST" or request.endpoint not in LIMITED:
        return True
    return request.endpoint == "launch.submit" and not _is_final_submit()


def _is_login() -> bool:
    return request.endpoint == "auth.login"


def _username() -> str:
    return request.form.get("username", "")[:USERNAME_MAX].lower()


def _is_final_submit() -> bool:
    """A launch step posted with Launch (or Launch and stay), by a logged-in user."""
    button = request.form.get("nav", "").partition(":")[0]
    launches = button in ("launch", "launch_stay")
    return request.endpoint == "launch.submit" and launches and USER_KEY in session


def _message(text: LazyString) -> str:
    """``text`` about the limit this request hit, and how long to wait."""
    hit = _hit()
    limit = _in_words(hit.limit) if hit else ""
    # Translators: %(reason)s says what was limited (a sentence), %(wait)s a
    # time span such as "42 seconds" or "5 minutes".
    return _(
        "%(reason)s Try again in %(wait)s.",
        reason=str(text).format(limit=limit),
        wait=_duration(_wait_seconds()),
    )


def _retry_after(response: Response) -> Response:
    """An after-request hook: a 429 of a limit hit says when to come back, in
    seconds; a login refused so is told to the audit (its outcome "limited")."""
    hit = _hit() if response.status_code == 429 else None
    if hit is not None:
        response.headers["Retry-After"] = str(_wait_seconds())
        if _is_login():
            scope = str(hit.request_args[-1]) if hit.request_args else ""
            tell(
                events.login,
                user_name=request.form.get("username", ""),
                identity=None,
                outcome="limited",
                error=LazyString(_message, _SAID.get(scope, _SAID["login-address"])),
            )
    return response


def _hit() -> RequestLimit | None:
    """The limit this request hit, if any."""
    current = limiter().current_limit
    return current if current is not None and current.breached else None


def _wait_seconds() -> int:
    """Seconds until the limit this request hit lets one more in (at least 1); the
    same for the message and the header however long the request takes."""
    if "rate_limit_wait" not in g:
        hit = _hit()
        reset = hit.window.reset_time if hit else time.time()
        g.rate_limit_wait = max(1, math.ceil(reset - time.time()))
    wait: int = g.rate_limit_wait
    return wait


#: a limit's unit -> its rate in words for one unit ("10 per minute"), and for
#: several units ("2 per 10 minutes")
_RATES: dict[str, tuple[LazyString, Callable[[int, int], str]]] = {
    "second": (
        _l("%(amount)d per second"),
        lambda amount, n: ngettext(
            "%(amount)d per %(num)d second", "%(amount)d per %(num)d seconds", n, amount=amount
        ),
    ),
    "minute": (
        _l("%(amount)d per minute"),
        lambda amount, n: ngettext(
            "%(amount)d per %(num)d minute", "%(amount)d per %(num)d minutes", n, amount=amount
        ),
    ),
    "hour": (
        _l("%(amount)d per hour"),
        lambda amount, n: ngettext(
            "%(amount)d per %(num)d hour", "%(amount)d per %(num)d hours", n, amount=amount
        ),
    ),
    "day": (
        _l("%(amount)d per day"),
        lambda amount, n: ngettext(
            "%(amount)d per %(num)d day", "%(amount)d per %(num)d days", n, amount=amount
        ),
    ),
    "month": (
        _l("%(amount)d per month"),
        lambda amount, n: ngettext(
            "%(amount)d per %(num)d month", "%(amount)d per %(num)d months", n, amount=amount
        ),
    ),
    "year": (
        _l("%(amount)d per year"),
        lambda amount, n: ngettext(
            "%(amount)d per %(num)d year", "%(amount)d per %(num)d years", n, amount=amount
        ),
    ),
}


def _in_words(item: RateLimitItem) -> str:
    """``10 per minute``, ``2 per 10 minutes``."""
    unit = item.GRANULARITY.name
    if unit in _RATES:
        one, several = _RATES[unit]
        if item.multiples == 1:
            return str(one) % {"amount": item.amount}
        return several(item.amount, item.multiples)
    per = unit if item.multiples == 1 else f"{item.multiples} {unit}s"
    return f"{item.amount} per {per}"


def _duration(seconds: int) -> str:
    """``42 seconds``, ``5 minutes``, ``3 hours``: rounded up, in the largest unit
    that still reads precisely enough."""
    if seconds >= 2 * 3600:
        count = math.ceil(seconds / 3600)
        return ngettext("%(num)d hour", "%(num)d hours", count)
    if seconds >= 2 * 60:
        count = math.ceil(seconds / 60)
        return ngettext("%(num)d minute", "%(num)d minutes", count)
    return ngettext("%(num)d second", "%(num)d seconds", seconds)
