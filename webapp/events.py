"""What happened, told to whoever listens: the audit log and the metrics.

Blinker signals (Flask's own mechanism), sent by the views once the outcome is
known, with the app as sender. Listeners must not raise and must never be handed
a token, a password or a private key: the payloads below hold none.

``login`` (``user_name`` as typed, ``identity`` or None, ``outcome``:
"success" | "refused" | "error", ``error``: the message shown or None),
``logout`` (``identity``), ``project_switched`` (``identity``: the new one,
``outcome``, ``error``), ``launch`` (``identity``, ``outcome``: "launched" |
"invalid" (a step refused it) | "refused" (the cloud did) | "error",
``server_ids``, ``details``: name, count, flavor, source type and id, networks,
and ``seconds`` the submit took), ``server_action`` (``identity``, ``action``,
``server_ids``, ``outcome``, ``error``).
"""

from __future__ import annotations

from blinker import Namespace

__all__ = ["launch", "login", "logout", "project_switched", "server_action"]

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
