"""What the launch wizard lists from Cinder: volumes, volume snapshots, volume types.

Cinder is reached through a keystoneauth1 adapter (:mod:`.rest`). A cloud without
block storage lists nothing. The available volumes are listed once per connection
and shared by the snapshot listing, which needs them to tell whether a snapshot
boots (the wizard asks for both at once, from two threads).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from keystoneauth1 import adapter as ks_adapter

from webapp.cloud import errors as cloud_errors
from webapp.cloud import models
from webapp.cloud.openstack import convert
from webapp.cloud.openstack import rest

__all__ = ["CinderLists"]

LOG = logging.getLogger(__name__)


class CinderLists:
    """The Cinder lists of one connection.

    :param adapter: gives the block-storage adapter, or raises
        :class:`~.rest.ServiceMissing` when the cloud has none.
    """

    def __init__(self, adapter: Callable[[], ks_adapter.Adapter]) -> None:
        self._adapter = adapter
        # the available volumes, or the error listing them, once per connection
        self._volumes: tuple[models.Volume, ...] | cloud_errors.CloudError | None = None
        self._volumes_lock = threading.Lock()

    def volumes(self) -> list[models.Volume]:
        """The project's available volumes (one Cinder call, paged)."""
        try:
            return list(self._available_volumes())
        except rest.ServiceMissing:
            return []

    def snapshots(self) -> list[models.VolumeSnapshot]:
        """The project's available volume snapshots.

        Whether a snapshot boots, and its image's minimums, are its volume's. They
        are taken from the listing of available volumes, made once and shared with
        :meth:`volumes`, so no call is made per snapshot. A snapshot of a volume
        that is not available (e.g. in use) shows ``bootable=False``.
        """
        try:
            volume = self._adapter()
        except rest.ServiceMissing:
            return []
        snapshots = list(
            rest.cinder_list(
                volume,
                "/snapshots/detail",
                key="snapshots",
                params={"status": "available"},
            )
        )
        if not snapshots:
            return []
        try:
            parents = {v.id: v for v in self._available_volumes()}
        except cloud_errors.CloudError as exc:
            LOG.warning("Volumes unknown, snapshots shown as not bootable: %s", exc)
            parents = {}
        return [convert.volume_snapshot(s, parents.get(s.get("volume_id", ""))) for s in snapshots]

    def types(self) -> list[models.VolumeType]:
        """The volume types the project may use (one Cinder call).

        Cinder names its default only at ``GET /types/default``, which would be a
        second call, so ``is_default`` is set only when there is a single type
        (then it must be the default); otherwise leaving the type out of a
        request means the default.
        """
        try:
            volume = self._adapter()
        except rest.ServiceMissing:
            return []
        types = rest.cinder_get(volume, "/types").get("volume_types", [])
        alone = len(types) == 1
        return [convert.volume_type(t, is_default=alone) for t in types]

    def _available_volumes(self) -> tuple[models.Volume, ...]:
        """The project's available volumes, listed once.

        :raises rest.ServiceMissing: without block storage.
        """
        with self._volumes_lock:
            if self._volumes is None:
                volume = self._adapter()
                try:
                    self._volumes = tuple(
                        convert.volume(v)
                        for v in rest.cinder_list(
                            volume,
                            "/volumes/detail",
                            key="volumes",
                            params={"status": "available"},
                        )
                    )
                except cloud_errors.CloudError as exc:
                    self._volumes = exc
            if isinstance(self._volumes, cloud_errors.CloudError):
                raise self._volumes
            return self._volumes
