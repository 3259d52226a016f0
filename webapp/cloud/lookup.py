"""A short-lived cache of a project's flavors and images, per worker process.

The server list shows each server's flavor and image by name, which Nova's server
list gives only as ids (or, from 2.47, the flavor's name). Asking Nova and Glance
for both lists on every page load would triple its cost, so each worker keeps them
for ``ttl`` seconds, keyed by project: a second list within that time costs one
call. The lists are the same for every user of a project, so sharing them between
users is safe; nothing per user is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from webapp.cloud.expiring import ExpiringMap
from webapp.cloud.models import Flavor
from webapp.cloud.models import Image

__all__ = ["Lookups", "LookupCache"]

Clock = Callable[[], float]


class LookupCache:
    """Flavors and images by id, per project, for ``ttl`` seconds.

    :param ttl: seconds a fetched list is used; 0 fetches every time.
    :param clock: the time source (``time.monotonic``), for tests.
    """

    def __init__(self, *, ttl: float = 60.0, clock: Clock = time.monotonic) -> None:
        self._lists: ExpiringMap[tuple[str, str], dict[str, Any]] = ExpiringMap(
            ttl=ttl, clock=clock
        )

    def flavors(self, project_id: str, fetch: Callable[[], Sequence[Flavor]]) -> dict[str, Flavor]:
        """The project's flavors by id, fetched with ``fetch`` when not cached."""
        return self._get(project_id, "flavors", fetch)

    def images(self, project_id: str, fetch: Callable[[], Sequence[Image]]) -> dict[str, Image]:
        """The project's images by id, fetched with ``fetch`` when not cached."""
        return self._get(project_id, "images", fetch)

    def cached_image(self, project_id: str, image_id: str) -> Image | None:
        """An image from the cache only (never a call): None when not cached."""
        images = self._lists.get((project_id, "images"))
        found: Image | None = images.get(image_id) if images else None
        return found

    def clear(self) -> None:
        """Forget everything (e.g. after the lists changed)."""
        self._lists.clear()

    def _get(
        self, project_id: str, kind: str, fetch: Callable[[], Sequence[Any]]
    ) -> dict[str, Any]:
        items = self._lists.get((project_id, kind))
        if items is None:
            # Two requests missing at once both fetch: cheaper than holding a
            # lock across a cloud call.
            items = {item.id: item for item in fetch()}
            self._lists.put((project_id, kind), items)
        return items


class Lookups:
    """One request's view of the cache for one project: fetches lazily, at most
    once per list, through the given connection's methods.

    :param cache: the worker's cache.
    :param project_id: whose lists.
    :param list_flavors: fetches the flavors (a connection's method).
    :param list_images: fetches the images.
    """

    def __init__(
        self,
        cache: LookupCache,
        project_id: str,
        *,
        list_flavors: Callable[[], Sequence[Flavor]],
        list_images: Callable[[], Sequence[Image]],
    ) -> None:
        self.cache = cache
        self.project_id = project_id
        self._list_flavors = list_flavors
        self._list_images = list_images

    def flavor(self, flavor_id: str) -> Flavor | None:
        """The flavor with this id, or None when the project cannot see it."""
        if not flavor_id:
            return None
        return self.cache.flavors(self.project_id, self._list_flavors).get(flavor_id)

    def image(self, image_id: str) -> Image | None:
        """The image with this id, or None when it is not in the image list."""
        if not image_id:
            return None
        return self.cache.images(self.project_id, self._list_images).get(image_id)
