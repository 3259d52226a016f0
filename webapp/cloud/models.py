"""Plain dataclasses that every cloud implementation returns.

Nothing above ``webapp/cloud/`` ever sees a novaclient resource, a JSON body or a
SQLite row: only these values, which are easy to cache, compare and serialise.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

__all__ = [
    "AvailabilityZone",
    "BlockDevice",
    "Features",
    "FloatingIP",
    "Flavor",
    "Identity",
    "Image",
    "KeyPair",
    "Limits",
    "Network",
    "Nic",
    "Port",
    "Project",
    "RemoteConsole",
    "SecurityGroup",
    "Server",
    "ServerAddress",
    "ServerGroup",
    "ServerPage",
    "ServerRequest",
    "Volume",
    "VolumeSnapshot",
    "VolumeType",
]


@dataclass(frozen=True)
class Project:
    """A project the logged-in user may work in."""

    id: str
    name: str


@dataclass(frozen=True)
class Identity:
    """Who is logged in, in which project and region, and the opaque state to
    reach the cloud.

    ``auth_state`` is whatever the implementation needs to act for the user (for
    OpenStack, keystoneauth1's auth state holding the scoped token). It lives only in
    the server-side session: never in a cookie, a page or a log line.
    """

    user_id: str
    user_name: str
    project_id: str
    project_name: str
    projects: tuple[Project, ...]
    auth_state: str = field(repr=False)
    domain_name: str = "Default"
    #: the region whose endpoints every call uses ("" before any region is known)
    region: str = ""
    #: the regions of the token's catalog that the user may switch to
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Image:
    """A launchable Glance image or instance snapshot (``kind == "snapshot"``)."""

    id: str
    name: str
    kind: str = "image"  # "image" or "snapshot"
    size_bytes: int = 0
    min_disk_gb: int = 0
    min_ram_mb: int = 0
    visibility: str = "public"
    os_distro: str = ""
    os_admin_user: str = ""  # the image property naming the login user, if set
    os_version: str = ""
    updated_at: str = ""  # UTC, "2025-01-31T12:00:00Z"; "" when unknown


@dataclass(frozen=True)
class Flavor:
    """A Nova flavor."""

    id: str
    name: str
    vcpus: int
    ram_mb: int
    disk_gb: int
    ephemeral_gb: int = 0


@dataclass(frozen=True)
class KeyPair:
    """A Nova key pair of the current user."""

    name: str
    fingerprint: str = ""
    type: str = "ssh"


@dataclass(frozen=True)
class Network:
    """A network the project may attach a server to."""

    id: str
    name: str
    shared: bool = False
    has_subnet: bool = True
    port_security: bool = True
    subnets: tuple[str, ...] = ()  # CIDRs


@dataclass(frozen=True)
class SecurityGroup:
    """A security group of the project."""

    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Port:
    """A pre-existing port of the project that no server uses yet."""

    id: str
    name: str
    network_id: str
    fixed_ips: tuple[str, ...] = ()
    port_security: bool = True


@dataclass(frozen=True)
class Volume:
    """A Cinder volume of the project; ``image_min_*`` come from the image it was
    made from (``volume_image_metadata``), when it was."""

    id: str
    name: str
    size_gb: int
    status: str = "available"
    bootable: bool = False
    volume_type: str = ""
    availability_zone: str = ""
    image_min_disk_gb: int = 0
    image_min_ram_mb: int = 0
    image_id: str = ""  # the image it was made from (volume_image_metadata)
    device: str = ""  # where it is attached, e.g. "/dev/vda" (attached volumes only)
    os_distro: str = ""  # the image's, copied by Cinder (volume_image_metadata)
    os_version: str = ""
    updated_at: str = ""  # UTC, "2025-01-31T12:00:00Z"; "" when unknown


@dataclass(frozen=True)
class VolumeSnapshot:
    """A Cinder snapshot of a volume; booting from it makes a new volume. What it
    knows of an image (minimums, OS) is its volume's, when that is known."""

    id: str
    name: str
    size_gb: int
    volume_id: str
    status: str = "available"
    bootable: bool = False  # whether the volume it was taken of is bootable
    image_min_disk_gb: int = 0
    image_min_ram_mb: int = 0
    os_distro: str = ""
    os_version: str = ""
    updated_at: str = ""  # UTC, "2025-01-31T12:00:00Z"; "" when unknown


@dataclass(frozen=True)
class VolumeType:
    """A Cinder volume type."""

    id: str
    name: str
    is_default: bool = False


@dataclass(frozen=True)
class ServerGroup:
    """A Nova server group (its policy, e.g. "anti-affinity")."""

    id: str
    name: str
    policy: str = ""


@dataclass(frozen=True)
class AvailabilityZone:
    """An availability zone that can take new servers."""

    name: str
    available: bool = True


@dataclass(frozen=True)
class Limits:
    """Project quotas and what is in use; ``-1`` means unlimited."""

    max_instances: int = -1
    used_instances: int = 0
    max_cores: int = -1
    used_cores: int = 0
    max_ram_mb: int = -1
    used_ram_mb: int = 0
    max_server_meta: int = 128
    max_volumes: int = -1
    used_volumes: int = 0
    max_volume_gb: int = -1
    used_volume_gb: int = 0


@dataclass(frozen=True)
class Features:
    """What the cloud can do, e.g. from the negotiated Nova microversion."""

    compute_microversion: str = "2.1"
    description: bool = False  # 2.19
    tags: bool = False  # 2.52
    hostname: bool = False  # 2.90
    network_auto: bool = False  # 2.37: Nova may allocate a network ("auto")
    network_none: bool = False  # 2.37
    volumes: bool = False  # a block-storage service in the catalog
    volume_type: bool = False  # 2.67: a volume type in block_device_mapping_v2
    hostname_fqdn: bool = False  # 2.94: hostname may be an FQDN
    remote_console: bool = False  # the cloud may give a graphical console


@dataclass(frozen=True)
class Nic:
    """One network interface: a network (optionally with a fixed IP) or a port."""

    network_id: str | None = None
    port_id: str | None = None
    fixed_ip: str | None = None


@dataclass(frozen=True)
class BlockDevice:
    """One entry of Nova's ``block_device_mapping_v2``.

    ``source_type`` is "image", "volume", "snapshot" or "blank"; the boot disk has
    ``boot_index`` 0, data volumes -1.
    """

    source_type: str
    destination_type: str = "volume"
    uuid: str | None = None
    boot_index: int = 0
    volume_size: int | None = None
    delete_on_termination: bool = False
    volume_type: str | None = None


@dataclass(frozen=True)
class ServerRequest:
    """Everything the launch workflow asks Nova to create.

    ``networks`` is a tuple of :class:`Nic` in order, or the string ``"auto"`` or
    ``"none"``. ``image_id`` is None when the server boots from a volume (then
    ``block_devices`` holds the boot disk). Optional values are ``None`` (or empty)
    when the user left them out, so an implementation sends only what was chosen.
    """

    name: str
    flavor_id: str
    image_id: str | None
    count: int = 1
    availability_zone: str | None = None
    key_name: str | None = None
    security_groups: tuple[str, ...] = ()
    networks: tuple[Nic, ...] | str = ()
    user_data: str | bytes | None = None  # text, or a binary file's bytes (gzip)
    description: str | None = None
    block_devices: tuple[BlockDevice, ...] = ()
    admin_password: str | None = field(default=None, repr=False)
    config_drive: bool | None = None
    disk_config: str | None = None  # "AUTO" or "MANUAL"
    metadata: dict[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    hostname: str | None = None
    server_group: str | None = None  # id; sent as scheduler hint "group"
    scheduler_hints: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ServerAddress:
    """One IP address of a server, as Nova lists it under a network's name."""

    network: str
    address: str
    kind: str = "fixed"  # "fixed" or "floating"
    version: int = 4
    mac: str = ""


@dataclass(frozen=True)
class Server:
    """A server as the portal shows it; ``fault`` is set when status is ERROR.

    ``flavor`` is the copy Nova keeps of the flavor at boot time (from 2.47, with
    ``id`` empty and ``name`` the flavor's name then); before 2.47 only
    ``flavor_id`` is known. ``task_state`` is Nova's task in progress ("spawning",
    "powering-off", "rebooting", "deleting"...), None when there is none.
    """

    id: str
    name: str
    status: str
    flavor_id: str = ""
    image_id: str = ""
    key_name: str | None = None
    availability_zone: str | None = None
    addresses: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    description: str | None = None
    fault: str | None = None
    created: str = ""
    progress: int = 0
    volumes: tuple[str, ...] = ()  # ids of the attached volumes
    tags: tuple[str, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)
    hostname: str | None = None
    config_drive: bool = False
    task_state: str | None = None
    launched_at: str = ""  # when it first became ACTIVE (ISO 8601, UTC)
    updated: str = ""
    flavor: Flavor | None = None
    ips: tuple[ServerAddress, ...] = ()
    server_groups: tuple[str, ...] = ()  # ids, from 2.71
    fault_code: int | None = None

    @property
    def is_final(self) -> bool:
        """Whether nothing is changing (no build or task to poll for)."""
        return self.status in FINAL_STATUSES and not self.task_state


#: statuses that stay as they are until someone acts
FINAL_STATUSES = frozenset({"ACTIVE", "ERROR", "SHUTOFF", "DELETED", "PAUSED", "SUSPENDED"})


@dataclass(frozen=True)
class ServerPage:
    """One page of the project's servers, newest first.

    ``next_marker`` asks for the page after this one (it is the last server's id);
    None on the last page.
    """

    servers: tuple[Server, ...]
    next_marker: str | None = None


@dataclass(frozen=True)
class FloatingIP:
    """A floating IP of the project, from a pool (an external network)."""

    id: str
    address: str
    pool_id: str
    pool_name: str = ""
    port_id: str | None = None
    fixed_address: str | None = None  # the server's address it points to
    status: str = "DOWN"


@dataclass(frozen=True)
class RemoteConsole:
    """A graphical console of a server: open ``url`` in a browser.

    ``simulated`` is True for the demo cloud, which has no console to give.
    """

    protocol: str  # "vnc", "spice", "rdp", "serial", "mks"
    type: str  # "novnc", "spice-html5", ...
    url: str
    simulated: bool = False
