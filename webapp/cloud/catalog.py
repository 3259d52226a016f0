"""What a wizard lists, fetched once when it opens and kept beside it for a while.

:class:`Catalog` declares every list once: each field names the connection method
that fills it (:class:`Fetched`). :func:`fetch_catalog` asks the cloud for every
list at once, concurrently, so the wizard waits for the slowest call rather than
the sum of them. :class:`CatalogCache` keeps the result per wizard in a
server-side cache, so moving between steps needs no cloud call; the user can ask
for a refresh.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import json
import time
from collections.abc import Callable
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Protocol
from typing import TypeVar

from webapp.cloud.base import CloudConnection
from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.errors import NotFound
from webapp.cloud.models import AvailabilityZone
from webapp.cloud.models import Features
from webapp.cloud.models import Flavor
from webapp.cloud.models import Image
from webapp.cloud.models import KeyPair
from webapp.cloud.models import Limits
from webapp.cloud.models import Network
from webapp.cloud.models import Port
from webapp.cloud.models import SecurityGroup
from webapp.cloud.models import ServerGroup
from webapp.cloud.models import Volume
from webapp.cloud.models import VolumeSnapshot
from webapp.cloud.models import VolumeType
from webapp.i18n import lazy_gettext as _l

__all__ = [
    "Catalog",
    "CatalogCache",
    "Fetched",
    "KeyValueCache",
    "decode",
    "encode",
    "fetch_catalog",
    "fetched_fields",
    "from_dict",
]

_T = TypeVar("_T")

#: the key of a :class:`Catalog` field's metadata that holds its :class:`Fetched`
_FETCH = "fetch"


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


#: catalog field -> how it is fetched; each is one concurrent call
_LISTS = fetched_fields()


def fetch_catalog(connection: CloudConnection) -> Catalog:
    """Fetch everything the launch wizard lists, concurrently.

    A list whose service is down or missing is left empty and named in
    ``Catalog.unavailable``; an expired login (Unauthorized) is raised, since
    nothing else would work either.
    """
    with ThreadPoolExecutor(max_workers=len(_LISTS)) as pool:
        # Each call in a copy of this context: its upstream calls count as this
        # request's (the audit log's request ids, session.scoped_recording).
        futures = {
            key: pool.submit(contextvars.copy_context().run, getattr(connection, fetched.method))
            for key, fetched in _LISTS.items()
        }
    values: dict[str, Any] = {}
    unavailable = []
    for key, future in futures.items():
        try:
            result = future.result()
        except (CloudUnavailable, NotFound):
            unavailable.append(key)
            continue
        values[key] = tuple(result) if _LISTS[key].many else result
    if "features" in unavailable:
        raise CloudUnavailable(_l("The cloud did not answer. Try again in a moment."))
    # a list left out keeps the Catalog's default: empty, or Limits() unlimited
    return Catalog(**values, fetched_at=time.time(), unavailable=tuple(unavailable))


class KeyValueCache(Protocol):
    """Bytes under wizard ids, with a lifetime, shared by the app's workers."""

    def get(self, key: str) -> bytes | None:
        """The value stored under ``key``, or None."""

    def set(self, key: str, value: bytes, *, ttl: float) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds."""


class CatalogCache:
    """Catalogs per wizard in a shared cache, with a lifetime.

    Every step of a wizard reads its catalog: the same stored bytes are decoded
    once per process (:func:`decode`), not once per request.

    :param cache: where the catalogs are kept (the app's state store).
    :param ttl: seconds a catalog is kept before it is fetched again.
    """

    def __init__(self, cache: KeyValueCache, *, ttl: int = 300) -> None:
        self.cache = cache
        self.ttl = ttl

    def get(self, wizard_id: str) -> Catalog | None:
        """The cached catalog of this wizard, or None."""
        data = self.cache.get(wizard_id)
        return decode(data) if data else None

    def has(self, wizard_id: str) -> bool:
        """Whether a catalog of this wizard is cached (it is not decoded)."""
        return self.cache.get(wizard_id) is not None

    def put(self, wizard_id: str, catalog: Catalog) -> None:
        """Keep ``catalog`` for this wizard for ``ttl`` seconds."""
        self.cache.set(wizard_id, encode(catalog), ttl=self.ttl)

    def get_or_fetch(self, wizard_id: str, connect: Callable[[], CloudConnection]) -> Catalog:
        """The cached catalog, or a fresh one fetched (through ``connect()``) and
        cached now."""
        catalog = self.get(wizard_id)
        if catalog is None:
            catalog = fetch_catalog(connect())
            self.put(wizard_id, catalog)
        return catalog


def encode(catalog: Catalog) -> bytes:
    """A catalog as JSON bytes, for a cache."""
    return json.dumps(catalog.to_dict(), separators=(",", ":")).encode()


@functools.lru_cache(maxsize=64)
def decode(data: bytes) -> Catalog:
    """The catalog :func:`encode` made (a frozen value: shared between requests)."""
    return from_dict(json.loads(data))
