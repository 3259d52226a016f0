"""One user's connection to a real OpenStack cloud, in one project.

Nova is reached through python-novaclient at a negotiated microversion; Glance,
Neutron and Cinder through keystoneauth1 adapters (:mod:`.rest`). All of them share
the keystoneauth1 session the provider built from the user's stored token, so the
connection itself never calls Keystone. Its methods may run concurrently from
several threads.
"""

from __future__ import annotations

import collections
import itertools
import logging
import threading
from typing import Any

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
from novaclient import api_versions
from novaclient import client as nova_client

from webapp.cloud import errors as cloud_errors
from webapp.cloud import models
from webapp.cloud.openstack import convert
from webapp.cloud.openstack import discovery
from webapp.cloud.openstack import errors
from webapp.cloud.openstack import rest

__all__ = ["OpenStackConnection"]

LOG = logging.getLogger(__name__)

_V = api_versions.APIVersion
DESCRIPTION = _V("2.19")
NETWORK_CHOICE = _V("2.37")
TAGS = _V("2.52")
HOSTNAME = _V("2.90")

#: the Neutron extension behind Nova's ``networks: "auto"`` (get-me-a-network)
AUTO_ALLOCATION = "auto-allocated-topology"


class OpenStackConnection:
    """Acts for one logged-in user in their current project (a CloudConnection).

    :param session: a keystoneauth1 session whose auth holds the scoped token.
    :param project_id: the project the token is scoped to.
    :param region_name: the catalog region, or None for any.
    :param interface: the catalog interface ("public", "internal").
    :param cache: endpoint facts shared with other connections (optional).
    """

    def __init__(
        self,
        *,
        session: ks_session.Session,
        project_id: str,
        region_name: str | None = None,
        interface: str = "public",
        cache: discovery.DiscoveryCache | None = None,
    ) -> None:
        self._session = session
        self._project_id = project_id
        self._region_name = region_name
        self._interface = interface
        self._cache = cache or discovery.DiscoveryCache(ttl=0)
        self._nova: nova_client.Client | None = None
        self._nova_lock = threading.Lock()
        self._features: models.Features | None = None
        self._features_lock = threading.Lock()
        self._adapters: dict[str, ks_adapter.Adapter] = {}
        self._adapters_lock = threading.Lock()

    @property
    def session(self) -> ks_session.Session:
        """The keystoneauth1 session acting for the user (e.g. for other clients)."""
        return self._session

    @property
    def compute_microversion(self) -> str:
        """The negotiated Nova microversion, e.g. "2.96" (negotiates if needed)."""
        return self._compute().api_version.get_string()

    # -- what the cloud can do ------------------------------------------------

    def features(self) -> models.Features:
        """What this cloud supports, from the Nova microversion and the catalog."""
        with self._features_lock:
            if self._features is None:
                self._features = self._discover_features()
            return self._features

    def _discover_features(self) -> models.Features:
        version = self._compute().api_version
        choice = version >= NETWORK_CHOICE
        return models.Features(
            compute_microversion=version.get_string(),
            description=version >= DESCRIPTION,
            tags=version >= TAGS,
            hostname=version >= HOSTNAME,
            network_none=choice,
            network_auto=choice and self._can_auto_allocate(),
            volumes=self._endpoint("block-storage") is not None,
        )

    def _can_auto_allocate(self) -> bool:
        """Whether Neutron can make a network on demand for ``networks: "auto"``."""
        try:
            network = self._adapter("network")
        except rest.ServiceMissing:
            return False
        key = f"neutron-extension {AUTO_ALLOCATION} {network.endpoint_override}"
        known = self._cache.get(key)
        if known is not None:
            return bool(known)
        try:
            found = rest.neutron_has_extension(network, AUTO_ALLOCATION)
        except cloud_errors.CloudError as exc:
            # an optional feature: without the answer, offer explicit networks
            LOG.warning("Could not check Neutron for %s: %s", AUTO_ALLOCATION, exc)
            return False
        self._cache.put(key, found)
        return found

    # -- lists for the launch wizard -------------------------------------------

    def list_images(self) -> list[models.Image]:
        """Active images and snapshots: public, own, shared and community ones."""
        try:
            image = self._adapter("image")
        except rest.ServiceMissing:
            return []
        found: dict[str, models.Image | None] = {}
        # Glance leaves community images out unless asked for them by name
        listings = itertools.chain(
            rest.glance_images(image),
            rest.glance_images(image, visibility="community"),
        )
        for data in listings:
            if data["id"] not in found:
                found[data["id"]] = convert.image(data)
        return [i for i in found.values() if i is not None]

    def list_flavors(self) -> list[models.Flavor]:
        """Flavors the project may use."""
        with errors.translated("compute"):
            flavors = self._compute().flavors.list()
        return [convert.flavor(f.to_dict()) for f in flavors]

    def list_keypairs(self) -> list[models.KeyPair]:
        """The user's key pairs."""
        with errors.translated("compute"):
            keypairs = self._compute().keypairs.list()
        return [convert.keypair(k.to_dict()) for k in keypairs]

    def list_networks(self) -> list[models.Network]:
        """The project's own networks and shared ones, with their subnets' CIDRs."""
        try:
            network = self._adapter("network")
        except rest.ServiceMissing:
            return []
        networks = [
            n for n in rest.neutron_list(network, "networks") if self._usable(n)
        ]
        if not networks:
            return []
        cidrs: dict[str, list[str]] = collections.defaultdict(list)
        subnets = rest.neutron_list(
            network, "subnets", params={"fields": ["network_id", "cidr"]}
        )
        for subnet in subnets:
            cidrs[subnet.get("network_id", "")].append(subnet.get("cidr", ""))
        return [convert.network(n, cidrs.get(n["id"], ())) for n in networks]

    def _usable(self, network: dict[str, Any]) -> bool:
        # other projects' external networks are listed too but cannot take ports
        owner = network.get("project_id") or network.get("tenant_id")
        return bool(network.get("shared")) or owner == self._project_id

    def list_security_groups(self) -> list[models.SecurityGroup]:
        """The project's security groups."""
        try:
            network = self._adapter("network")
        except rest.ServiceMissing:
            return []
        groups = rest.neutron_list(
            network,
            "security-groups",
            params={
                "project_id": self._project_id,
                "fields": ["id", "name", "description"],
            },
        )
        return [convert.security_group(g) for g in groups]

    def list_availability_zones(self) -> list[models.AvailabilityZone]:
        """Availability zones that can take new servers."""
        with errors.translated("compute"):
            zones = self._compute().availability_zones.list(detailed=False)
        found = (convert.availability_zone(z.to_dict()) for z in zones)
        return [z for z in found if z.available]

    def get_limits(self) -> models.Limits:
        """Compute quotas and usage, plus volume ones when Cinder is there."""
        with errors.translated("compute"):
            absolute = self._compute().limits.get().to_dict().get("absolute", {})
        try:
            volume = rest.cinder_limits(self._adapter("block-storage"))
        except rest.ServiceMissing:
            volume = {}
        return convert.limits(absolute, volume)

    # -- servers ------------------------------------------------------------

    def create_servers(self, request: models.ServerRequest) -> list[models.Server]:
        """Ask Nova for ``request.count`` servers and return them as first seen."""
        nova = self._compute()
        version = nova.api_version
        options: dict[str, Any] = {
            "min_count": request.count,
            "max_count": request.count,
        }
        if request.availability_zone:
            options["availability_zone"] = request.availability_zone
        if request.key_name:
            options["key_name"] = request.key_name
        if request.security_groups:
            options["security_groups"] = list(request.security_groups)
        if request.user_data:
            options["userdata"] = request.user_data
        if request.description and version >= DESCRIPTION:
            options["description"] = request.description
        nics = _nics(request.networks, version)
        if nics is not None:
            options["nics"] = nics
        if request.count > 1:
            # Nova answers a multi-create with only the first server; the
            # reservation id finds them all
            options["reservation_id"] = True
        with errors.translated("compute"):
            created = nova.servers.create(
                request.name, request.image_id, request.flavor_id, **options
            )
            if request.count == 1:
                sent = options.get("description")
                return [_as_requested(created.id, request, description=sent)]
            servers = nova.servers.list(
                search_opts={"reservation_id": str(created)}
            )
        found = [convert.server(s.to_dict()) for s in servers]
        return sorted(found, key=lambda s: (s.created, s.name))

    def get_server(self, server_id: str) -> models.Server:
        """One server of the project; raises NotFound."""
        with errors.translated("compute"):
            server = self._compute().servers.get(server_id)
        return convert.server(server.to_dict())

    def list_servers(self) -> list[models.Server]:
        """The project's servers, newest first (one page: up to Nova's max_limit)."""
        with errors.translated("compute"):
            servers = self._compute().servers.list()
        return [convert.server(s.to_dict()) for s in servers]

    def delete_server(self, server_id: str) -> None:
        """Delete a server of the project; raises NotFound if it is gone."""
        with errors.translated("compute"):
            self._compute().servers.delete(server_id)

    # -- plumbing -----------------------------------------------------------

    def _compute(self) -> nova_client.Client:
        """The novaclient at the negotiated microversion (negotiated once)."""
        with self._nova_lock:
            if self._nova is None:
                with errors.translated("compute"):
                    self._nova = self._negotiated_client()
            return self._nova

    def _negotiated_client(self) -> nova_client.Client:
        nova = nova_client.Client(
            "2.1",
            session=self._session,
            region_name=self._region_name,
            endpoint_type=self._interface,
        )
        endpoint = self._endpoint("compute")
        if endpoint is None:
            raise cloud_errors.CloudUnavailable(
                "The cloud did not answer: it has no compute service for you."
            )
        key = f"compute-version {endpoint}"
        version = self._cache.get(key)
        if version is None:
            version = discovery.negotiate_compute(nova)
            if version is not None:
                self._cache.put(key, version)
        nova.api_version = version or discovery.COMPUTE_FLOOR
        return nova

    def _endpoint(self, service_type: str) -> str | None:
        """The catalog URL of a service, or None; never an HTTP call."""
        return rest.catalog_url(
            self._session,
            service_type,
            region_name=self._region_name,
            interface=self._interface,
        )

    def _adapter(self, service_type: str) -> ks_adapter.Adapter:
        with self._adapters_lock:
            if service_type not in self._adapters:
                self._adapters[service_type] = rest.service_adapter(
                    self._session,
                    service_type,
                    region_name=self._region_name,
                    interface=self._interface,
                )
            return self._adapters[service_type]


def _nics(
    networks: tuple[str, ...] | str, version: api_versions.APIVersion
) -> list[dict[str, str]] | str | None:
    """novaclient's ``nics`` for the chosen networks (None: leave it to Nova).

    From 2.37 Nova requires an explicit choice, so "nothing chosen" becomes "auto"
    (Nova's old default: the project's only network, else get-me-a-network).
    """
    if isinstance(networks, str) and networks not in ("auto", "none"):
        networks = (networks,)
    if isinstance(networks, str):
        if version >= NETWORK_CHOICE:
            return networks
        if networks == "none":
            raise cloud_errors.InvalidRequest(
                "This cloud cannot create a server without a network."
            )
        return None
    if networks:
        return [{"net-id": network_id} for network_id in networks]
    return "auto" if version >= NETWORK_CHOICE else None


def _as_requested(
    server_id: str, request: models.ServerRequest, *, description: str | None
) -> models.Server:
    """The server Nova just accepted: it answers with little more than the id."""
    return models.Server(
        id=server_id,
        name=request.name,
        status="BUILD",
        flavor_id=request.flavor_id,
        image_id=request.image_id,
        key_name=request.key_name,
        availability_zone=request.availability_zone,
        security_groups=request.security_groups or ("default",),
        description=description,
    )
