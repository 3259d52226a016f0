"""What a wizard lists, fetched once when it opens and kept beside it for a while.

:func:`fetch_catalog` asks the cloud for every list at once, concurrently, so the
wizard waits for the slowest call rather than the sum of them. :class:`CatalogCache`
keeps the result per wizard in a server-side cache, so moving between steps needs
no cloud call; the user can ask for a refresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from typing import Protocol

from webapp.cloud.base import CloudConnection
from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.errors import NotFound
from webapp.cloud.models import Catalog
from webapp.cloud.models import fetched_fields
from webapp.cloud.models import from_dict

__all__ = ["CatalogCache", "KeyValueCache", "fetch_catalog"]

#: catalog field -> how it is fetched; each is one concurrent call
_LISTS = fetched_fields()


def fetch_catalog(connection: CloudConnection) -> Catalog:
    """Fetch everything the launch wizard lists, concurrently.

    A list whose service is down or missing is left empty and named in
    ``Catalog.unavailable``; an expired login (Unauthorized) is raised, since
    nothing else would work either.
    """
    with ThreadPoolExecutor(max_workers=len(_LISTS)) as pool:
        futures = {
            key: pool.submit(getattr(connection, fetched.method)) for key, fetched in _LISTS.items()
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
        raise CloudUnavailable("The cloud did not answer. Try again in a moment.")
    # a list left out keeps the Catalog's default: empty, or Limits() unlimited
    return Catalog(**values, fetched_at=time.time(), unavailable=tuple(unavailable))


class KeyValueCache(Protocol):
    """The part of a ``cachelib`` cache (``BaseCache``) that :class:`CatalogCache` uses."""

    def get(self, key: str) -> Any:
        """The value stored under ``key``, or None."""

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:
        """Store ``value`` under ``key`` for ``timeout`` seconds."""


class CatalogCache:
    """Catalogs per wizard in a cachelib cache (files or Redis), with a lifetime.

    :param cache: a ``cachelib`` cache shared by the app's workers.
    :param ttl: seconds a catalog is kept before it is fetched again.
    """

    def __init__(self, cache: KeyValueCache, *, ttl: int = 300) -> None:
        self.cache = cache
        self.ttl = ttl

    def get(self, wizard_id: str) -> Catalog | None:
        """The cached catalog of this wizard, or None."""
        data = self.cache.get(f"catalog:{wizard_id}")
        return from_dict(data) if data else None

    def put(self, wizard_id: str, catalog: Catalog) -> None:
        """Keep ``catalog`` for this wizard for ``ttl`` seconds."""
        self.cache.set(f"catalog:{wizard_id}", catalog.to_dict(), timeout=self.ttl)

    def get_or_fetch(self, wizard_id: str, connect: Callable[[], CloudConnection]) -> Catalog:
        """The cached catalog, or a fresh one fetched (through ``connect()``) and
        cached now."""
        catalog = self.get(wizard_id)
        if catalog is None:
            catalog = fetch_catalog(connect())
            self.put(wizard_id, catalog)
        return catalog
