"""What happened, told to whoever listens: the audit log and the metrics.

Blinker signals (Flask's own mechanism), sent by the views once the outcome is
known, with the app as sender (:func:`tell`). Listeners must not raise, must take
``**extra`` (a payload may grow) and must never be handed a token, a password, a
private key or user data: the payloads below hold none. ``identity`` is a
:class:`~webapp.cloud.models.Identity` (its ``auth_state`` is the token: a
listener reads only its names and ids); ``error`` is what was said, or None: the
cloud's error itself (its message and request id), a lazy string, or text; a
listener renders it in the language it needs (``i18n.operator_text``).

``login`` (``user_name`` as typed, ``identity`` or None, ``outcome``:
"success" | "refused" (wrong credentials) | "limited" (too many attempts: not
tried) | "error" (the cloud did not answer), ``error``), ``logout``
(``identity``), ``project_switched`` (``identity``: the new one, or the old one
when it failed, ``outcome``: "success" | "refused" | "error", ``error``),
``launch`` (``identity``, ``outcome``: "launched" |
"invalid" (a step refused it) | "refused" (the cloud did) | "error" (the cloud
did not answer, or an exception), ``server_ids``, ``details``: ``name``,
``count``, ``flavor`` (its id), ``source_type`` and ``source_id``, ``networks``
(network or port ids, or "auto"/"none"), and ``seconds`` the submit took,
``error``), ``server_action`` (``identity``, ``action``: "start" | "stop" |
"reboot" | "hard-reboot" | "delete" | "extend" | "add-floating-ip" |
"remove-floating-ip", ``server_ids``, ``outcome``: "success" | "refused" (not
possible now, or the cloud refused) | "gone" (the server or address was already
gone) | "error", ``error``).
"""

from __future__ import annotations

from typing import Any

from blinker import NamedSignal
from blinker import Namespace
from flask import current_app

from webapp.cloud.errors import CloudError
from webapp.cloud.errors import CloudUnavailable

__all__ = [
    "failure_outcome",
    "launch",
    "login",
    "logout",
    "project_switched",
    "server_action",
    "tell",
]

_signals = Namespace()

#: a login was tried
login = _signals.signal("skiff.login")
#: a user logged out
logout = _signals.signal("skiff.logout")
#: a user changed project (or region)
project_switched = _signals.signal("skiff.project-switched")
#: a launch wizard's final submit finished, one way or another
launch = _signals.signal("skiff.launch")
#: an action on one or more servers (stop, start, reboot, delete, extend...) finished
server_action = _signals.signal("skiff.server-action")


def tell(signal: NamedSignal, **payload: Any) -> None:
    """Send ``signal`` with ``payload``, the current app being the sender."""
    signal.send(current_app._get_current_object(), **payload)  # type: ignore[attr-defined]


def failure_outcome(error: CloudError) -> str:
    """The outcome of whatever a cloud error stopped: "error" when the cloud did
    not answer, "refused" when it said no."""
    return "error" if isinstance(error, CloudUnavailable) else "refused"
