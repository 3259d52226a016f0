"""What a cloud's endpoints support, found once and remembered for every user.

The Nova microversion range and Neutron's extensions are properties of an endpoint,
not of a user, so :class:`DiscoveryCache` keeps them per endpoint URL for ``ttl``
seconds: a portal process asks ``GET /`` of Nova about once an hour instead of on
every page.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from novaclient import api_versions
from novaclient import client as nova_client

__all__ = ["COMPUTE_FLOOR", "DiscoveryCache", "negotiate_compute"]

#: Nova v2.1 without a version header; also our answer when discovery says nothing
COMPUTE_FLOOR = api_versions.APIVersion("2.1")


class DiscoveryCache:
    """A small thread-safe map with expiry, shared by all connections of a provider.

    :param ttl: seconds an entry is trusted; 0 turns the cache off.
    """

    def __init__(self, *, ttl: float = 3600.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        """The value stored for ``key``, or None when absent or stale."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            return None
        return entry[1]

    def put(self, key: str, value: Any) -> None:
        """Remember ``value`` for ``key``."""
        if self.ttl > 0:
            with self._lock:
                self._entries[key] = (time.monotonic(), value)

    def clear(self) -> None:
        """Forget everything (e.g. after a cloud upgrade)."""
        with self._lock:
            self._entries.clear()


def negotiate_compute(nova: nova_client.Client) -> api_versions.APIVersion | None:
    """The newest microversion both Nova and novaclient support (one ``GET /``).

    None when Nova's version document says nothing: it lacks microversions, or it
    refused us (novaclient swallows a 401 there). Use :data:`COMPUTE_FLOOR` then,
    without remembering it; the next real call reports any error.
    """
    version = api_versions.discover_version(
        nova, api_versions.APIVersion("2.latest")
    )
    return version if version >= COMPUTE_FLOOR else None
