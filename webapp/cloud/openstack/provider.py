"""Logging users in to a real OpenStack cloud through Keystone v3.

Login takes an unscoped token for the user's password, lists their projects and
rescopes the token to one of them; the scoped token's keystoneauth1 auth state (token
and service catalog) becomes :attr:`Identity.auth_state`. :meth:`OpenStackProvider.connect`
rebuilds the auth from that state alone, so opening a connection costs no Keystone
call. Tokens are sent in headers only and are never logged or put in messages.

The identity also names the catalog's regions and the one its calls use (the
configured region when the catalog has it, else the first): switching region
costs no Keystone call, as the token's catalog has every region's endpoints.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import urllib.parse
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

from keystoneauth1 import access
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import plugin as ks_plugin
from keystoneauth1.identity import access as access_plugin
from keystoneauth1.identity import v3

from webapp.cloud import errors as cloud_errors
from webapp.cloud import models
from webapp.cloud.openstack import connection
from webapp.cloud.openstack import discovery
from webapp.cloud.openstack import errors
from webapp.cloud.openstack import regions as os_regions
from webapp.cloud.openstack import session as os_session
from webapp.cloud.openstack import websso
from webapp.i18n import lazy_gettext as _l

__all__ = ["OpenStackProvider"]

LOG = logging.getLogger(__name__)

BAD_CREDENTIALS = _l("Invalid user name or password.")
NO_PROJECT = _l(
    "Your account is not a member of any project on this cloud: "
    "ask your cloud administrators to add you to one."
)


class OpenStackProvider:
    """Logs users in to one OpenStack cloud and opens connections (a CloudProvider).

    :param auth_url: the Keystone v3 URL (``/v3`` is added when missing).
    :param user_domain_name: the domain of users who name none at login.
    :param region_name: the catalog region a login starts in when the catalog
        has it (else its first region), or None.
    :param interface: the catalog interface: "public" or "internal".
    :param verify: verify TLS certificates (True, False or a CA bundle path).
    :param timeout: seconds to wait for a connection or an answer.
    :param call_log: an optional :class:`~.session.CallLog` recording every request.
    :param discovery_ttl: seconds to remember each endpoint's microversions.
    """

    is_demo = False

    def __init__(
        self,
        *,
        auth_url: str,
        user_domain_name: str = "Default",
        region_name: str | None = None,
        interface: str = "public",
        verify: bool | str = True,
        timeout: float = 30.0,
        call_log: os_session.CallLog | None = None,
        discovery_ttl: float = 3600.0,
    ) -> None:
        self.auth_url = _v3_url(auth_url)
        self.label = urllib.parse.urlsplit(self.auth_url).hostname or self.auth_url
        self.user_domain_name = user_domain_name
        self.region_name = region_name
        self.interface = interface
        self.verify = verify
        self.timeout = timeout
        #: settable, e.g. by a test; sessions built afterwards record into it
        self.call_log = call_log
        self._http_pool = os_session.new_http_pool()
        self._cache = discovery.DiscoveryCache(ttl=discovery_ttl)

    def login(
        self,
        username: str,
        password: str,
        domain: str | None = None,
        project_id: str | None = None,
    ) -> models.Identity:
        """Check the password, then scope to ``project_id`` if it is still the
        user's, else to their first project by name.
        """
        if not username or not password:
            raise cloud_errors.Unauthorized(BAD_CREDENTIALS)
        domain_name = domain or self.user_domain_name
        sess = self.new_session()
        password_auth = v3.Password(
            auth_url=self.auth_url,
            username=username,
            password=password,
            user_domain_name=domain_name,
            unscoped=True,
        )
        with errors.translated("identity"), _password_errors():
            unscoped = password_auth.get_access(sess)
            response = sess.get(f"{self.auth_url}/auth/projects", auth=password_auth)
        projects = projects_of(response.json())
        if not projects:
            raise cloud_errors.Unauthorized(NO_PROJECT)
        chosen = next((p for p in projects if p.id == project_id), projects[0])
        return self.scope_token(
            unscoped.auth_token,
            chosen,
            projects=projects,
            domain_name=domain_name,
            refused=_l("The cloud refused you access to project %(project)s.", project=chosen.name),
        )

    def switch_project(self, identity: models.Identity, project_id: str) -> models.Identity:
        """The same user, scoped to another of their projects (one Keystone call)."""
        target = next((p for p in identity.projects if p.id == project_id), None)
        if target is None:
            raise cloud_errors.NotFound(_l("You have no project with this id."))
        if target.id == identity.project_id:
            return identity
        # A single sign-on login rescopes from its unscoped token (Horizon's way;
        # a cloud may forbid rescoping a scoped token), a password login from its own.
        unscoped = websso.unscoped_token(identity)
        switched = self.scope_token(
            unscoped or _stored_access(identity).auth_token,
            target,
            projects=identity.projects,
            domain_name=identity.domain_name,
            refused=errors.SESSION_ENDED,
            region=identity.region,
        )
        return websso.keep_unscoped(switched, unscoped)

    def switch_region(self, identity: models.Identity, region: str) -> models.Identity:
        """The same login, its calls sent to another region of the token's
        catalog (no Keystone call); NotFound for a region it does not have."""
        if region not in identity.regions:
            raise cloud_errors.NotFound(
                _l("The cloud has no region %(region)s for you.", region=region)
            )
        return dataclasses.replace(identity, region=region)

    def logout(self, identity: models.Identity) -> None:
        """Revoke the user's token, and a single sign-on login's unscoped token
        too (best effort: never raises)."""
        try:
            scoped = _stored_access(identity).auth_token
        except cloud_errors.Unauthorized:
            LOG.warning("Could not revoke the token of user %s: unreadable", identity.user_id)
            return
        sess = self.new_session()
        # Each token revokes itself: on Keystone, revoking the unscoped token
        # also ends the tokens scoped from it, which then could not authenticate.
        for token in (scoped, websso.unscoped_token(identity)):
            if not token:
                continue
            try:
                sess.delete(
                    f"{self.auth_url}/auth/tokens",
                    headers={"X-Auth-Token": token, "X-Subject-Token": token},
                    authenticated=False,
                )
            except Exception as exc:  # noqa: BLE001 - logging out must always work
                # the class name only: nothing the token could leak through
                LOG.warning(
                    "Could not revoke a token of user %s: %s",
                    identity.user_id,
                    type(exc).__name__,
                )

    def websso_check(self, token: str) -> None:
        """Whether Keystone accepts ``token``, an unscoped token its WebSSO
        handed to the browser; Unauthorized when it does not."""
        websso.check_token(self, token)

    def websso_login(self, token: str, project_id: str | None = None) -> models.Identity:
        """Log in with ``token`` (checked by :meth:`websso_check`): scope to
        ``project_id`` if still the user's, else to their first project."""
        return websso.token_login(self, token, project_id)

    def connect(self, identity: models.Identity) -> connection.OpenStackConnection:
        """A connection for this user in their current project (no Keystone call)."""
        sess = self.new_session(auth=self._stored_auth(identity))
        return connection.OpenStackConnection(
            session=sess,
            project_id=identity.project_id,
            # the login's region; an identity from before regions: the configured one
            region_name=identity.region or self.region_name,
            interface=self.interface,
            cache=self._cache,
        )

    def scope_token(
        self,
        token: str | None,
        project: models.Project,
        *,
        projects: tuple[models.Project, ...],
        domain_name: str,
        refused: str,
        region: str | None = None,
    ) -> models.Identity:
        """Rescope ``token`` to ``project`` and describe the result; Unauthorized
        with the ``refused`` message when there is no token or Keystone says no.
        The region stays ``region`` when the new catalog has it."""
        if not token:  # Keystone answered without one, or the stored state lacks it
            raise cloud_errors.Unauthorized(refused)
        token_auth = v3.Token(self.auth_url, token, project_id=project.id)
        try:
            with errors.translated("identity"):
                ref = token_auth.get_access(self.new_session())
        except cloud_errors.Unauthorized as exc:
            raise cloud_errors.Unauthorized(refused, request_id=exc.request_id) from exc
        state = token_auth.get_auth_state()
        if state is None:  # pragma: no cover - get_access just filled it
            raise cloud_errors.Unauthorized(refused)
        regions = os_regions.catalog_regions(ref, self.interface)
        return models.Identity(
            user_id=ref.user_id or "",
            user_name=ref.username or "",
            project_id=ref.project_id or project.id,
            project_name=ref.project_name or project.name,
            projects=projects,
            auth_state=state,
            domain_name=ref.user_domain_name or domain_name,
            region=os_regions.choose_region(regions, (region, self.region_name)),
            regions=regions,
        )

    def _stored_auth(self, identity: models.Identity) -> access_plugin.AccessInfoPlugin:
        """An auth plugin on the stored token that never asks Keystone for another."""
        return access_plugin.AccessInfoPlugin(_stored_access(identity), auth_url=self.auth_url)

    def new_session(
        self, *, auth: ks_plugin.BaseAuthPlugin | None = None
    ) -> os_session.CountingSession:
        """A keystoneauth1 session on this cloud's settings, counted and recorded."""
        return os_session.build_session(
            auth=auth,
            verify=self.verify,
            timeout=self.timeout,
            identity_url=self.auth_url,
            call_log=self.call_log,
            http_pool=self._http_pool,
        )


def _stored_access(identity: models.Identity) -> access.AccessInfo:
    """The AccessInfo kept in ``identity.auth_state``; Unauthorized if unusable."""
    try:
        state = json.loads(identity.auth_state)
        return access.create(body=state["body"], auth_token=state["auth_token"])
    except (ValueError, TypeError, KeyError) as exc:
        raise cloud_errors.Unauthorized(errors.SESSION_ENDED) from exc


def projects_of(body: Mapping[str, Any]) -> tuple[models.Project, ...]:
    """The enabled projects of a ``GET /auth/projects`` body, sorted by name."""
    projects = (
        models.Project(id=p["id"], name=p.get("name") or p["id"])
        for p in body.get("projects", ())
        if p.get("enabled", True)
    )
    return tuple(sorted(projects, key=lambda p: (p.name.casefold(), p.id)))


def _v3_url(auth_url: str) -> str:
    url = auth_url.rstrip("/")
    return url if url.endswith("/v3") else f"{url}/v3"


@contextlib.contextmanager
def _password_errors() -> Iterator[None]:
    """Keystone's refusals of a password, in the words of the login page."""
    try:
        yield
    except ks_exc.MissingAuthMethods as exc:
        raise cloud_errors.Unauthorized(
            _l(
                "This account needs more than a password to log in, "
                "which this portal does not support."
            )
        ) from exc
    except ks_exc.Unauthorized as exc:
        raise cloud_errors.Unauthorized(BAD_CREDENTIALS, request_id=exc.request_id) from exc
