"""Cinder lists (volumes, snapshots, types) over a keystoneauth adapter."""

import concurrent.futures

import pytest

from webapp.cloud import errors
from webapp.cloud import models


def cinder_volume(volume_id, name, **extra):
    """A volume as GET /volumes/detail shows it (Cinder 3.x)."""
    volume = {
        "id": volume_id,
        "name": name,
        "status": "available",
        "size": 10,
        "availability_zone": "nova",
        "volume_type": "__DEFAULT__",
        "bootable": "false",
        "multiattach": False,
        "attachments": [],
    }
    volume.update(extra)
    return volume


BOOTABLE = cinder_volume(
    "v1",
    "debian-boot",
    bootable="true",
    volume_image_metadata={"image_id": "i1", "min_disk": "4", "min_ram": "512", "size": "4096"},
)


def test_available_volumes_follow_pages(cloud, conn):
    volumes = f"{cloud.cinder}/volumes/detail"
    cloud.http.get(
        f"{volumes}?status=available",
        complete_qs=True,
        json={
            "volumes": [BOOTABLE],
            "volumes_links": [
                {"rel": "next", "href": f"{volumes}?status=available&marker=v1"},
            ],
        },
    )
    cloud.http.get(
        f"{volumes}?status=available&marker=v1",
        complete_qs=True,
        json={
            "volumes": [
                cinder_volume("v2", None, size=50, volume_type="ssd"),
                # image metadata that someone set by hand
                cinder_volume(
                    "v3", "odd", bootable="true", volume_image_metadata={"min_disk": "x"}
                ),
            ],
        },
    )

    found = conn.list_volumes()

    assert found == [
        models.Volume(
            "v1",
            "debian-boot",
            10,
            bootable=True,
            volume_type="__DEFAULT__",
            availability_zone="nova",
            image_min_disk_gb=4,
            image_min_ram_mb=512,
            image_id="i1",
        ),
        models.Volume("v2", "v2", 50, volume_type="ssd", availability_zone="nova"),
        models.Volume(
            "v3", "odd", 10, bootable=True, volume_type="__DEFAULT__", availability_zone="nova"
        ),
    ]


def test_snapshots_take_bootable_from_their_volume(cloud, conn):
    cloud.http.get(f"{cloud.cinder}/volumes/detail", json={"volumes": [BOOTABLE]})
    snapshots = cloud.http.get(
        f"{cloud.cinder}/snapshots/detail",
        json={
            "snapshots": [
                {
                    "id": "s1",
                    "name": "debian-snap",
                    "size": 10,
                    "volume_id": "v1",
                    "status": "available",
                },
                # of a volume in use, hence not in the list of available ones
                {
                    "id": "s2",
                    "name": None,
                    "size": 20,
                    "volume_id": "v-busy",
                    "status": "available",
                },
            ]
        },
    )

    found = conn.list_volume_snapshots()

    assert found == [
        models.VolumeSnapshot(
            "s1", "debian-snap", 10, "v1", bootable=True, image_min_disk_gb=4, image_min_ram_mb=512
        ),
        models.VolumeSnapshot("s2", "s2", 20, "v-busy"),
    ]
    assert snapshots.last_request.qs == {"status": ["available"]}


def test_volumes_are_listed_once_for_both_lists(cloud, conn):
    volumes = cloud.http.get(f"{cloud.cinder}/volumes/detail", json={"volumes": [BOOTABLE]})
    cloud.http.get(
        f"{cloud.cinder}/snapshots/detail",
        json={"snapshots": [{"id": "s1", "size": 10, "volume_id": "v1"}]},
    )

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        snapshots = pool.submit(conn.list_volume_snapshots)
        listed = pool.submit(conn.list_volumes)
        (snapshot,), (volume,) = snapshots.result(), listed.result()

    assert snapshot.bootable and volume.bootable
    assert volumes.call_count == 1


def test_no_volume_listing_without_snapshots(cloud, conn):
    volumes = cloud.http.get(f"{cloud.cinder}/volumes/detail", json={"volumes": []})
    cloud.http.get(f"{cloud.cinder}/snapshots/detail", json={"snapshots": []})

    assert conn.list_volume_snapshots() == []
    assert volumes.call_count == 0


def test_snapshots_survive_a_failed_volume_listing(cloud, conn):
    volumes = cloud.error("GET", f"{cloud.cinder}/volumes/detail", 503, {"message": "down"})
    cloud.http.get(
        f"{cloud.cinder}/snapshots/detail",
        json={"snapshots": [{"id": "s1", "size": 10, "volume_id": "v1"}]},
    )

    (snapshot,) = conn.list_volume_snapshots()
    with pytest.raises(errors.CloudUnavailable):
        conn.list_volumes()

    assert snapshot.bootable is False
    # the failure is remembered too: no second try within one connection
    assert volumes.call_count == 1


def test_a_single_volume_type_is_the_default(cloud, conn):
    types = cloud.http.get(
        f"{cloud.cinder}/types",
        json={
            "volume_types": [
                {
                    "id": "t1",
                    "name": "__DEFAULT__",
                    "is_public": True,
                    "description": "Default Volume Type",
                    "extra_specs": {},
                }
            ]
        },
    )

    assert conn.list_volume_types() == [models.VolumeType("t1", "__DEFAULT__", is_default=True)]
    assert types.call_count == 1


def test_several_volume_types_name_no_default(cloud, conn):
    cloud.http.get(
        f"{cloud.cinder}/types",
        json={"volume_types": [{"id": "t1", "name": "standard"}, {"id": "t2", "name": "ssd"}]},
    )

    found = conn.list_volume_types()

    assert found == [models.VolumeType("t1", "standard"), models.VolumeType("t2", "ssd")]
    # GET /types/default would be one more call per wizard
    assert len(cloud.requests(base=cloud.cinder)) == 1


@pytest.mark.parametrize("method", ["list_volumes", "list_volume_snapshots", "list_volume_types"])
def test_without_block_storage_the_lists_are_empty(cloud, provider, method):
    identity = cloud.identity(services=("compute", "image", "network"))

    assert getattr(provider.connect(identity), method)() == []
    assert cloud.http.request_history == []


def test_catalog_url_with_the_project_id(cloud, provider):
    cinder = f"{cloud.cinder}/p-demo"
    identity = cloud.identity(urls={"block-storage": cinder})
    listing = cloud.http.get(f"{cinder}/volumes/detail", json={"volumes": []})

    assert provider.connect(identity).list_volumes() == []
    assert listing.call_count == 1
