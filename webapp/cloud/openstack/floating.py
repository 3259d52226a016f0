"""Ports and floating IPs, in Neutron: the project's free ports (for the launch
wizard), a server's ports and the floating IPs that point to them.

Neutron is reached through a keystoneauth1 adapter (:mod:`.rest`). Floating IPs
belong to Neutron's L3 API (the ``router`` extension); a cloud without it, or
without Neutron, has no pools and no floating IPs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

from keystoneauth1 import adapter as ks_adapter

from webapp.cloud import errors as cloud_errors
from webapp.cloud import models
from webapp.cloud.openstack import convert
from webapp.cloud.openstack import rest
from webapp.i18n import lazy_gettext as _l

__all__ = ["NO_FLOATING_IPS", "Ports"]

NO_FLOATING_IPS = _l("This cloud offers no floating IPs.")
#: what a free port of the project shows; the rest of a port is not needed
_PORT_FIELDS = [
    "id",
    "name",
    "network_id",
    "fixed_ips",
    "port_security_enabled",
    "device_id",
]
#: how Neutron's 409s about an exhausted quota or pool begin
_EXHAUSTED = ("quota exceeded", "no more ip addresses")


class Ports:
    """The ports and floating IPs of one connection.

    :param adapter: gives the network adapter, or raises
        :class:`~.rest.ServiceMissing` when the cloud has no Neutron.
    :param project_id: the connection's project.
    """

    def __init__(self, adapter: Callable[[], ks_adapter.Adapter], project_id: str) -> None:
        self._adapter = adapter
        self._project_id = project_id

    def free(self) -> list[models.Port]:
        """The project's ports that no server or router uses (one Neutron call)."""
        try:
            network = self._adapter()
        except rest.ServiceMissing:
            return []
        ports = rest.neutron_list(
            network,
            "ports",
            # an empty device_owner matches only ports nothing owns
            params={
                "project_id": self._project_id,
                "device_owner": "",
                "fields": _PORT_FIELDS,
            },
        )
        return [convert.port(p) for p in ports if not p.get("device_id")]

    def of_server(self, server_id: str) -> list[models.Port]:
        """The server's ports, oldest first (the first is the one Nova made first)."""
        try:
            network = self._adapter()
        except rest.ServiceMissing:
            return []
        ports = rest.neutron_list(network, "ports", params={"device_id": server_id})
        ordered = sorted(ports, key=lambda p: (p.get("created_at") or "", p["id"]))
        return [convert.port(p) for p in ordered]

    def pools(self) -> list[models.Network]:
        """External networks, when Neutron has its L3 API."""
        try:
            network = self._adapter()
        except rest.ServiceMissing:
            return []
        try:
            rest.neutron_get(network, "/v2.0/extensions/router")
        except cloud_errors.NotFound:
            return []
        external = rest.neutron_list(network, "networks", params={"router:external": "True"})
        return [convert.network(n) for n in external]

    def owned(self) -> list[models.FloatingIP]:
        """The project's floating IPs, with their pools' names (two calls)."""
        try:
            network = self._adapter()
            found = list(self._floating_ips(network))
        except (rest.ServiceMissing, cloud_errors.NotFound):
            return []  # no Neutron, or no L3 API: /v2.0/floatingips is 404
        if not found:
            return []
        pool_ids = sorted({f.get("floating_network_id") or "" for f in found})
        names = {
            n["id"]: n.get("name") or ""
            for n in rest.neutron_list(
                network, "networks", params={"id": pool_ids, "fields": ["id", "name"]}
            )
        }
        return [
            convert.floating_ip(f, names.get(f.get("floating_network_id") or "", "")) for f in found
        ]

    def add(self, server_id: str, pool_id: str) -> models.FloatingIP:
        """A free floating IP of the project in the pool, else a new one, on the
        server's first port (one call to find it, one to associate or allocate)."""
        try:
            network = self._adapter()
        except rest.ServiceMissing as exc:
            raise cloud_errors.InvalidRequest(NO_FLOATING_IPS) from exc
        ports = self.of_server(server_id)
        if not ports:
            raise cloud_errors.InvalidRequest(
                _l("The server has no network port for a floating IP.")
            )
        target: dict[str, Any] = {"port_id": ports[0].id}
        ipv4 = [ip for ip in ports[0].fixed_ips if ":" not in ip]
        if ipv4:
            # Neutron wants to be told when the port has several addresses
            target["fixed_ip_address"] = ipv4[0]
        with _refusals():
            try:
                pool = list(self._floating_ips(network, floating_network_id=pool_id))
            except cloud_errors.NotFound as exc:
                raise cloud_errors.InvalidRequest(NO_FLOATING_IPS) from exc
            free = next((f for f in pool if not f.get("port_id")), None)
            if free is not None:
                body = rest.neutron_send(
                    network, "PUT", f"/v2.0/floatingips/{free['id']}", {"floatingip": target}
                )
            else:
                body = rest.neutron_send(
                    network,
                    "POST",
                    "/v2.0/floatingips",
                    {"floatingip": {"floating_network_id": pool_id, **target}},
                )
        return convert.floating_ip(body.get("floatingip") or {})

    def remove(self, floating_ip_id: str) -> None:
        """Disassociate the floating IP; the project keeps it."""
        try:
            network = self._adapter()
        except rest.ServiceMissing as exc:
            raise cloud_errors.InvalidRequest(NO_FLOATING_IPS) from exc
        with _refusals():
            rest.neutron_send(
                network,
                "PUT",
                f"/v2.0/floatingips/{floating_ip_id}",
                {"floatingip": {"port_id": None}},
            )

    def _floating_ips(
        self, network: ks_adapter.Adapter, **filters: str
    ) -> Iterator[dict[str, Any]]:
        return rest.neutron_list(
            network, "floatingips", params={"project_id": self._project_id, **filters}
        )


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """Neutron's refusals in the portal's terms: its 409 for an exhausted quota or
    pool is QuotaExceeded, its 404 for a port no router links to the pool
    ("External network ... is not reachable from subnet ...") InvalidRequest."""
    try:
        yield
    except cloud_errors.Conflict as exc:
        if exc.message.lower().startswith(_EXHAUSTED):
            raise cloud_errors.QuotaExceeded(exc.message, request_id=exc.request_id) from exc
        raise
    except cloud_errors.NotFound as exc:
        if "is not reachable" in exc.message:
            raise cloud_errors.InvalidRequest(exc.message, request_id=exc.request_id) from exc
        raise
