"""What a cloud's endpoints support, found once and remembered for every user.

The Nova microversion range is a property of an endpoint, not of a user, so
:class:`DiscoveryCache` keeps it per endpoint URL for ``ttl`` seconds: a portal
process asks ``GET /`` of Nova about once an hour instead of on every page. The
remote console type a compute endpoint gives is kept there too. The microversions
that unlock what the portal offers are named here as well.
"""

from __future__ import annotations

from novaclient import api_versions
from novaclient import client as nova_client

from webapp.cloud.expiring import ExpiringMap

__all__ = [
    "COMPUTE_FLOOR",
    "DESCRIPTION",
    "HOSTNAME",
    "HOSTNAME_FQDN",
    "MKS_CONSOLE",
    "NETWORK_CHOICE",
    "TAGS",
    "VOLUME_TYPE",
    "DiscoveryCache",
    "negotiate_compute",
]

_V = api_versions.APIVersion
#: Nova v2.1 without a version header; also our answer when discovery says nothing
COMPUTE_FLOOR = _V("2.1")
#: a server description
DESCRIPTION = _V("2.19")
#: ``networks`` required, and may be "auto" or "none"
NETWORK_CHOICE = _V("2.37")
#: server tags at creation
TAGS = _V("2.52")
#: ``volume_type`` in block_device_mapping_v2
VOLUME_TYPE = _V("2.67")
#: the "mks" remote console protocol
MKS_CONSOLE = _V("2.8")
#: a hostname at creation (a short name)
HOSTNAME = _V("2.90")
#: ... which may be a fully qualified domain name
HOSTNAME_FQDN = _V("2.94")


class DiscoveryCache:
    """Facts about endpoints shared by all connections of a provider: each
    endpoint's negotiated microversion (:meth:`get`) or other fact, such as its
    remote console type (:meth:`get_text`), by a key naming the endpoint.

    :param ttl: seconds an entry is trusted; 0 turns the cache off.
    """

    def __init__(self, *, ttl: float = 3600.0) -> None:
        self._facts: ExpiringMap[str, api_versions.APIVersion | str] = ExpiringMap(ttl=ttl)

    def get(self, key: str) -> api_versions.APIVersion | None:
        """The version stored for ``key``, or None when absent, stale or text."""
        value = self._facts.get(key)
        return value if isinstance(value, api_versions.APIVersion) else None

    def get_text(self, key: str) -> str | None:
        """The text stored for ``key``, or None when absent, stale or a version."""
        value = self._facts.get(key)
        return value if isinstance(value, str) else None

    def put(self, key: str, value: api_versions.APIVersion | str) -> None:
        """Remember ``value`` for ``key``."""
        self._facts.put(key, value)

    def clear(self) -> None:
        """Forget everything (e.g. after a cloud upgrade)."""
        self._facts.clear()


def negotiate_compute(nova: nova_client.Client) -> api_versions.APIVersion | None:
    """The newest microversion both Nova and novaclient support (one ``GET /``).

    None when Nova's version document says nothing: it lacks microversions, or it
    refused us (novaclient swallows a 401 there). Use :data:`COMPUTE_FLOOR` then,
    without remembering it; the next real call reports any error.
    """
    version = api_versions.discover_version(nova, api_versions.APIVersion("2.latest"))
    return version if version >= COMPUTE_FLOOR else None
