"""Logging in with the unscoped token Keystone's WebSSO hands over (single sign-on).

The token comes from a browser's POST, so it proves nothing until the **configured**
Keystone (the provider's ``auth_url``, never a URL of the request) says it is valid:
:func:`check_token` asks it (``GET /v3/auth/tokens``, the token validating itself;
no new token is made). :func:`token_login` lists the projects the token may be
scoped to and rescopes it to one, as a password login does.

A federated user has no password: the unscoped token is kept in the identity's
``auth_state`` (under :data:`UNSCOPED`, beside keystoneauth1's own state, so it is
sealed in the server-side session like the rest and never leaves it), so that a
project switch rescopes from it and logout revokes it too.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

from webapp.cloud import errors as cloud_errors
from webapp.cloud import models
from webapp.cloud.openstack import errors
from webapp.i18n import lazy_gettext as _l

if TYPE_CHECKING:
    from webapp.cloud.openstack.provider import OpenStackProvider

__all__ = ["TOKEN_REFUSED", "check_token", "keep_unscoped", "token_login", "unscoped_token"]

#: the key of the unscoped token in an identity's ``auth_state``
UNSCOPED = "websso_unscoped_token"
#: the longest token taken (Fernet tokens are about 200 characters, JWS about 800)
MAX_TOKEN_LENGTH = 8192

#: Keystone's refusals of a token: 401 (expired, revoked, forged), 403, 404 (unknown)
_REFUSALS = (cloud_errors.Unauthorized, cloud_errors.InvalidRequest, cloud_errors.NotFound)

TOKEN_REFUSED = _l(
    "The cloud did not accept the sign-in from your identity provider. "
    "Sign in again; if it fails again, ask your cloud administrators."
)


def check_token(provider: OpenStackProvider, token: str) -> None:
    """Ask the configured Keystone whether ``token`` is valid; Unauthorized
    (:data:`TOKEN_REFUSED`) when it is empty, too long or refused,
    CloudUnavailable when Keystone does not answer."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise cloud_errors.Unauthorized(TOKEN_REFUSED)
    sess = provider.new_session()
    try:
        with errors.translated("identity"):
            sess.get(
                f"{provider.auth_url}/auth/tokens",
                headers={"X-Auth-Token": token, "X-Subject-Token": token},
                authenticated=False,
            )
    except _REFUSALS as exc:
        raise cloud_errors.Unauthorized(TOKEN_REFUSED, request_id=exc.request_id) from exc


def token_login(
    provider: OpenStackProvider, token: str, project_id: str | None = None
) -> models.Identity:
    """List the projects ``token`` may be scoped to, then scope to ``project_id``
    if it is one of them (the last used), else to the first by name; the
    unscoped token is kept in the identity. Unauthorized when Keystone refuses
    the token or the user has no project."""
    from webapp.cloud.openstack.provider import NO_PROJECT
    from webapp.cloud.openstack.provider import projects_of

    sess = provider.new_session()
    try:
        with errors.translated("identity"):
            response = sess.get(
                f"{provider.auth_url}/auth/projects",
                headers={"X-Auth-Token": token},
                authenticated=False,
            )
    except _REFUSALS as exc:
        raise cloud_errors.Unauthorized(TOKEN_REFUSED, request_id=exc.request_id) from exc
    projects = projects_of(response.json())
    if not projects:
        raise cloud_errors.Unauthorized(NO_PROJECT)
    chosen = next((p for p in projects if p.id == project_id), projects[0])
    identity = provider.scope_token(
        token,
        chosen,
        projects=projects,
        domain_name=provider.user_domain_name,
        refused=_l("The cloud refused you access to project %(project)s.", project=chosen.name),
    )
    return keep_unscoped(identity, token)


def unscoped_token(identity: models.Identity) -> str | None:
    """The unscoped token of a single sign-on login, or None (a password login)."""
    try:
        token = json.loads(identity.auth_state).get(UNSCOPED)
    except (ValueError, TypeError, AttributeError):
        return None
    return token if isinstance(token, str) and token else None


def keep_unscoped(identity: models.Identity, token: str | None) -> models.Identity:
    """``identity`` keeping the unscoped ``token`` in its auth state (unchanged
    when ``token`` is None)."""
    if not token:
        return identity
    state = json.loads(identity.auth_state)
    state[UNSCOPED] = token
    return dataclasses.replace(identity, auth_state=json.dumps(state))
