"""A real OpenStack as its operator sees it: every project's servers
(``all_tenants``) in every region of the catalog that has a compute endpoint,
with an operator credential that openstacksdk's config loader reads from
``clouds.yaml`` (the optional extra ``skiff[expire]``).

Only the credential comes from openstacksdk: its keystoneauth1 session drives
the same novaclient, and its failures become the same cloud errors, as the
portal's own connections.
"""

from __future__ import annotations

import threading

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity.base import BaseIdentityPlugin
from novaclient import client as nova_client

from webapp.cloud import errors as cloud_errors
from webapp.cloud.openstack import convert
from webapp.cloud.openstack import discovery
from webapp.cloud.openstack import errors
from webapp.cloud.operator import ProjectServer

__all__ = ["OpenStackOperator"]


class OpenStackOperator:
    """Every project of an OpenStack cloud, for an operator (an OperatorCloud).

    :param session: a keystoneauth1 session with the operator's credential.
    :param label: the credential's name, for the log.
    :param region_name: the entry's region, used when the catalog names none.
    :param interface: the catalog interface of the endpoints (None: public).
    """

    def __init__(
        self,
        *,
        session: ks_session.Session,
        label: str,
        region_name: str | None = None,
        interface: str | None = None,
    ) -> None:
        self.label = label
        self._session = session
        self._region_name = region_name
        self._interface = interface or "public"
        self._novas: dict[str, nova_client.Client] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_clouds_yaml(cls, cloud: str | None) -> OpenStackOperator:
        """The operator of the ``clouds.yaml`` entry ``cloud`` (None: the loader's
        choice, ``OS_CLOUD`` or the only entry), found where openstacksdk looks:
        ``OS_CLIENT_CONFIG_FILE``, ``./clouds.yaml``, ``~/.config/openstack/``,
        ``/etc/openstack/``. CloudUnavailable, saying why, when it cannot be used.
        """
        try:
            from openstack import config as os_config
            from openstack import exceptions as os_exc
        except ImportError as error:
            raise cloud_errors.CloudUnavailable(
                "Reading clouds.yaml needs openstacksdk: pip install 'skiff[expire]'."
            ) from error
        try:
            region = os_config.OpenStackConfig().get_one(cloud=cloud)
            session = region.get_session()
        except (os_exc.ConfigException, ks_exc.ClientException) as error:
            entry = (
                f"entry {cloud!r}" if cloud else "without EXPIRE_CLOUD (OS_CLOUD, the only entry)"
            )
            raise cloud_errors.CloudUnavailable(f"clouds.yaml {entry}: {error}") from error
        interface = region.get_interface("compute")
        if isinstance(interface, list):  # a list of interfaces, best first
            interface = interface[0] if interface else None
        return cls(
            session=session,
            label=cloud or region.name or "clouds.yaml",
            region_name=region.get_region_name("compute") or None,
            interface=interface,
        )

    def list_servers_in(self, region: str) -> list[ProjectServer]:
        """Every server of every project in ``region``, Nova's pages followed to
        the end."""
        with errors.translated("compute"):
            listed = self._compute(region).servers.list(search_opts={"all_tenants": True}, limit=-1)
        return [
            ProjectServer(convert.server(data), str(data.get("tenant_id") or ""), region)
            for data in (server.to_dict() for server in listed)
        ]

    def stop_server(self, found: ProjectServer) -> None:
        with errors.translated("compute"):
            self._compute(found.region).servers.stop(found.server.id)

    def delete_server(self, found: ProjectServer) -> None:
        with errors.translated("compute"):
            self._compute(found.region).servers.delete(found.server.id)

    def regions(self) -> list[str]:
        """The regions whose compute endpoint (of the interface) the catalog
        lists, sorted; the entry's own region (or "") when it names none."""
        auth = self._session.auth
        if not isinstance(auth, BaseIdentityPlugin):  # pragma: no cover - loaders give one
            return [self._region_name or ""]
        with errors.translated("identity"):
            catalog = auth.get_access(self._session).service_catalog
        endpoints = catalog.get_endpoints_data(service_type="compute", interface=self._interface)
        named = {e.region_name for e in endpoints.get("compute", []) if e.region_name}
        return sorted(named) or [self._region_name or ""]

    def _compute(self, region: str) -> nova_client.Client:
        """novaclient for ``region`` at the highest microversion both sides know
        (negotiated once per region)."""
        with self._lock:
            if region not in self._novas:
                with errors.translated("compute"):
                    nova = nova_client.Client(
                        "2.1",
                        session=self._session,
                        region_name=region or None,
                        endpoint_type=self._interface,
                    )
                    nova.api_version = discovery.negotiate_compute(nova) or discovery.COMPUTE_FLOOR
                self._novas[region] = nova
            return self._novas[region]
