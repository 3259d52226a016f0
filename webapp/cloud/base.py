"""The interface between the portal and a cloud: a provider and per-user connections.

A :class:`CloudProvider` is built once per app (see :func:`webapp.cloud.init_app`)
and knows how to log users in. A :class:`CloudConnection` is built per request from
the logged-in user's :class:`~webapp.cloud.models.Identity` and does the work. Both
return dataclasses from :mod:`webapp.cloud.models` and raise only the errors of
:mod:`webapp.cloud.errors`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from webapp.cloud.models import AvailabilityZone
from webapp.cloud.models import Features
from webapp.cloud.models import Flavor
from webapp.cloud.models import FloatingIP
from webapp.cloud.models import Identity
from webapp.cloud.models import Image
from webapp.cloud.models import KeyPair
from webapp.cloud.models import Limits
from webapp.cloud.models import Network
from webapp.cloud.models import Port
from webapp.cloud.models import RemoteConsole
from webapp.cloud.models import SecurityGroup
from webapp.cloud.models import Server
from webapp.cloud.models import ServerGroup
from webapp.cloud.models import ServerPage
from webapp.cloud.models import ServerRequest
from webapp.cloud.models import Volume
from webapp.cloud.models import VolumeSnapshot
from webapp.cloud.models import VolumeType

__all__ = ["CloudConnection", "CloudProvider"]


class CloudConnection(Protocol):
    """What the launch wizard and the server pages need from a cloud, for one user."""

    def features(self) -> Features:
        """What this cloud supports (negotiated microversion, optional services)."""

    def list_images(self) -> list[Image]:
        """Active, launchable images and instance snapshots, without duplicates."""

    def list_flavors(self) -> list[Flavor]:
        """Flavors the project may use."""

    def list_keypairs(self) -> list[KeyPair]:
        """The user's key pairs."""

    def list_networks(self) -> list[Network]:
        """Networks usable by the project (its own and shared ones)."""

    def list_security_groups(self) -> list[SecurityGroup]:
        """The project's security groups."""

    def list_availability_zones(self) -> list[AvailabilityZone]:
        """Availability zones that are up."""

    def get_limits(self) -> Limits:
        """The project's quotas and usage (volume figures when Cinder is there)."""

    def list_ports(self) -> list[Port]:
        """The project's ports that no server uses (device_owner empty)."""

    def list_volumes(self) -> list[Volume]:
        """The project's available volumes; empty without a block-storage service."""

    def list_volume_snapshots(self) -> list[VolumeSnapshot]:
        """The project's available volume snapshots; empty without block storage."""

    def list_volume_types(self) -> list[VolumeType]:
        """Volume types; empty without block storage."""

    def list_server_groups(self) -> list[ServerGroup]:
        """The project's server groups."""

    def import_keypair(self, name: str, public_key: str) -> KeyPair:
        """Add a key pair from a public key; InvalidRequest for a bad key or a
        name already taken."""

    def delete_server(self, server_id: str) -> None:
        """Delete a server of the project; NotFound if there is none."""

    def set_server_metadata(self, server_id: str, items: Mapping[str, str | None]) -> None:
        """Set these metadata items of a server (None deletes one), keeping the
        others. NotFound; Conflict while Nova's state forbids it (building, a
        task in progress); QuotaExceeded beyond the project's metadata limit."""

    def create_servers(self, request: ServerRequest) -> list[Server]:
        """Ask for ``request.count`` servers; returns them as first seen (BUILD).

        Sends only what the request holds and the cloud's microversion allows;
        ``networks`` is always explicit from 2.37.
        """

    def get_server(self, server_id: str) -> Server:
        """One server of the project; raises NotFound."""

    def list_servers(self) -> list[Server]:
        """Every server of the project, newest first (following Nova's pages)."""

    def list_servers_page(
        self,
        *,
        name: str | None = None,
        status: str | None = None,
        marker: str | None = None,
        limit: int = 50,
    ) -> ServerPage:
        """One page of the project's servers with details, newest first.

        ``name`` keeps servers whose name contains it (plain text, not a pattern);
        ``status`` one Nova status ("ACTIVE", "ERROR", ...); ``marker`` is the
        ``next_marker`` of the page before. One call to Nova.
        """

    # -- what happens to a server after its launch ---------------------------

    def stop_server(self, server_id: str) -> None:
        """Power a server off; Conflict when its state does not allow it."""

    def start_server(self, server_id: str) -> None:
        """Power a stopped server on; Conflict when its state does not allow it."""

    def reboot_server(self, server_id: str, *, hard: bool = False) -> None:
        """Reboot (soft: ask the OS; hard: power cycle); Conflict as above."""

    def console_output(self, server_id: str, *, lines: int = 50) -> str:
        """The last ``lines`` lines of the server's console log ("" if none)."""

    def remote_console(self, server_id: str) -> RemoteConsole:
        """A graphical console of the server, in a protocol the cloud offers;
        InvalidRequest when it offers none (and ``features().remote_console``
        is False from then on)."""

    def get_image(self, image_id: str) -> Image:
        """One image, even one the lists leave out; NotFound when it is gone."""

    def server_volumes(self, server_id: str) -> list[Volume]:
        """The volumes attached to the server, with sizes and devices."""

    def server_ports(self, server_id: str) -> list[Port]:
        """The server's ports with their fixed IPs (empty without Neutron)."""

    def list_floating_ip_pools(self) -> list[Network]:
        """External networks floating IPs come from; empty when the cloud has no
        floating IPs (no L3 API)."""

    def list_floating_ips(self) -> list[FloatingIP]:
        """The project's floating IPs, associated or not."""

    def add_floating_ip(self, server_id: str, *, pool_id: str) -> FloatingIP:
        """Give the server a floating IP from the pool: a free one the project
        already holds there, else a new one; associated with the server's first
        port. QuotaExceeded when the pool or quota has none left."""

    def remove_floating_ip(self, floating_ip_id: str) -> None:
        """Disassociate a floating IP from its server; the project keeps it."""


class CloudProvider(Protocol):
    """Logs users in to one cloud and opens connections for them."""

    #: shown in the page header, e.g. "Demo cloud" or the Keystone host
    label: str
    #: True for the built-in demo cloud, which the UI announces as such
    is_demo: bool

    def login(
        self,
        username: str,
        password: str,
        domain: str | None = None,
        project_id: str | None = None,
    ) -> Identity:
        """Check the credentials; scope to ``project_id`` if given and still the
        user's (their last used project), else to their first project.

        Raises Unauthorized for bad credentials or a user without projects.
        """

    def websso_check(self, token: str) -> None:
        """Ask the configured cloud whether ``token``, an unscoped token its
        single sign-on (Keystone WebSSO) handed to the browser, is valid.

        Raises Unauthorized when it is not (or the cloud offers no single sign-on).
        """

    def websso_login(self, token: str, project_id: str | None = None) -> Identity:
        """Log in with a single sign-on ``token``: scope to ``project_id`` if still
        the user's, else to their first project; project switches rescope from
        ``token``, and logout revokes it too.

        Raises Unauthorized for a token refused or a user without projects.
        """

    def switch_project(self, identity: Identity, project_id: str) -> Identity:
        """The same user, scoped to another of their projects."""

    def switch_region(self, identity: Identity, region: str) -> Identity:
        """The same login, its calls sent to another of ``identity.regions``;
        NotFound for a region that is not one of them."""

    def logout(self, identity: Identity) -> None:
        """End the user's token (best effort: never raises)."""

    def connect(self, identity: Identity) -> CloudConnection:
        """A connection acting for this user in their current project; may
        raise Unauthorized when the stored login can no longer be used."""
