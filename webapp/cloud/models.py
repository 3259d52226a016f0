"""Plain dataclasses that every cloud implementation returns.

Nothing above ``webapp/cloud/`` ever sees a novaclient resource, a JSON body or a
SQLite row: only these values, which are easy to cache, compare and serialise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import TypeVar

__all__ = [
    "AvailabilityZone",
    "BlockDevice",
    "Catalog",
    "Features",
    "Fetched",
    "Flavor",
    "Identity",
    "Image",
    "KeyPair",
    "Limits",
    "Network",
    "Nic",
    "Port",
    "Project",
    "SecurityGroup",
    "Server",
    "ServerGroup",
    "ServerRequest",
    "Volume",
    "VolumeSnapshot",
    "VolumeType",
    "fetched_fields",
    "from_dict",
]

_T = TypeVar("_T")

#: the key of a :class:`Catalog` field's metadata that holds its :class:`Fetched`
_FETCH = "fetch"


@dataclass(frozen=True)
class Project:
    """A project the logged-in user may work in."""

    id: str
    name: str


@dataclass(frozen=True)
class Identity:
    """Who is logged in, in which project, and the opaque state to reach the cloud.

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


@dataclass(frozen=True)
class VolumeSnapshot:
    """A Cinder snapshot of a volume; booting from it makes a new volume."""

    id: str
    name: str
    size_gb: int
    volume_id: str
    status: str = "available"
    bootable: bool = False  # whether the volume it was taken of is bootable
    image_min_disk_gb: int = 0
    image_min_ram_mb: int = 0


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
    user_data: str | None = None
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
class Server:
    """A server as the portal shows it; ``fault`` is set when status is ERROR."""

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

    @property
    def is_final(self) -> bool:
        """Whether the build is over (nothing more to poll for)."""
        return self.status in {"ACTIVE", "ERROR", "SHUTOFF", "DELETED"}


@dataclass(frozen=True)
class Fetched:
    """How :func:`~webapp.cloud.catalog.fetch_catalog` fills one :class:`Catalog` field.

    ``method`` is the :class:`~webapp.cloud.base.CloudConnection` method called (one
    concurrent call each); it returns a list of ``item`` when ``many``, else one.
    """

    method: str
    item: type[Any]
    many: bool = True


def _listed(method: str, item: type[_T]) -> tuple[_T, ...]:
    """A Catalog field holding the list ``connection.<method>()`` returns (empty
    by default). A :func:`dataclasses.field`, typed as its value like ``field()``."""
    return field(default=(), metadata={_FETCH: Fetched(method, item)})


def _single(method: str, item: type[_T]) -> _T:
    """A Catalog field holding the one ``item`` that ``connection.<method>()``
    returns (``item()`` by default)."""
    return field(default_factory=item, metadata={_FETCH: Fetched(method, item, many=False)})


@dataclass(frozen=True)
class Catalog:
    """Everything the launch wizard lists, fetched once per wizard.

    Each field whose metadata holds a :class:`Fetched` is one list (or one value)
    asked of the cloud: :func:`fetched_fields` names them all.
    """

    images: tuple[Image, ...] = _listed("list_images", Image)
    flavors: tuple[Flavor, ...] = _listed("list_flavors", Flavor)
    keypairs: tuple[KeyPair, ...] = _listed("list_keypairs", KeyPair)
    networks: tuple[Network, ...] = _listed("list_networks", Network)
    security_groups: tuple[SecurityGroup, ...] = _listed("list_security_groups", SecurityGroup)
    availability_zones: tuple[AvailabilityZone, ...] = _listed(
        "list_availability_zones", AvailabilityZone
    )
    ports: tuple[Port, ...] = _listed("list_ports", Port)
    volumes: tuple[Volume, ...] = _listed("list_volumes", Volume)
    volume_snapshots: tuple[VolumeSnapshot, ...] = _listed("list_volume_snapshots", VolumeSnapshot)
    volume_types: tuple[VolumeType, ...] = _listed("list_volume_types", VolumeType)
    server_groups: tuple[ServerGroup, ...] = _listed("list_server_groups", ServerGroup)
    limits: Limits = _single("get_limits", Limits)
    features: Features = _single("features", Features)
    fetched_at: float = 0.0
    #: names of the lists that could not be fetched, e.g. ("networks",)
    unavailable: tuple[str, ...] = ()

    def image(self, image_id: str) -> Image | None:
        """The image with this id, or None."""
        return next((i for i in self.images if i.id == image_id), None)

    def flavor(self, flavor_id: str) -> Flavor | None:
        """The flavor with this id, or None."""
        return next((f for f in self.flavors if f.id == flavor_id), None)

    def volume(self, volume_id: str) -> Volume | None:
        """The volume with this id, or None."""
        return next((v for v in self.volumes if v.id == volume_id), None)

    def volume_snapshot(self, snapshot_id: str) -> VolumeSnapshot | None:
        """The volume snapshot with this id, or None."""
        return next((s for s in self.volume_snapshots if s.id == snapshot_id), None)

    def network(self, network_id: str) -> Network | None:
        """The network with this id, or None."""
        return next((n for n in self.networks if n.id == network_id), None)

    def port(self, port_id: str) -> Port | None:
        """The port with this id, or None."""
        return next((p for p in self.ports if p.id == port_id), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-like copy, for a cache."""
        return dataclasses.asdict(self)


def fetched_fields() -> dict[str, Fetched]:
    """How each fetched :class:`Catalog` field is filled, by field name, in field order."""
    return {f.name: f.metadata[_FETCH] for f in dataclasses.fields(Catalog) if _FETCH in f.metadata}


def from_dict(data: Mapping[str, Any]) -> Catalog:
    """Rebuild a :class:`Catalog` from :meth:`Catalog.to_dict` output."""
    values = dict(data)
    for name, fetched in fetched_fields().items():
        if fetched.many:
            values[name] = tuple(_build(fetched.item, item) for item in data.get(name, ()))
        else:
            values[name] = _build(fetched.item, data.get(name, {}))
    values["unavailable"] = tuple(data.get("unavailable", ()))
    return Catalog(**values)


def _build(cls: type[_T], item: Mapping[str, Any]) -> _T:
    """A ``cls`` from its :func:`dataclasses.asdict` form (lists back to tuples)."""
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in item.items()})
