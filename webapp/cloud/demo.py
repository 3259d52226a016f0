"""The built-in demo cloud: an honest in-process simulation of a small OpenStack.

It checks requests the way Nova does (unknown image or flavor, networks without a
subnet, image minimums, enforced per-project quotas with Nova's messages) and
servers go BUILD -> ACTIVE after a few seconds, or BUILD -> ERROR with a fault when
no host can take them. Servers and key pairs live in a SQLite file, so the state
survives a restart and is shared by every worker process on the host.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import time
import uuid

from webapp.cloud import demo_data
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import NotFound
from webapp.cloud.errors import QuotaExceeded
from webapp.cloud.errors import Unauthorized
from webapp.cloud.models import AvailabilityZone
from webapp.cloud.models import Features
from webapp.cloud.models import Flavor
from webapp.cloud.models import Identity
from webapp.cloud.models import Image
from webapp.cloud.models import KeyPair
from webapp.cloud.models import Limits
from webapp.cloud.models import Network
from webapp.cloud.models import Project
from webapp.cloud.models import SecurityGroup
from webapp.cloud.models import Server
from webapp.cloud.models import ServerRequest

__all__ = ["DemoConnection", "DemoProvider"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS servers (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, user_id TEXT NOT NULL,
    name TEXT NOT NULL, flavor_id TEXT NOT NULL, image_id TEXT NOT NULL,
    key_name TEXT, availability_zone TEXT, networks TEXT NOT NULL,
    security_groups TEXT NOT NULL, description TEXT, user_data TEXT,
    status TEXT NOT NULL, final_status TEXT NOT NULL, fault TEXT,
    created_at REAL NOT NULL, ready_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS keypairs (
    user_id TEXT NOT NULL, name TEXT NOT NULL, public_key TEXT NOT NULL,
    PRIMARY KEY (user_id, name)
);
"""

_NOVA_MICROVERSION = "2.96"


class DemoProvider:
    """Logs the demo users in and opens :class:`DemoConnection` objects.

    :param path: the SQLite file holding the demo cloud's state.
    :param build_seconds: how long a server stays in BUILD.
    :param token_ttl: how long a login lasts, in seconds.
    :param latency: seconds every call sleeps, to feel like a real cloud.
    """

    label = "Demo cloud"
    is_demo = True

    def __init__(
        self,
        path: str,
        *,
        build_seconds: float = 3.0,
        token_ttl: float = 12 * 3600,
        latency: float = 0.0,
    ) -> None:
        self.path = path
        self.build_seconds = build_seconds
        self.token_ttl = token_ttl
        self.latency = latency
        with self.db() as db:
            db.executescript(_SCHEMA)

    def db(self) -> sqlite3.Connection:
        """A connection to the state file (one per call: cheap, and safe across threads)."""
        return sqlite3.connect(self.path, timeout=10)

    def login(self, username, password, domain=None, project_id=None) -> Identity:
        self._pause()
        user = demo_data.USERS.get(username)
        if user is None or not hmac.compare_digest(user["password"], password):
            raise Unauthorized("Invalid user name or password.")
        projects = tuple(
            Project(demo_data.PROJECTS[name]["id"], name) for name in user["projects"]
        )
        chosen = next((p for p in projects if p.id == project_id), projects[0])
        return self._identity(username, user["id"], chosen, projects)

    def switch_project(self, identity: Identity, project_id: str) -> Identity:
        self._pause()
        project = next((p for p in identity.projects if p.id == project_id), None)
        if project is None:
            raise NotFound("You are not a member of that project.")
        return self._identity(identity.user_name, identity.user_id, project, identity.projects)

    def logout(self, identity: Identity) -> None:
        """Demo logins are not recorded anywhere, so there is nothing to revoke."""

    def connect(self, identity: Identity) -> DemoConnection:
        state = json.loads(identity.auth_state)
        if state["expires_at"] < time.time():
            raise Unauthorized("Your login has expired. Log in again.")
        return DemoConnection(self, identity)

    def _identity(self, username, user_id, project, projects) -> Identity:
        state = {"project_id": project.id, "expires_at": time.time() + self.token_ttl}
        return Identity(
            user_id=user_id,
            user_name=username,
            project_id=project.id,
            project_name=project.name,
            projects=projects,
            auth_state=json.dumps(state),
        )

    def _pause(self) -> None:
        if self.latency:
            time.sleep(self.latency)


class DemoConnection:
    """One user's view of the demo cloud, in their current project."""

    def __init__(self, provider: DemoProvider, identity: Identity) -> None:
        self.provider = provider
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
            volumes=False,
        )

    def list_images(self) -> list[Image]:
        self.provider._pause()
        return list(demo_data.IMAGES)

    def list_flavors(self) -> list[Flavor]:
        self.provider._pause()
        return list(demo_data.FLAVORS)

    def list_networks(self) -> list[Network]:
        self.provider._pause()
        return list(demo_data.NETWORKS)

    def list_security_groups(self) -> list[SecurityGroup]:
        self.provider._pause()
        return list(demo_data.SECURITY_GROUPS)

    def list_availability_zones(self) -> list[AvailabilityZone]:
        self.provider._pause()
        return [zone for zone in demo_data.AVAILABILITY_ZONES if zone.available]

    def list_keypairs(self) -> list[KeyPair]:
        self.provider._pause()
        with self.provider.db() as db:
            self._seed_keypair(db)
            rows = db.execute(
                "SELECT name, public_key FROM keypairs WHERE user_id = ? ORDER BY name",
                (self.identity.user_id,),
            ).fetchall()
        return [KeyPair(name, _fingerprint(key)) for name, key in rows]

    def get_limits(self) -> Limits:
        self.provider._pause()
        with self.provider.db() as db:
            instances, cores, ram = self._usage(db)
        max_instances, max_cores, max_ram = demo_data.QUOTAS[self.project]
        return Limits(
            max_instances=max_instances,
            used_instances=instances,
            max_cores=max_cores,
            used_cores=cores,
            max_ram_mb=max_ram,
            used_ram_mb=ram,
        )

    def create_servers(self, request: ServerRequest) -> list[Server]:
        self.provider._pause()
        image, flavor, networks = self._check(request)
        # BEGIN IMMEDIATE makes the quota check and the insert one step for every
        # worker process sharing the file.
        with self.provider.db() as db:
            db.execute("BEGIN IMMEDIATE")
            self._seed_keypair(db)
            self._check_keypair(db, request.key_name)
            self._check_quota(db, flavor, request.count)
            ids = [self._insert(db, request, image, flavor, networks, n) for n in range(request.count)]
        return [self.get_server(server_id) for server_id in ids]

    def get_server(self, server_id: str) -> Server:
        self.provider._pause()
        with self.provider.db() as db:
            self._settle(db)
            row = db.execute(
                "SELECT * FROM servers WHERE id = ? AND project_id = ?",
                (server_id, self.identity.project_id),
            ).fetchone()
        if row is None:
            raise NotFound(f"Instance {server_id} could not be found.")
        return _server(row)

    def list_servers(self) -> list[Server]:
        self.provider._pause()
        with self.provider.db() as db:
            self._settle(db)
            rows = db.execute(
                "SELECT * FROM servers WHERE project_id = ? ORDER BY created_at DESC, name",
                (self.identity.project_id,),
            ).fetchall()
        return [_server(row) for row in rows]

    # -- what Nova would refuse -------------------------------------------------

    def _check(self, request: ServerRequest):
        if not request.name.strip():
            raise InvalidRequest("Invalid input for field/attribute name: the name is empty.")
        image = next((i for i in demo_data.IMAGES if i.id == request.image_id), None)
        if image is None:
            raise InvalidRequest("Can not find requested image")
        flavor = next((f for f in demo_data.FLAVORS if f.id == request.flavor_id), None)
        if flavor is None:
            raise InvalidRequest(f"Flavor {request.flavor_id} could not be found.")
        if flavor.ram_mb < image.min_ram_mb:
            raise InvalidRequest("Flavor's memory is too small for requested image.")
        if flavor.disk_gb < image.min_disk_gb:
            raise InvalidRequest("Flavor's disk is too small for requested image.")
        if request.count < 1:
            raise InvalidRequest("min_count must be at least 1.")
        zones = {z.name for z in demo_data.AVAILABILITY_ZONES if z.available}
        if request.availability_zone and request.availability_zone not in zones:
            raise InvalidRequest(
                f"The requested availability zone is not available: {request.availability_zone}"
            )
        groups = {g.name for g in demo_data.SECURITY_GROUPS} | {g.id for g in demo_data.SECURITY_GROUPS}
        for group in request.security_groups:
            if group not in groups:
                raise InvalidRequest(f"Security group {group} not found for project {self.project}.")
        return image, flavor, self._networks(request.networks)

    def _networks(self, requested) -> list[Network]:
        by_id = {n.id: n for n in demo_data.NETWORKS}
        if requested == "none":
            return []
        if requested == "auto":
            return [demo_data.NETWORKS[0]]
        networks = []
        for net_id in requested:
            network = by_id.get(net_id)
            if network is None:
                raise InvalidRequest(f"Network {net_id} could not be found.")
            if not network.has_subnet:
                raise InvalidRequest(
                    f"Network {net_id} requires a subnet in order to boot instances on."
                )
            networks.append(network)
        return networks

    def _check_keypair(self, db, key_name) -> None:
        if not key_name:
            return
        found = db.execute(
            "SELECT 1 FROM keypairs WHERE user_id = ? AND name = ?",
            (self.identity.user_id, key_name),
        ).fetchone()
        if not found:
            raise InvalidRequest("Invalid key_name provided.")

    def _check_quota(self, db, flavor: Flavor, count: int) -> None:
        used = self._usage(db)
        limits = demo_data.QUOTAS[self.project]
        wanted = (count, count * flavor.vcpus, count * flavor.ram_mb)
        for resource, in_use, limit, asked in zip(("instances", "cores", "ram"), used, limits, wanted):
            if in_use + asked > limit:
                raise QuotaExceeded(
                    f"Quota exceeded for {resource}: Requested {asked}, but already used "
                    f"{in_use} of {limit} {resource}",
                    request_id=f"req-{uuid.uuid4()}",
                )

    # -- state --------------------------------------------------------------

    def _usage(self, db) -> tuple[int, int, int]:
        flavors = {f.id: f for f in demo_data.FLAVORS}
        rows = db.execute(
            "SELECT flavor_id FROM servers WHERE project_id = ?", (self.identity.project_id,)
        ).fetchall()
        used = [flavors[flavor_id] for (flavor_id,) in rows]
        return len(used), sum(f.vcpus for f in used), sum(f.ram_mb for f in used)

    def _insert(self, db, request, image, flavor, networks, index) -> str:
        server_id = str(uuid.uuid4())
        name = request.name if request.count == 1 else f"{request.name}-{index + 1}"
        number = db.execute("SELECT COUNT(*) FROM servers").fetchone()[0] + 10
        addresses = [
            f"{net.name}: {net.subnets[0].rsplit('.', 1)[0]}.{number % 250 + 2}" for net in networks
        ]
        placeable = flavor.ram_mb <= demo_data.HOST_RAM_MB
        now = time.time()
        db.execute(
            "INSERT INTO servers VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                server_id, self.identity.project_id, self.identity.user_id, name,
                flavor.id, image.id, request.key_name,
                request.availability_zone or "nova", json.dumps(addresses),
                json.dumps(list(request.security_groups) or ["default"]),
                request.description, request.user_data, "BUILD",
                "ACTIVE" if placeable else "ERROR",
                None if placeable else
                "No valid host was found. There are not enough hosts available.",
                now, now + self.provider.build_seconds,
            ),
        )
        return server_id

    def _settle(self, db) -> None:
        """Move every server whose build time is over to its final status."""
        db.execute(
            "UPDATE servers SET status = final_status WHERE status = 'BUILD' AND ready_at <= ?",
            (time.time(),),
        )

    def _seed_keypair(self, db) -> None:
        db.execute(
            "INSERT OR IGNORE INTO keypairs VALUES (?, ?, ?)",
            (self.identity.user_id, *demo_data.SEED_KEYPAIR),
        )


def _fingerprint(public_key: str) -> str:
    digest = hashlib.md5(public_key.encode(), usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def _server(row) -> Server:
    (server_id, _project, _user, name, flavor_id, image_id, key_name, zone, networks,
     groups, description, _user_data, status, _final, fault, created_at, _ready) = row
    return Server(
        id=server_id,
        name=name,
        status=status,
        flavor_id=flavor_id,
        image_id=image_id,
        key_name=key_name,
        availability_zone=zone,
        addresses=tuple(json.loads(networks)),
        security_groups=tuple(json.loads(groups)),
        description=description,
        fault=fault if status == "ERROR" else None,
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created_at)),
    )
