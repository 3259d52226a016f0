"""The built-in demo cloud: an honest in-process simulation of a small OpenStack.

It checks requests the way Nova does (unknown image or flavor, networks without a
subnet, image minimums, boot sources, ports and fixed IPs, metadata, tags, hostnames,
enforced per-project quotas with Nova's messages) and servers go BUILD -> ACTIVE
after a few seconds, or BUILD -> ERROR with a fault when no host can take them or
Cinder's volume quota cannot (as on a real cloud, that is not an API error). Servers,
key pairs, volumes and used ports live in a SQLite file, so the state survives a
restart and is shared by every worker process on the host.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
import ipaddress
import json
import re
import sqlite3
import struct
import time
import uuid

from webapp.cloud import demo_data
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import NotFound
from webapp.cloud.errors import QuotaExceeded
from webapp.cloud.errors import Unauthorized
from webapp.cloud.models import AvailabilityZone
from webapp.cloud.models import BlockDevice
from webapp.cloud.models import Features
from webapp.cloud.models import Flavor
from webapp.cloud.models import Identity
from webapp.cloud.models import Image
from webapp.cloud.models import KeyPair
from webapp.cloud.models import Limits
from webapp.cloud.models import Network
from webapp.cloud.models import Port
from webapp.cloud.models import Project
from webapp.cloud.models import SecurityGroup
from webapp.cloud.models import Server
from webapp.cloud.models import ServerGroup
from webapp.cloud.models import ServerRequest
from webapp.cloud.models import Volume
from webapp.cloud.models import VolumeSnapshot
from webapp.cloud.models import VolumeType

__all__ = ["DemoConnection", "DemoProvider"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS servers (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, user_id TEXT NOT NULL,
    name TEXT NOT NULL, flavor_id TEXT NOT NULL, image_id TEXT NOT NULL,
    key_name TEXT, availability_zone TEXT, networks TEXT NOT NULL,
    security_groups TEXT NOT NULL, description TEXT, user_data TEXT,
    status TEXT NOT NULL, final_status TEXT NOT NULL, fault TEXT,
    created_at REAL NOT NULL, ready_at REAL NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS keypairs (
    user_id TEXT NOT NULL, name TEXT NOT NULL, public_key TEXT NOT NULL,
    PRIMARY KEY (user_id, name)
);
CREATE TABLE IF NOT EXISTS volumes (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL,
    size_gb INTEGER NOT NULL, status TEXT NOT NULL, bootable INTEGER NOT NULL,
    volume_type TEXT NOT NULL, availability_zone TEXT NOT NULL,
    image_min_disk_gb INTEGER NOT NULL, image_min_ram_mb INTEGER NOT NULL,
    server_id TEXT, delete_on_termination INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS used_ports (
    port_id TEXT PRIMARY KEY, server_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seeded (what TEXT PRIMARY KEY);
"""

_NOVA_MICROVERSION = "2.96"

#: Nova's patterns (schemas of 2.96): metadata keys, key pair names, FQDN hostnames
_METADATA_KEY = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")
_KEYPAIR_NAME = re.compile(r"^[_\-@. a-zA-Z0-9]{1,255}$")
_HOSTNAME = re.compile(r"^[a-zA-Z0-9-._]{1,255}$")
#: the key types Nova accepts for ssh key pairs
_KEY_TYPES = (
    "ssh-rsa",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
)
_GIB = 1024**3


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
            _upgrade(db)
            _seed_volumes(db)

    def db(self) -> sqlite3.Connection:
        """A connection to the state file (one per call: cheap, and safe across threads)."""
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        return db

    def login(self, username, password, domain=None, project_id=None) -> Identity:
        self._pause()
        user = demo_data.USERS.get(username)
        if user is None or not hmac.compare_digest(user["password"], password):
            raise Unauthorized("Invalid user name or password.")
        projects = tuple(Project(demo_data.PROJECTS[name]["id"], name) for name in user["projects"])
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


@dataclasses.dataclass(frozen=True)
class _Nic:
    """A network interface as checked: where it goes and its fixed address, if any."""

    network: Network
    address: str | None = None
    port: Port | None = None


@dataclasses.dataclass(frozen=True)
class _Disk:
    """A block device as checked, with what the volume behind it will be."""

    device: BlockDevice
    size_gb: int
    bootable: bool = False
    min_disk_gb: int = 0
    min_ram_mb: int = 0
    existing: bool = False  # an existing volume, rather than one to create


@dataclasses.dataclass(frozen=True)
class _Plan:
    """A request that passed every check, ready to be inserted."""

    image: Image | None
    flavor: Flavor
    nics: tuple[_Nic, ...]
    disks: tuple[_Disk, ...]


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
            volumes=True,
            volume_type=True,
            hostname_fqdn=True,
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
        return [KeyPair(row["name"], _fingerprint(row["public_key"])) for row in rows]

    def list_ports(self) -> list[Port]:
        self.provider._pause()
        with self.provider.db() as db:
            used = _used_ports(db)
        return [p for p in demo_data.PORTS.get(self.project, ()) if p.id not in used]

    def list_volumes(self) -> list[Volume]:
        self.provider._pause()
        with self.provider.db() as db:
            rows = db.execute(
                "SELECT * FROM volumes WHERE project_id = ? AND status = 'available' "
                "ORDER BY name, id",
                (self.identity.project_id,),
            ).fetchall()
        return [_volume(row) for row in rows]

    def list_volume_snapshots(self) -> list[VolumeSnapshot]:
        self.provider._pause()
        return list(demo_data.VOLUME_SNAPSHOTS.get(self.project, ()))

    def list_volume_types(self) -> list[VolumeType]:
        self.provider._pause()
        return list(demo_data.VOLUME_TYPES)

    def list_server_groups(self) -> list[ServerGroup]:
        self.provider._pause()
        return list(demo_data.SERVER_GROUPS)

    def get_limits(self) -> Limits:
        """Quotas and usage; volume gigabytes count snapshots too, as Cinder's do."""
        self.provider._pause()
        with self.provider.db() as db:
            instances, cores, ram = self._usage(db)
            volumes, gigabytes = self._volume_usage(db)
        max_instances, max_cores, max_ram = demo_data.QUOTAS[self.project]
        max_volumes, max_gigabytes = demo_data.VOLUME_QUOTAS[self.project]
        return Limits(
            max_instances=max_instances,
            used_instances=instances,
            max_cores=max_cores,
            used_cores=cores,
            max_ram_mb=max_ram,
            used_ram_mb=ram,
            max_server_meta=demo_data.MAX_SERVER_META,
            max_volumes=max_volumes,
            used_volumes=volumes,
            max_volume_gb=max_gigabytes,
            used_volume_gb=gigabytes,
        )

    def import_keypair(self, name: str, public_key: str) -> KeyPair:
        """Add a key pair, refusing a bad name or key and a name taken, like Nova."""
        self.provider._pause()
        if not _KEYPAIR_NAME.match(name or ""):
            raise InvalidRequest(
                f"Invalid input for field/attribute name. Value: {name}. A key pair "
                "name has 1 to 255 letters, digits, spaces and _ - @ . characters."
            )
        public_key = public_key.strip()
        if not _valid_public_key(public_key):
            raise InvalidRequest("Keypair data is invalid: failed to generate fingerprint")
        with self.provider.db() as db:
            self._seed_keypair(db)
            try:
                db.execute(
                    "INSERT INTO keypairs VALUES (?, ?, ?)",
                    (self.identity.user_id, name, public_key),
                )
            except sqlite3.IntegrityError:
                raise InvalidRequest(f"Key pair '{name}' already exists.") from None
        return KeyPair(name, _fingerprint(public_key))

    def create_servers(self, request: ServerRequest) -> list[Server]:
        self.provider._pause()
        self._check_request(request)
        # BEGIN IMMEDIATE makes the checks against the state (volumes, ports,
        # quotas) and the inserts one step for every worker process sharing the file.
        with self.provider.db() as db:
            db.execute("BEGIN IMMEDIATE")
            self._seed_keypair(db)
            plan = self._plan(db, request)
            self._check_keypair(db, request.key_name)
            self._check_quota(db, plan.flavor, request.count)
            ids = [self._insert(db, request, plan, n) for n in range(request.count)]
        return [self.get_server(server_id) for server_id in ids]

    def get_server(self, server_id: str) -> Server:
        self.provider._pause()
        with self.provider.db() as db:
            self._settle(db)
            row = self._server_row(db, server_id)
            volumes = [
                v for (v,) in db.execute("SELECT id FROM volumes WHERE server_id = ?", (server_id,))
            ]
        return _server(row, volumes)

    def list_servers(self) -> list[Server]:
        self.provider._pause()
        with self.provider.db() as db:
            self._settle(db)
            rows = db.execute(
                "SELECT * FROM servers WHERE project_id = ? ORDER BY created_at DESC, name",
                (self.identity.project_id,),
            ).fetchall()
        return [_server(row) for row in rows]

    def delete_server(self, server_id: str) -> None:
        """Delete a server at once: its ports become free again, its volumes
        available, except those to delete on termination (unless a snapshot
        depends on one, which Cinder would refuse to delete)."""
        self.provider._pause()
        with self.provider.db() as db:
            db.execute("BEGIN IMMEDIATE")
            self._server_row(db, server_id)
            kept = {s.volume_id for s in demo_data.VOLUME_SNAPSHOTS.get(self.project, ())}
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
            db.execute("DELETE FROM used_ports WHERE server_id = ?", (server_id,))
            db.execute("DELETE FROM servers WHERE id = ?", (server_id,))

    # -- what Nova would refuse, without looking at the state ------------------

    def _check_request(self, request: ServerRequest) -> None:
        if not request.name.strip():
            raise InvalidRequest("Invalid input for field/attribute name: the name is empty.")
        if request.count < 1:
            raise InvalidRequest("min_count must be at least 1.")
        zones = {z.name for z in demo_data.AVAILABILITY_ZONES if z.available}
        if request.availability_zone and request.availability_zone not in zones:
            raise InvalidRequest(
                f"The requested availability zone is not available: {request.availability_zone}"
            )
        groups = {g.name for g in demo_data.SECURITY_GROUPS} | {
            g.id for g in demo_data.SECURITY_GROUPS
        }
        for group in request.security_groups:
            if group not in groups:
                raise InvalidRequest(
                    f"Security group {group} not found for project {self.project}."
                )
        _check_metadata(request.metadata)
        _check_tags(request.tags)
        _check_hostname(request.hostname, request.count)
        if request.disk_config not in (None, "AUTO", "MANUAL"):
            raise InvalidRequest(
                f"Invalid input for field/attribute OS-DCF:diskConfig. Value: "
                f"{request.disk_config}. It must be AUTO or MANUAL."
            )
        if request.server_group and request.server_group not in {
            g.id for g in demo_data.SERVER_GROUPS
        }:
            raise InvalidRequest(f"Instance group {request.server_group} could not be found.")

    # -- what Nova would refuse, given the state -------------------------------

    def _plan(self, db, request: ServerRequest) -> _Plan:
        flavor = next((f for f in demo_data.FLAVORS if f.id == request.flavor_id), None)
        if flavor is None:
            raise InvalidRequest(f"Flavor {request.flavor_id} could not be found.")
        image = None
        if request.image_id:
            image = next((i for i in demo_data.IMAGES if i.id == request.image_id), None)
            if image is None:
                raise InvalidRequest("Can not find requested image")
        disks = tuple(self._disk(db, device, request.count) for device in request.block_devices)
        _check_boot_sequence(image, disks)
        if image is not None:
            if flavor.disk_gb == 0:
                # a 403 in Nova (BootFromVolumeRequiredForZeroDiskFlavor)
                raise InvalidRequest(
                    "Only volume-backed servers are allowed for flavors with zero disk."
                )
            _check_minimums(flavor, image.min_ram_mb)
            if flavor.disk_gb < image.min_disk_gb:
                raise InvalidRequest("Flavor's disk is too small for requested image.")
        else:
            root = next(d for d in disks if d.device.boot_index == 0)
            _check_minimums(flavor, root.min_ram_mb)
            if root.size_gb < root.min_disk_gb:
                raise InvalidRequest(
                    "Volume is smaller than the minimum size specified in image metadata. "
                    f"Volume size is {root.size_gb * _GIB} bytes, minimum size is "
                    f"{root.min_disk_gb * _GIB} bytes."
                )
        nics = self._nics(db, request.networks, request.count)
        return _Plan(image=image, flavor=flavor, nics=nics, disks=disks)

    def _disk(self, db, device: BlockDevice, count: int) -> _Disk:
        """Check one block device; the volume it is or will be."""
        if device.source_type not in ("image", "volume", "snapshot", "blank"):
            raise InvalidRequest(
                f"Invalid input for field/attribute source_type. Value: {device.source_type}."
            )
        if device.destination_type != "volume":
            raise InvalidRequest(
                "Block Device Mapping is Invalid: the demo cloud makes volumes only "
                "(destination_type 'volume')."
            )
        if device.volume_size is not None and device.volume_size < 1:
            raise InvalidRequest(
                f"Invalid input for field/attribute volume_size. Value: {device.volume_size}."
            )
        if device.volume_type and device.volume_type not in {
            t.name for t in demo_data.VOLUME_TYPES
        } | {t.id for t in demo_data.VOLUME_TYPES}:
            raise InvalidRequest(f"Volume type {device.volume_type} could not be found.")
        if device.source_type == "volume":
            return self._existing_volume(db, device, count)
        if device.source_type == "snapshot":
            snapshots = demo_data.VOLUME_SNAPSHOTS.get(self.project, ())
            snapshot = next((s for s in snapshots if s.id == device.uuid), None)
            if snapshot is None:
                raise InvalidRequest(
                    f"Block Device Mapping is Invalid: failed to get snapshot {device.uuid}."
                )
            size = device.volume_size or snapshot.size_gb
            if size < snapshot.size_gb:
                # Cinder's refusal, which Nova reports when it makes the volume
                raise InvalidRequest(
                    f"Invalid input received: Volume size '{size}'GB cannot be smaller "
                    f"than the snapshot size {snapshot.size_gb}GB. They must be >= "
                    "original snapshot size."
                )
            return _Disk(
                device,
                size,
                snapshot.bootable,
                snapshot.image_min_disk_gb,
                snapshot.image_min_ram_mb,
            )
        if not device.volume_size:
            what = (
                "Images with destination_type 'volume'"
                if device.source_type == "image"
                else "Blank volumes (source: 'blank', dest: 'volume')"
            )
            raise InvalidRequest(
                f"Block Device Mapping is Invalid: {what} need to have a non-zero size"
            )
        if device.source_type == "image":
            image = next((i for i in demo_data.IMAGES if i.id == device.uuid), None)
            if image is None:
                raise InvalidRequest(
                    f"Block Device Mapping is Invalid: failed to get image {device.uuid}."
                )
            return _Disk(device, device.volume_size, True, image.min_disk_gb, image.min_ram_mb)
        return _Disk(device, device.volume_size)

    def _existing_volume(self, db, device: BlockDevice, count: int) -> _Disk:
        row = db.execute(
            "SELECT * FROM volumes WHERE id = ? AND project_id = ?",
            (device.uuid, self.identity.project_id),
        ).fetchone()
        if row is None or row["status"] != "available":
            raise InvalidRequest(
                f"Block Device Mapping is Invalid: failed to get volume {device.uuid}."
            )
        if count > 1:
            raise InvalidRequest(
                f"Invalid volume: volume {device.uuid} can be attached to one server "
                f"only, not to {count}."
            )
        if device.boot_index == 0 and not row["bootable"]:
            raise InvalidRequest(f"Block Device {device.uuid} is not bootable.")
        return _Disk(
            device,
            row["size_gb"],
            bool(row["bootable"]),
            row["image_min_disk_gb"],
            row["image_min_ram_mb"],
            existing=True,
        )

    def _nics(self, db, requested, count: int) -> tuple[_Nic, ...]:
        if requested == "none":
            return ()
        if requested == "auto" or not requested:
            # Nova's get-me-a-network: the project's network
            return (_Nic(demo_data.NETWORKS[0]),)
        by_id = {n.id: n for n in demo_data.NETWORKS}
        taken = self._addresses_in_use(db)
        used_ports = _used_ports(db)
        nics = []
        for nic in requested:
            if nic.port_id:
                nics.append(self._port_nic(nic.port_id, by_id, used_ports, count))
                continue
            if not nic.network_id:
                raise InvalidRequest("A network interface needs a network or a port.")
            network = by_id.get(nic.network_id)
            if network is None:
                raise InvalidRequest(f"Network {nic.network_id} could not be found.")
            if not network.has_subnet:
                raise InvalidRequest(
                    f"Network {nic.network_id} requires a subnet in order to boot instances on."
                )
            if nic.fixed_ip:
                _check_fixed_ip(nic.fixed_ip, network, count, taken)
                taken.add((network.name, str(ipaddress.ip_address(nic.fixed_ip))))
            nics.append(_Nic(network, nic.fixed_ip))
        return tuple(nics)

    def _port_nic(self, port_id, networks, used_ports, count) -> _Nic:
        port = next((p for p in demo_data.PORTS.get(self.project, ()) if p.id == port_id), None)
        if port is None:
            raise InvalidRequest(f"Port id {port_id} could not be found.")
        if port_id in used_ports:
            raise InvalidRequest(f"Port {port_id} is still in use.")
        if count > 1:
            raise InvalidRequest(
                "Failed to launch instances: Unable to launch multiple instances with a "
                "single configured port ID. Please launch your instance one by one with "
                "different ports."
            )
        address = port.fixed_ips[0] if port.fixed_ips else None
        return _Nic(networks[port.network_id], address, port)

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
        for resource, in_use, limit, asked in zip(
            ("instances", "cores", "ram"), used, limits, wanted, strict=True
        ):
            if in_use + asked > limit:
                raise QuotaExceeded(
                    f"Quota exceeded for {resource}: Requested {asked}, but already used "
                    f"{in_use} of {limit} {resource}",
                    request_id=f"req-{uuid.uuid4()}",
                )

    # -- state --------------------------------------------------------------

    def _server_row(self, db, server_id: str) -> sqlite3.Row:
        row = db.execute(
            "SELECT * FROM servers WHERE id = ? AND project_id = ?",
            (server_id, self.identity.project_id),
        ).fetchone()
        if row is None:
            raise NotFound(f"Instance {server_id} could not be found.")
        return row

    def _usage(self, db) -> tuple[int, int, int]:
        flavors = {f.id: f for f in demo_data.FLAVORS}
        rows = db.execute(
            "SELECT flavor_id FROM servers WHERE project_id = ?", (self.identity.project_id,)
        ).fetchall()
        used = [flavors[row["flavor_id"]] for row in rows]
        return len(used), sum(f.vcpus for f in used), sum(f.ram_mb for f in used)

    def _volume_usage(self, db) -> tuple[int, int]:
        """Volumes and gigabytes in use (snapshots count towards gigabytes)."""
        row = db.execute(
            "SELECT COUNT(*) AS n, COALESCE(SUM(size_gb), 0) AS gb FROM volumes "
            "WHERE project_id = ?",
            (self.identity.project_id,),
        ).fetchone()
        snapshots = sum(s.size_gb for s in demo_data.VOLUME_SNAPSHOTS.get(self.project, ()))
        return row["n"], row["gb"] + snapshots

    def _volume_fault(self, db, server_id: str, disks: tuple[_Disk, ...]) -> str | None:
        """Cinder's refusal of this server's new volumes, as Nova's build fault.

        Nova makes the volumes after accepting the request, so going over the
        volume quota ends the build in ERROR rather than failing the request.
        """
        new = [d.size_gb for d in disks if not d.existing]
        if not new:
            return None
        volumes, gigabytes = self._volume_usage(db)
        max_volumes, max_gigabytes = demo_data.VOLUME_QUOTAS[self.project]
        aborted = f"Build of instance {server_id} aborted:"
        for size in new:
            if volumes + 1 > max_volumes:
                return (
                    f"{aborted} VolumeLimitExceeded: Maximum number of volumes allowed "
                    f"({max_volumes}) exceeded for quota 'volumes'."
                )
            if gigabytes + size > max_gigabytes:
                return (
                    f"{aborted} VolumeSizeExceedsAvailableQuota: Requested volume or "
                    f"snapshot exceeds allowed gigabytes quota. Requested {size}G, quota "
                    f"is {max_gigabytes}G and {gigabytes}G has been consumed."
                )
            volumes, gigabytes = volumes + 1, gigabytes + size
        return None

    def _insert(self, db, request: ServerRequest, plan: _Plan, index: int) -> str:
        server_id = str(uuid.uuid4())
        name = request.name if request.count == 1 else f"{request.name}-{index + 1}"
        fault = None
        if plan.flavor.ram_mb > demo_data.HOST_RAM_MB:
            fault = "No valid host was found. There are not enough hosts available."
        else:
            fault = self._volume_fault(db, server_id, plan.disks)
        # a build that fails gets no addresses, ports or volumes, as in Nova
        addresses = [] if fault else self._attach(db, server_id, plan)
        details = {
            "tags": list(request.tags),
            "metadata": dict(request.metadata),
            "hostname": request.hostname,
            "config_drive": bool(request.config_drive),
            "disk_config": request.disk_config,
            "server_group": request.server_group,
        }
        now = time.time()
        db.execute(
            "INSERT INTO servers (id, project_id, user_id, name, flavor_id, image_id, "
            "key_name, availability_zone, networks, security_groups, description, "
            "user_data, status, final_status, fault, created_at, ready_at, details) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                server_id,
                self.identity.project_id,
                self.identity.user_id,
                name,
                plan.flavor.id,
                plan.image.id if plan.image else "",
                request.key_name,
                request.availability_zone or "nova",
                json.dumps(addresses),
                json.dumps(list(request.security_groups) or ["default"]),
                request.description,
                request.user_data,
                "BUILD",
                "ERROR" if fault else "ACTIVE",
                fault,
                now,
                now + self.provider.build_seconds,
                json.dumps(details),
            ),
        )
        return server_id

    def _attach(self, db, server_id: str, plan: _Plan) -> list[str]:
        """Give the server its addresses, ports and volumes; its addresses."""
        addresses = []
        taken = self._addresses_in_use(db)
        for nic in plan.nics:
            if nic.port:
                db.execute("INSERT INTO used_ports VALUES (?, ?)", (nic.port.id, server_id))
            address = nic.address or _free_address(nic.network, taken)
            if address:
                taken.add((nic.network.name, address))
                addresses.append(f"{nic.network.name}: {address}")
        for disk in plan.disks:
            device = disk.device
            if disk.existing:
                db.execute(
                    "UPDATE volumes SET status = 'in-use', server_id = ?, "
                    "delete_on_termination = ? WHERE id = ?",
                    (server_id, int(device.delete_on_termination), device.uuid),
                )
                continue
            volume_type = device.volume_type or next(
                t.name for t in demo_data.VOLUME_TYPES if t.is_default
            )
            db.execute(
                "INSERT INTO volumes VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    str(uuid.uuid4()),
                    self.identity.project_id,
                    "",
                    disk.size_gb,
                    "in-use",
                    int(disk.bootable),
                    volume_type,
                    "nova",
                    disk.min_disk_gb,
                    disk.min_ram_mb,
                    server_id,
                    int(device.delete_on_termination),
                ),
            )
        return addresses

    def _addresses_in_use(self, db) -> set[tuple[str, str]]:
        """(network name, address) of every server and port, in every project."""
        taken = set()
        for row in db.execute("SELECT networks FROM servers").fetchall():
            for entry in json.loads(row["networks"]):
                network, _, address = entry.partition(": ")
                taken.add((network, address))
        names = {n.id: n.name for n in demo_data.NETWORKS}
        for ports in demo_data.PORTS.values():
            for port in ports:
                taken.update((names[port.network_id], ip) for ip in port.fixed_ips)
        return taken

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


# -- request checks that need no state ---------------------------------------------


def _check_boot_sequence(image: Image | None, disks: tuple[_Disk, ...]) -> None:
    """Exactly one boot disk: the image, or a block device with boot_index 0."""
    boot_disks = sum(1 for d in disks if d.device.boot_index == 0) + (image is not None)
    if boot_disks != 1:
        raise InvalidRequest(
            "Block Device Mapping is Invalid: Boot sequence for the instance and "
            "image/block device mapping combination is not valid."
        )


def _check_minimums(flavor: Flavor, min_ram_mb: int) -> None:
    if flavor.ram_mb < min_ram_mb:
        raise InvalidRequest("Flavor's memory is too small for requested image.")


def _free_address(network: Network, taken: set[tuple[str, str]]) -> str | None:
    """The first free address of the network's first subnet, or None."""
    if not network.subnets:
        return None
    subnet = ipaddress.ip_network(network.subnets[0])
    # the first addresses are for the router and DHCP, as often in Neutron
    hosts = (str(ip) for i, ip in enumerate(subnet.hosts()) if i >= 9)
    return next((ip for ip in hosts if (network.name, ip) not in taken), None)


def _check_fixed_ip(address: str, network: Network, count: int, taken) -> None:
    if count > 1:
        raise InvalidRequest(
            "Failed to launch instances: max_count cannot be greater than 1 if an "
            "fixed_ip is specified."
        )
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise InvalidRequest(
            f"Invalid input for field/attribute fixed_ip. Value: {address}. "
            f"'{address}' is not a 'ip-address'"
        ) from None
    if not any(ip in ipaddress.ip_network(cidr) for cidr in network.subnets):
        raise InvalidRequest(
            f"Fixed IP {address} is not a valid ip address for network {network.id}."
        )
    if (network.name, str(ip)) in taken:
        raise InvalidRequest(f"Fixed IP address {address} is already in use.")


def _check_metadata(metadata: dict[str, str]) -> None:
    if len(metadata) > demo_data.MAX_SERVER_META:
        # a 403 OverQuota in Nova
        raise QuotaExceeded(
            f"Maximum number of metadata items exceeds {demo_data.MAX_SERVER_META}",
            request_id=f"req-{uuid.uuid4()}",
        )
    for key, value in metadata.items():
        if not _METADATA_KEY.match(key):
            raise InvalidRequest(
                f"Invalid input for field/attribute metadata. Value: {key}. A key has 1 "
                "to 255 letters, digits, spaces and - _ : . characters."
            )
        if len(value) > 255:
            raise InvalidRequest(
                f"Invalid input for field/attribute metadata. Value of {key} is longer "
                "than 255 characters."
            )


def _check_tags(tags: tuple[str, ...]) -> None:
    if len(tags) > 50:
        raise InvalidRequest(
            f"Invalid input for field/attribute tags. {len(tags)} tags is too many: 50 at most."
        )
    for tag in tags:
        if not 1 <= len(tag) <= 60 or "," in tag or "/" in tag:
            raise InvalidRequest(
                f"Invalid input for field/attribute tags. Value: {tag}. A tag has 1 to "
                "60 characters, none of them ',' or '/'."
            )


def _check_hostname(hostname: str | None, count: int) -> None:
    if hostname is None:
        return
    if count > 1:
        raise InvalidRequest("Unable to allocate a single hostname to multiple instances")
    if not _HOSTNAME.match(hostname):
        raise InvalidRequest(
            f"Invalid input for field/attribute hostname. Value: {hostname}. A hostname "
            "has 1 to 255 letters, digits and - . _ characters."
        )


def _valid_public_key(public_key: str) -> bool:
    """Whether this is an OpenSSH public key of a type Nova takes: the type, then
    base64 of a blob that starts with that same type (the SSH wire format)."""
    parts = public_key.split()
    if len(parts) < 2 or parts[0] not in _KEY_TYPES:
        return False
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(blob) < 4:
        return False
    (length,) = struct.unpack(">I", blob[:4])
    return blob[4 : 4 + length] == parts[0].encode() and len(blob) > 4 + length


# -- the state file ------------------------------------------------------------


def _upgrade(db) -> None:
    """Bring a state file of an earlier version up to the current schema."""
    columns = {row["name"] for row in db.execute("PRAGMA table_info(servers)")}
    if "details" not in columns:
        try:
            db.execute("ALTER TABLE servers ADD COLUMN details TEXT NOT NULL DEFAULT '{}'")
        except sqlite3.OperationalError as exc:
            # another worker starting at the same moment was first
            if "duplicate column" not in str(exc):
                raise


def _seed_volumes(db) -> None:
    """Give each project its starting volumes, once per state file."""
    db.execute("BEGIN IMMEDIATE")
    if db.execute("INSERT OR IGNORE INTO seeded VALUES ('volumes')").rowcount == 0:
        return
    for project, volumes in demo_data.VOLUMES.items():
        project_id = demo_data.PROJECTS[project]["id"]
        for v in volumes:
            db.execute(
                "INSERT OR IGNORE INTO volumes VALUES (?,?,?,?,?,?,?,?,?,?,NULL,0)",
                (
                    v.id,
                    project_id,
                    v.name,
                    v.size_gb,
                    v.status,
                    int(v.bootable),
                    v.volume_type,
                    v.availability_zone,
                    v.image_min_disk_gb,
                    v.image_min_ram_mb,
                ),
            )


def _used_ports(db) -> set[str]:
    return {row["port_id"] for row in db.execute("SELECT port_id FROM used_ports")}


def _fingerprint(public_key: str) -> str:
    """Nova's fingerprint of an ssh key: the MD5 of its decoded blob."""
    parts = public_key.split()
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (IndexError, binascii.Error, ValueError):
        blob = public_key.encode()
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def _volume(row) -> Volume:
    return Volume(
        id=row["id"],
        name=row["name"] or row["id"],
        size_gb=row["size_gb"],
        status=row["status"],
        bootable=bool(row["bootable"]),
        volume_type=row["volume_type"],
        availability_zone=row["availability_zone"],
        image_min_disk_gb=row["image_min_disk_gb"],
        image_min_ram_mb=row["image_min_ram_mb"],
    )


def _server(row, volumes=()) -> Server:
    details = json.loads(row["details"] or "{}")
    return Server(
        id=row["id"],
        name=row["name"],
        status=row["status"],
        flavor_id=row["flavor_id"],
        image_id=row["image_id"],
        key_name=row["key_name"],
        availability_zone=row["availability_zone"],
        addresses=tuple(json.loads(row["networks"])),
        security_groups=tuple(json.loads(row["security_groups"])),
        description=row["description"],
        fault=row["fault"] if row["status"] == "ERROR" else None,
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(row["created_at"])),
        volumes=tuple(volumes),
        tags=tuple(details.get("tags") or ()),
        metadata=dict(details.get("metadata") or {}),
        hostname=details.get("hostname"),
        config_drive=bool(details.get("config_drive")),
    )
