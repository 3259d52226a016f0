"""One user's connection to a real OpenStack cloud, in one project.

Nova is reached through python-novaclient at a negotiated microversion; Glance,
Neutron and Cinder through keystoneauth1 adapters (:mod:`.rest`). All of them share
the keystoneauth1 session the provider built from the user's stored token, so the
connection itself never calls Keystone. Its methods may run concurrently from
several threads.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import threading
from collections.abc import Mapping
from typing import Any

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
from novaclient import client as nova_client

from webapp.cloud import errors as cloud_errors
from webapp.cloud import models
from webapp.cloud.openstack import boot
from webapp.cloud.openstack import convert
from webapp.cloud.openstack import discovery
from webapp.cloud.openstack import errors
from webapp.cloud.openstack import floating
from webapp.cloud.openstack import rest
from webapp.cloud.openstack import servers
from webapp.cloud.openstack import volumes
from webapp.i18n import lazy_gettext as _l

__all__ = ["OpenStackConnection"]

LOG = logging.getLogger(__name__)


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
        self._cinder = volumes.CinderLists(lambda: self._adapter("block-storage"))
        self._life = servers.ServerLife(
            compute=self._compute,
            block_storage=lambda: self._adapter("block-storage"),
            cache=self._cache,
            console_key=lambda: f"remote-console {self._endpoint('compute')}",
        )
        self._ports = floating.Ports(lambda: self._adapter("network"), project_id)

    @property
    def session(self) -> ks_session.Session:
        """The keystoneauth1 session acting for the user (e.g. for other clients)."""
        return self._session

    @property
    def compute_microversion(self) -> str:
        """The negotiated Nova microversion, e.g. "2.96" (negotiates if needed)."""
        version: str = self._compute().api_version.get_string()  # novaclient is untyped
        return version

    # -- what the cloud can do ------------------------------------------------

    def features(self) -> models.Features:
        """What this cloud supports, from the Nova microversion and the catalog;
        a remote console until one was asked for in vain."""
        with self._features_lock:
            if self._features is None:
                self._features = self._discover_features()
            found = self._features
        return dataclasses.replace(found, remote_console=self._life.console_offered())

    def _discover_features(self) -> models.Features:
        version = self._compute().api_version
        choice = version >= discovery.NETWORK_CHOICE
        return models.Features(
            compute_microversion=version.get_string(),
            description=version >= discovery.DESCRIPTION,
            tags=version >= discovery.TAGS,
            hostname=version >= discovery.HOSTNAME,
            network_none=choice,
            # Not checked with Neutron (its auto-allocated-topology extension):
            # that would cost a call on every wizard. The wizard offers "auto"
            # only to a project without a usable network, and Nova's 400 when
            # Neutron cannot make one is shown at the networks step.
            network_auto=choice,
            volumes=self._endpoint("block-storage") is not None,
            volume_type=version >= discovery.VOLUME_TYPE,
            hostname_fqdn=version >= discovery.HOSTNAME_FQDN,
        )

    # -- lists for the launch wizard -------------------------------------------

    def list_images(self) -> list[models.Image]:
        """Active images and snapshots: public, own, shared and community ones.

        One listing: ``visibility=all`` gives public, the project's private,
        accepted shared and every community image (checked on a real Glance).
        """
        try:
            image = self._adapter("image")
        except rest.ServiceMissing:
            return []
        found: dict[str, models.Image | None] = {}
        # an image added while we page may shift one into the next page too
        for data in rest.glance_images(image, visibility="all"):
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
        networks = [n for n in rest.neutron_list(network, "networks") if self._usable(n)]
        if not networks:
            return []
        cidrs: dict[str, list[str]] = collections.defaultdict(list)
        subnets = rest.neutron_list(network, "subnets", params={"fields": ["network_id", "cidr"]})
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
        """Compute quotas and usage, plus volume ones when Cinder is there (one
        call to each)."""
        with errors.translated("compute"):
            absolute = self._compute().limits.get().to_dict().get("absolute", {})
        try:
            volume = rest.cinder_limits(self._adapter("block-storage"))
        except rest.ServiceMissing:
            volume = {}
        return convert.limits(absolute, volume)

    def list_ports(self) -> list[models.Port]:
        """The project's ports that no server or router uses (one Neutron call)."""
        return self._ports.free()

    def list_volumes(self) -> list[models.Volume]:
        """The project's available volumes (one Cinder call, paged)."""
        return self._cinder.volumes()

    def list_volume_snapshots(self) -> list[models.VolumeSnapshot]:
        """The project's available volume snapshots (see :mod:`.volumes`)."""
        return self._cinder.snapshots()

    def list_volume_types(self) -> list[models.VolumeType]:
        """The volume types the project may use (one Cinder call)."""
        return self._cinder.types()

    def list_server_groups(self) -> list[models.ServerGroup]:
        """The project's server groups."""
        with errors.translated("compute"):
            groups = self._compute().server_groups.list()
        return [convert.server_group(g.to_dict()) for g in groups]

    def import_keypair(self, name: str, public_key: str) -> models.KeyPair:
        """Add a key pair from a public key; Nova's refusal of a bad key or a
        name already taken (400, 409) becomes InvalidRequest."""
        if not public_key.strip():
            # without one, Nova before 2.92 would make a key pair for us
            raise cloud_errors.InvalidRequest(_l("A public key is needed."))
        with errors.translated("compute"):
            keypair = self._compute().keypairs.create(name, public_key=public_key)
        return convert.keypair(keypair.to_dict())

    # -- servers ------------------------------------------------------------

    def create_servers(self, request: models.ServerRequest) -> list[models.Server]:
        """Ask Nova for ``request.count`` servers and return them as first seen."""
        nova = self._compute()
        image, options = boot.create_arguments(request, nova.api_version)
        with errors.translated("compute"):
            created = nova.servers.create(request.name, image, request.flavor_id, **options)
            if request.count == 1:
                sent = options.get("description")
                return [servers.as_requested(created.id, request, description=sent)]
            made = nova.servers.list(search_opts={"reservation_id": str(created)})
        found = [convert.server(s.to_dict()) for s in made]
        return sorted(found, key=lambda s: (s.created, s.name))

    def get_server(self, server_id: str) -> models.Server:
        """One server of the project; raises NotFound."""
        with errors.translated("compute"):
            server = self._compute().servers.get(server_id)
        return convert.server(server.to_dict())

    def list_servers(self) -> list[models.Server]:
        """Every server of the project, newest first (one call per Nova page)."""
        return self._life.every()

    def list_servers_page(
        self,
        *,
        name: str | None = None,
        status: str | None = None,
        marker: str | None = None,
        limit: int = 50,
    ) -> models.ServerPage:
        """One page of servers, newest first, in one call (see :mod:`.servers`)."""
        return self._life.page(name=name, status=status, marker=marker, limit=limit)

    def delete_server(self, server_id: str) -> None:
        """Delete a server of the project; raises NotFound if it is gone."""
        with errors.translated("compute"):
            self._compute().servers.delete(server_id)

    def stop_server(self, server_id: str) -> None:
        """Power a server off; Conflict when its state does not allow it."""
        self._life.stop(server_id)

    def set_server_metadata(self, server_id: str, items: Mapping[str, str | None]) -> None:
        """Set (or, for None, delete) metadata items, one call each."""
        self._life.set_metadata(server_id, items)

    def start_server(self, server_id: str) -> None:
        """Power a stopped server on; Conflict when its state does not allow it."""
        self._life.start(server_id)

    def reboot_server(self, server_id: str, *, hard: bool = False) -> None:
        """Reboot softly (ask the OS) or hard (power cycle); Conflict as above."""
        self._life.reboot(server_id, hard=hard)

    def console_output(self, server_id: str, *, lines: int = 50) -> str:
        """The last ``lines`` lines of the server's console log ("" if none)."""
        return self._life.console_output(server_id, lines=lines)

    def remote_console(self, server_id: str) -> models.RemoteConsole:
        """A console of the server in the first type the cloud gives."""
        return self._life.remote_console(server_id)

    def server_volumes(self, server_id: str) -> list[models.Volume]:
        """The volumes attached to the server, with sizes and devices."""
        return self._life.volumes(server_id)

    def server_ports(self, server_id: str) -> list[models.Port]:
        """The server's ports with their fixed IPs (empty without Neutron)."""
        return self._ports.of_server(server_id)

    def list_floating_ip_pools(self) -> list[models.Network]:
        """External networks; empty without Neutron's L3 API."""
        return self._ports.pools()

    def list_floating_ips(self) -> list[models.FloatingIP]:
        """The project's floating IPs, associated or not."""
        return self._ports.owned()

    def add_floating_ip(self, server_id: str, *, pool_id: str) -> models.FloatingIP:
        """A free or new floating IP of the pool on the server's first port."""
        return self._ports.add(server_id, pool_id)

    def remove_floating_ip(self, floating_ip_id: str) -> None:
        """Disassociate a floating IP from its server; the project keeps it."""
        self._ports.remove(floating_ip_id)

    def get_image(self, image_id: str) -> models.Image:
        """One image, bootable or not, whatever its status; NotFound when gone."""
        try:
            image = self._adapter("image")
        except rest.ServiceMissing as exc:
            raise cloud_errors.NotFound(
                _l("Image %(image_id)s could not be found.", image_id=image_id)
            ) from exc
        return convert.any_image(rest.glance_image(image, image_id))

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
                _l("The cloud did not answer: it has no compute service for you.")
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
