"""Glance, Neutron and Cinder over plain keystoneauth1 adapters, with pagination.

novaclient's image and network proxies read only the first page, and the portal needs
just a few GETs from each of these services, so they are called directly rather than
through more client libraries (python-cinderclient is not a dependency). Each function
returns plain JSON dicts; a service missing from the catalog shows up as
:class:`ServiceMissing`.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

import requests
from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session

from webapp.cloud.openstack import errors

__all__ = [
    "ServiceMissing",
    "catalog_url",
    "cinder_get",
    "cinder_limits",
    "cinder_list",
    "glance_image",
    "glance_images",
    "neutron_get",
    "neutron_list",
    "neutron_send",
    "service_adapter",
]

#: Glance's page size (its own default is 25, its maximum 1000)
IMAGE_PAGE = 100
#: safety net against a service whose "next" link never ends
MAX_PAGES = 50

#: path prefixes of each API version, as some catalogs include them and some not
_VERSION_SUFFIX = {"image": "/v2", "network": "/v2.0"}


class ServiceMissing(Exception):
    """The service is not in the token's catalog (for this region and interface)."""


def service_adapter(
    session: ks_session.Session,
    service_type: str,
    *,
    region_name: str | None,
    interface: str,
) -> ks_adapter.Adapter:
    """An adapter on the catalog endpoint of ``service_type`` (no discovery call).

    :raises ServiceMissing: when the catalog has no such endpoint.
    """
    endpoint = catalog_url(session, service_type, region_name=region_name, interface=interface)
    if not endpoint:
        raise ServiceMissing(service_type)
    endpoint = endpoint.rstrip("/")
    suffix = _VERSION_SUFFIX.get(service_type)
    # our paths carry the version, so drop it when the catalog has it too
    if suffix and endpoint.endswith(suffix):
        endpoint = endpoint[: -len(suffix)]
    return ks_adapter.Adapter(
        session,
        service_type=service_type,
        interface=interface,
        region_name=region_name,
        endpoint_override=endpoint,
    )


def catalog_url(
    session: ks_session.Session,
    service_type: str,
    *,
    region_name: str | None,
    interface: str,
) -> str | None:
    """The token catalog's URL for ``service_type``, or None (never an HTTP call)."""
    try:
        return session.get_endpoint(
            service_type=service_type, interface=interface, region_name=region_name
        )
    except ks_exc.CatalogException:
        return None


def glance_images(image: ks_adapter.Adapter, **filters: str) -> Iterator[dict[str, Any]]:
    """Active images from ``GET /v2/images``, following every ``next`` link."""
    params: dict[str, Any] | None = {
        "status": "active",
        "limit": IMAGE_PAGE,
        **filters,
    }
    url: str | None = "/v2/images"
    for _ in range(MAX_PAGES):
        if url is None:
            return
        body = _get(image, url, params=params, service="image")
        yield from body.get("images", ())
        # "next" is a path with the query already in it: "/v2/images?marker=..."
        url, params = body.get("next"), None


def glance_image(image: ks_adapter.Adapter, image_id: str) -> dict[str, Any]:
    """One image from ``GET /v2/images/{id}``, whatever its status."""
    return _get(image, f"/v2/images/{image_id}", params=None, service="image")


def neutron_get(network: ks_adapter.Adapter, path: str) -> dict[str, Any]:
    """One Neutron document, e.g. ``GET /v2.0/extensions/router``."""
    return _get(network, path, params=None, service="network")


def neutron_send(
    network: ks_adapter.Adapter, method: str, path: str, body: Mapping[str, Any]
) -> dict[str, Any]:
    """``POST`` or ``PUT`` a JSON body to Neutron; its JSON answer."""
    with errors.translated("network"):
        response = network.request(path, method, json=body, raise_exc=False)
    return _body(response, service="network")


def neutron_list(
    network: ks_adapter.Adapter,
    resource: str,
    *,
    key: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """All items of ``GET /v2.0/<resource>``, following ``<key>_links`` next links.

    :param resource: the path under /v2.0, e.g. ``"security-groups"``.
    :param key: the body key when it differs from the path (``"security_groups"``).
    """
    key = key or resource.replace("-", "_")
    return _linked_pages(network, f"/v2.0/{resource}", key=key, params=params, service="network")


def cinder_list(
    volume: ks_adapter.Adapter,
    path: str,
    *,
    key: str,
    params: Mapping[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """All items of a Cinder listing such as ``GET /volumes/detail``, following
    ``<key>_links`` next links (Cinder pages at its ``osapi_max_limit``).

    :param path: the path under the catalog URL, e.g. ``"/snapshots/detail"``.
    :param key: the body key, e.g. ``"snapshots"``.
    """
    return _linked_pages(volume, path, key=key, params=params, service="block storage")


def cinder_get(volume: ks_adapter.Adapter, path: str) -> dict[str, Any]:
    """One Cinder document, e.g. ``GET /types``."""
    return _get(volume, path, params=None, service="block storage")


def cinder_limits(volume: ks_adapter.Adapter) -> dict[str, Any]:
    """Cinder's absolute limits (quotas and usage) from ``GET /limits``."""
    body = _get(volume, "/limits", params=None, service="block storage")
    return dict(body.get("limits", {}).get("absolute", {}))


def _linked_pages(
    adapter: ks_adapter.Adapter,
    url: str,
    *,
    key: str,
    params: Mapping[str, Any] | None,
    service: str,
) -> Iterator[dict[str, Any]]:
    """Items under ``key`` of every page, Neutron and Cinder style."""
    next_url: str | None = url
    query: Mapping[str, Any] | None = params
    for _ in range(MAX_PAGES):
        if next_url is None:
            return
        body = _get(adapter, next_url, params=query, service=service)
        yield from body.get(key, ())
        # the links are absolute and keep the query (only when there is more)
        next_url = next(
            (
                link.get("href")
                for link in body.get(f"{key}_links", ())
                if link.get("rel") == "next"
            ),
            None,
        )
        query = None


def _get(
    adapter: ks_adapter.Adapter,
    url: str,
    *,
    params: Mapping[str, Any] | None,
    service: str,
) -> dict[str, Any]:
    with errors.translated(service):
        response = adapter.get(url, params=params, raise_exc=False)
    return _body(response, service=service)


def _body(response: requests.Response, *, service: str) -> dict[str, Any]:
    if response.status_code >= 400:
        raise errors.from_response(response, service=service)
    if response.status_code == 204:
        return {}
    try:
        body = response.json()
    except ValueError as exc:
        raise errors.from_status(502, None, service=service) from exc
    return body if isinstance(body, dict) else {}
