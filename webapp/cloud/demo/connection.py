"""One user's connection to the demo cloud, in one project.

The catalog (images, flavors, networks, ...) comes from :mod:`.data`; servers, key
pairs, volumes and used ports from the :class:`~.store.DemoStore` that every
connection of the provider shares. Creating servers checks the request as Nova would
(:mod:`.rules`, :mod:`.plan`) and starts their builds (:mod:`.build`); every call
first sleeps the store's latency.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import sqlite3
from collections.abc import Iterable
from typing import TypeVar

from webapp.cloud.demo import build
from webapp.cloud.demo import data
from webapp.cloud.demo import floating
from webapp.cloud.demo import plan
from webapp.cloud.demo import rules
from webapp.cloud.demo import servers
from webapp.cloud.demo.life import ServerLife
from webapp.cloud.demo.store import DemoStore
from webapp.cloud.demo.store import seed_keypair
from webapp.cloud.demo.store import server_row
from webapp.cloud.demo.store import usage
from webapp.cloud.demo.store import used_ports
from webapp.cloud.demo.store import volume_from_row
from webapp.cloud.demo.store import volume_usage
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.models import AvailabilityZone
from webapp.cloud.models import Features
from webapp.cloud.models import Flavor
from webapp.cloud.models import Identity
from webapp.cloud.models import Image
from webapp.cloud.models import KeyPair
from webapp.cloud.models import Limits
from webapp.cloud.models import Network
from webapp.cloud.models import Port
from webapp.cloud.models import SecurityGroup
from webapp.cloud.models import Server
from webapp.cloud.models import ServerGroup
from webapp.cloud.models import ServerPage
from webapp.cloud.models import ServerRequest
from webapp.cloud.models import Volume
from webapp.cloud.models import VolumeSnapshot
from webapp.cloud.models import VolumeType

__all__ = ["DemoConnection"]

_T = TypeVar("_T")

_NOVA_MICROVERSION = "2.96"


class DemoConnection(ServerLife):
    """Acts for one logged-in user in their current project (a CloudConnection).

    :param store: the demo cloud's state, shared with every other connection.
    :param identity: the user, scoped to their current project.
    """

    def __init__(self, *, store: DemoStore, identity: Identity) -> None:
        self.store = store
        self.identity = identity
        self.project = identity.project_name

    def features(self) -> Features:
        return Features(
            compute_microversion=_NOVA_MICROVERSION,
            description=True,
            tags=True,
            hostname=True,
            network_auto=True,
            network_none=True,
            volumes=True,
            volume_type=True,
            hostname_fqdn=True,
            remote_console=True,
        )

    # -- the catalog -------------------------------------------------------------

    def list_images(self) -> list[Image]:
        return self._listed(data.IMAGES)

    def list_flavors(self) -> list[Flavor]:
        return self._listed(data.FLAVORS)

    def list_networks(self) -> list[Network]:
        return self._listed(data.NETWORKS)

    def list_security_groups(self) -> list[SecurityGroup]:
        return self._listed(data.SECURITY_GROUPS)

    def list_availability_zones(self) -> list[AvailabilityZone]:
        return self._listed(zone for zone in data.AVAILABILITY_ZONES if zone.available)

    def list_volume_snapshots(self) -> list[VolumeSnapshot]:
        return self._listed(data.VOLUME_SNAPSHOTS.get(self.project, ()))

    def list_volume_types(self) -> list[VolumeType]:
        return self._listed(data.VOLUME_TYPES)

    def list_server_groups(self) -> list[ServerGroup]:
        return self._listed(data.SERVER_GROUPS)

    def _listed(self, items: Iterable[_T]) -> list[_T]:
        """A fixed list of the catalog, after the latency every call has."""
        self.store.pause()
        return list(items)

    # -- the state ---------------------------------------------------------------

    def list_keypairs(self) -> list[KeyPair]:
        self.store.pause()
        with self.store.db() as db:
            seed_keypair(db, self.identity.user_id)
            rows = db.execute(
                "SELECT name, public_key FROM keypairs WHERE user_id = ? ORDER BY name",
                (self.identity.user_id,),
            ).fetchall()
        return [KeyPair(row["name"], _fingerprint(row["public_key"])) for row in rows]

    def list_ports(self) -> list[Port]:
        self.store.pause()
        with self.store.db() as db:
            used = used_ports(db)
        return [p for p in data.PORTS.get(self.project, ()) if p.id not in used]

    def list_volumes(self) -> list[Volume]:
        self.store.pause()
        with self.store.db() as db:
            rows = db.execute(
                "SELECT * FROM volumes WHERE project_id = ? AND status = 'available' "
                "ORDER BY name, id",
                (self.identity.project_id,),
            ).fetchall()
        return [volume_from_row(row) for row in rows]

    def get_limits(self) -> Limits:
        """Quotas and usage; volume gigabytes count snapshots too, as Cinder's do."""
        self.store.pause()
        with self.store.db() as db:
            instances, cores, ram = usage(db, self.identity.project_id)
            volumes, gigabytes = volume_usage(db, self.identity.project_id, self.project)
        max_instances, max_cores, max_ram = data.QUOTAS[self.project]
        max_volumes, max_gigabytes = data.VOLUME_QUOTAS[self.project]
        return Limits(
            max_instances=max_instances,
            used_instances=instances,
            max_cores=max_cores,
            used_cores=cores,
            max_ram_mb=max_ram,
            used_ram_mb=ram,
            max_server_meta=data.MAX_SERVER_META,
            max_volumes=max_volumes,
            used_volumes=volumes,
            max_volume_gb=max_gigabytes,
            used_volume_gb=gigabytes,
        )

    def import_keypair(self, name: str, public_key: str) -> KeyPair:
        """Add a key pair, refusing a bad name or key and a name taken, like Nova."""
        self.store.pause()
        public_key = public_key.strip()
        rules.check_keypair_import(name, public_key)
        with self.store.db() as db:
            seed_keypair(db, self.identity.user_id)
            try:
                db.execute(
                    "INSERT INTO keypairs VALUES (?, ?, ?)",
                    (self.identity.user_id, name, public_key),
                )
            except sqlite3.IntegrityError:
                raise InvalidRequest(f"Key pair '{name}' already exists.") from None
        return KeyPair(name, _fingerprint(public_key))

    # -- servers -----------------------------------------------------------------

    def create_servers(self, request: ServerRequest) -> list[Server]:
        self.store.pause()
        rules.check_request(request, self.project)
        with self.store.transaction() as db:
            seed_keypair(db, self.identity.user_id)
            checked = plan.resolve(db, self.identity, request)
            rules.check_keypair(db, self.identity.user_id, request.key_name)
            rules.check_quota(db, self.identity, checked.flavor, request.count)
            ids = [
                build.start(
                    db,
                    self.identity,
                    request,
                    checked,
                    index=n,
                    build_seconds=self.store.build_seconds,
                )
                for n in range(request.count)
            ]
        return [self.get_server(server_id) for server_id in ids]

    def get_server(self, server_id: str) -> Server:
        self.store.pause()
        with self.store.db() as db:
            return servers.get(db, server_id, self.identity.project_id)

    def list_servers(self) -> list[Server]:
        self.store.pause()
        with self.store.db() as db:
            return servers.listing(db, self.identity.project_id)

    def list_servers_page(
        self,
        *,
        name: str | None = None,
        status: str | None = None,
        marker: str | None = None,
        limit: int = 50,
    ) -> ServerPage:
        self.store.pause()
        with self.store.db() as db:
            every = servers.listing(db, self.identity.project_id)
        return servers.page(every, name=name, status=status, marker=marker, limit=limit)

    def delete_server(self, server_id: str) -> None:
        """Delete a server at once, whatever its state: its ports become free
        again, its floating IPs unassociated, its volumes available, except those
        to delete on termination (unless a snapshot depends on one, which Cinder
        would refuse to delete)."""
        self.store.pause()
        with self.store.transaction() as db:
            server_row(db, server_id, self.identity.project_id)
            kept = {s.volume_id for s in data.VOLUME_SNAPSHOTS.get(self.project, ())}
            for row in db.execute(
                "SELECT id, delete_on_termination FROM volumes WHERE server_id = ?",
                (server_id,),
            ).fetchall():
                if row["delete_on_termination"] and row["id"] not in kept:
                    db.execute("DELETE FROM volumes WHERE id = ?", (row["id"],))
                else:
                    db.execute(
                        "UPDATE volumes SET status = 'available', server_id = NULL, "
                        "delete_on_termination = 0 WHERE id = ?",
                        (row["id"],),
                    )
            floating.release(db, server_id)
            db.execute("DELETE FROM used_ports WHERE server_id = ?", (server_id,))
            db.execute("DELETE FROM servers WHERE id = ?", (server_id,))


def _fingerprint(public_key: str) -> str:
    """Nova's fingerprint of an ssh key: the MD5 of its decoded blob."""
    parts = public_key.split()
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (IndexError, binascii.Error, ValueError):
        blob = public_key.encode()
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
