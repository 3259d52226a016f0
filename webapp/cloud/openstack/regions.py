"""The regions of a Keystone token's service catalog, and which one a login uses.

A cloud with several regions lists one endpoint per region for each service; the
portal offers the regions where any service it uses has an endpoint of the
configured interface, and sends every call of a login to the chosen region's
endpoints (the connection's ``region_name``).
"""

from __future__ import annotations

from collections.abc import Iterable

from keystoneauth1 import access

__all__ = ["SERVICE_TYPES", "catalog_regions", "choose_region"]

#: the catalog's service types the portal calls (block storage under its old names too)
SERVICE_TYPES = frozenset(
    {"compute", "image", "network", "block-storage", "volumev3", "volumev2", "volume"}
)


def catalog_regions(ref: access.AccessInfo, interface: str) -> tuple[str, ...]:
    """The region ids of the catalog's endpoints of :data:`SERVICE_TYPES` for
    ``interface``, sorted; empty for a token without a catalog or region ids."""
    catalog = ref.service_catalog
    if catalog is None:  # pragma: no cover - a scoped token always has one
        return ()
    found: set[str] = set()
    for service_type, endpoints in catalog.get_endpoints_data(interface=interface).items():
        if service_type in SERVICE_TYPES:
            found.update(e.region_name for e in endpoints if e.region_name)
    return tuple(sorted(found))


def choose_region(regions: tuple[str, ...], preferred: Iterable[str | None]) -> str:
    """The first of ``preferred`` that is one of ``regions``, else the first
    region; with no regions at all, the first preferred one given (or "")."""
    wanted = [p for p in preferred if p]
    if not regions:
        return wanted[0] if wanted else ""
    return next((p for p in wanted if p in regions), regions[0])
