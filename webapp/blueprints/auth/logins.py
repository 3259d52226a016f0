"""Making a login of an identity the cloud accepted: the same for a password and
for single sign-on."""

from __future__ import annotations

import secrets

from flask import session

from webapp import events
from webapp.blueprints.auth.regions import last_region
from webapp.cloud.models import Identity
from webapp.events import tell
from webapp.identity import USER_KEY
from webapp.identity import WEBSSO_CHOICE
from webapp.identity import remember
from webapp.state import begin_login
from webapp.state import state

#: the session field keeping the project of the last login, for the next one
LAST_PROJECT = "last_project_id"


def start_login(identity: Identity, *, websso_choice: int | None = None) -> Identity:
    """Make the session a fresh login of ``identity`` and tell the audit log.

    ``websso_choice``: the single sign-on choice the user came through (an
    expired login goes through it again), None for a password login. Returns
    the identity as kept (in this browser's last region when it has it).
    """
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
    session[LAST_PROJECT] = identity.project_id
    if websso_choice is None:
        session.pop(WEBSSO_CHOICE, None)
    else:
        session[WEBSSO_CHOICE] = websso_choice
    tell(events.login, user_name=identity.user_name, identity=identity, outcome="success")
    return identity
