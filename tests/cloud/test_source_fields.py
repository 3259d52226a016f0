"""What the Source step's table reads from Glance and Cinder, taken from the
listings the wizard makes anyway (no call more): an image's ``os_version`` and
``updated_at``; a volume's OS from ``volume_image_metadata`` and its
``updated_at``; a snapshot's OS from its volume. A catalog cached before these
fields existed still decodes."""

from __future__ import annotations

import dataclasses
import json

import pytest

from webapp.cloud import catalog as catalogs
from webapp.cloud import models
from webapp.cloud.openstack import convert


def test_images_carry_their_os_version_and_last_update(cloud, conn):
    cloud.http.get(
        f"{cloud.glance}/v2/images",
        json={
            "images": [
                {
                    "id": "i1",
                    "name": "noble",
                    "status": "active",
                    "visibility": "public",
                    "size": 4096,
                    "disk_format": "qcow2",
                    "container_format": "bare",
                    "os_distro": "ubuntu",
                    "os_version": "24.04",
                    "updated_at": "2025-05-29T10:02:45Z",
                },
                # a number set as the property, and no time at all
                {"id": "i2", "name": "odd", "status": "active", "os_version": 12},
            ]
        },
    )

    noble, odd = conn.list_images()

    assert (noble.os_distro, noble.os_version, noble.updated_at) == (
        "ubuntu",
        "24.04",
        "2025-05-29T10:02:45Z",
    )
    assert (odd.os_version, odd.updated_at) == ("12", "")
    assert len(cloud.requests(base=cloud.glance)) == 1


def test_volumes_and_snapshots_carry_the_os_of_their_image(cloud, conn):
    volumes = cloud.http.get(
        f"{cloud.cinder}/volumes/detail",
        json={
            "volumes": [
                {
                    "id": "v1",
                    "name": "boot",
                    "status": "available",
                    "size": 10,
                    "bootable": "true",
                    # Cinder's times: UTC, microseconds, no zone
                    "created_at": "2025-06-01T08:00:00.000000",
                    "updated_at": "2025-06-20T13:05:41.123456",
                    "volume_image_metadata": {
                        "image_id": "i1",
                        "os_distro": "debian",
                        "os_version": "12",
                        "min_ram": "512",
                    },
                },
                {
                    "id": "v2",
                    "name": "blank",
                    "status": "available",
                    "size": 1,
                    "bootable": "false",
                    "created_at": "2025-06-02T09:30:00.000000",
                    "updated_at": None,
                },
            ]
        },
    )
    cloud.http.get(
        f"{cloud.cinder}/snapshots/detail",
        json={
            "snapshots": [
                {
                    "id": "s1",
                    "name": "boot-snap",
                    "size": 10,
                    "volume_id": "v1",
                    "status": "available",
                    "created_at": "2025-07-01T00:00:00.000000",
                    "updated_at": "2025-07-02T01:02:03.000000",
                }
            ]
        },
    )

    boot, blank = conn.list_volumes()
    (snapshot,) = conn.list_volume_snapshots()

    assert (boot.os_distro, boot.os_version, boot.updated_at) == (
        "debian",
        "12",
        "2025-06-20T13:05:41Z",
    )
    assert (blank.os_distro, blank.updated_at) == ("", "2025-06-02T09:30:00Z")  # created
    assert (snapshot.os_distro, snapshot.os_version, snapshot.updated_at) == (
        "debian",
        "12",
        "2025-07-02T01:02:03Z",
    )
    assert volumes.call_count == 1  # shared by both lists, as before


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-31T12:00:00Z", "2025-01-31T12:00:00Z"),
        ("2025-01-31T12:00:00.999999", "2025-01-31T12:00:00Z"),
        ("2025-01-31T13:00:00+01:00", "2025-01-31T12:00:00Z"),
        ("yesterday", ""),
        (None, ""),
        (1738324800, ""),
    ],
)
def test_times_are_utc_to_the_second(value, expected):
    assert convert.timestamp(value) == expected


def test_a_catalog_cached_before_these_fields_still_decodes():
    # the JSON a cache held before: no os_version, updated_at or volume OS
    old = {
        "images": [
            {
                "id": "i1",
                "name": "noble",
                "kind": "image",
                "size_bytes": 1,
                "min_disk_gb": 0,
                "min_ram_mb": 0,
                "visibility": "public",
                "os_distro": "ubuntu",
                "os_admin_user": "ubuntu",
            }
        ],
        "volumes": [
            {
                "id": "v1",
                "name": "boot",
                "size_gb": 10,
                "status": "available",
                "bootable": True,
                "volume_type": "",
                "availability_zone": "nova",
                "image_min_disk_gb": 0,
                "image_min_ram_mb": 0,
                "image_id": "i1",
                "device": "",
            }
        ],
        "volume_snapshots": [
            {
                "id": "s1",
                "name": "snap",
                "size_gb": 10,
                "volume_id": "v1",
                "status": "available",
                "bootable": True,
                "image_min_disk_gb": 0,
                "image_min_ram_mb": 0,
            }
        ],
        "fetched_at": 1.0,
        "unavailable": [],
    }

    decoded = catalogs.decode(json.dumps(old).encode())

    assert decoded.images == (
        models.Image("i1", "noble", size_bytes=1, os_distro="ubuntu", os_admin_user="ubuntu"),
    )
    assert decoded.volumes[0].os_distro == "" and decoded.volumes[0].updated_at == ""
    assert decoded.volume_snapshots[0].os_version == ""
    # and a catalog with them goes through the cache as it is
    new = dataclasses.replace(
        decoded,
        images=(dataclasses.replace(decoded.images[0], os_version="24.04", updated_at="x"),),
    )
    assert catalogs.decode(catalogs.encode(new)) == new
