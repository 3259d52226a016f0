"""Every boot source, at the cloud layer, against a real cloud with Cinder.

A volume made from the image and a snapshot of it are made once for the module
through Cinder's API (the keystoneauth session of the connection: cinderclient is not
a dependency). Each test launches one server, waits for ACTIVE, reads it back from
Nova and deletes it, then checks what became of its volumes.
"""

from __future__ import annotations

import contextlib
import types
import uuid

import pytest
from novaclient import client as nova_client

from tests.helpers.cinder import Cinder
from tests.helpers.cinder import poll
from webapp.cloud import errors
from webapp.cloud import models

pytestmark = pytest.mark.devcloud

IMAGE = "devcloud-tiny-raw"
FLAVOR = "m1.nano"
NETWORK = "demo-net"
#: Cinder's type when none is named, on the devcloud the only one
DEFAULT_TYPE = "__DEFAULT__"


def by_name(items, name):
    found = [i for i in items if i.name == name]
    assert found, f"{name!r} not in {[i.name for i in items]}"
    return found[0]


@pytest.fixture(scope="module")
def conn(os_provider, os_identity):
    connection = os_provider.connect(os_identity)
    if not connection.features().volumes:
        pytest.skip("the cloud has no block-storage service")
    return connection


@pytest.fixture(scope="module")
def cinder(conn) -> Cinder:
    return Cinder(conn.session)


@pytest.fixture(scope="module")
def nova(conn, os_config):
    """novaclient at the connection's microversion, to read servers as Nova shows them."""
    return nova_client.Client(
        conn.compute_microversion, session=conn.session, region_name=os_config.region_name
    )


@pytest.fixture(scope="module")
def catalog(conn):
    return types.SimpleNamespace(
        image=by_name(conn.list_images(), IMAGE),
        flavor=by_name(conn.list_flavors(), FLAVOR),
        network=by_name(conn.list_networks(), NETWORK),
    )


@pytest.fixture(scope="module")
def sources(cinder, catalog):
    """A bootable volume made from the image, and a snapshot of it."""
    suffix = uuid.uuid4().hex[:8]
    volume = cinder.create(
        "volumes", {"size": 1, "imageRef": catalog.image.id, "name": f"skiff-it-{suffix}"}
    )
    try:
        snapshot = cinder.create(
            "snapshots", {"volume_id": volume["id"], "name": f"skiff-it-{suffix}"}
        )
    except BaseException:
        cinder.delete("volumes", volume["id"])
        raise
    yield types.SimpleNamespace(volume=volume["id"], snapshot=snapshot["id"])
    cinder.delete("snapshots", snapshot["id"])
    cinder.wait("volumes", volume["id"], "available")
    cinder.delete("volumes", volume["id"])


@contextlib.contextmanager
def launched(conn, nova, catalog, **values):
    """Launch one server and wait for ACTIVE; give (Server, Nova's view of it),
    then delete it and wait until it is gone."""
    request = models.ServerRequest(
        name=f"skiff-it-{uuid.uuid4().hex[:8]}",
        flavor_id=catalog.flavor.id,
        **{"image_id": None, "networks": "none", **values},
    )
    (created,) = conn.create_servers(request)
    try:
        server = poll(
            lambda: (s := conn.get_server(created.id)).is_final and s,
            timeout=90,
            what=f"server {created.id} still building",
        )
        assert server.status == "ACTIVE", server.fault
        yield server, nova.servers.get(created.id).to_dict()
    finally:
        conn.delete_server(created.id)
        poll(lambda: _gone(conn, created.id), timeout=60, what=f"server {created.id} not deleted")


def _gone(conn, server_id) -> bool:
    try:
        conn.get_server(server_id)
    except errors.NotFound:
        return True
    return False


def attached(seen: dict) -> list[dict]:
    return seen["os-extended-volumes:volumes_attached"]


def test_the_lists_show_the_sources(conn, sources, catalog):
    volume = next(v for v in conn.list_volumes() if v.id == sources.volume)
    snapshot = next(s for s in conn.list_volume_snapshots() if s.id == sources.snapshot)

    assert (volume.bootable, volume.size_gb, volume.volume_type) == (True, 1, DEFAULT_TYPE)
    assert (volume.image_min_disk_gb, volume.image_min_ram_mb) == (
        catalog.image.min_disk_gb,
        catalog.image.min_ram_mb,
    )
    assert (snapshot.volume_id, snapshot.bootable, snapshot.size_gb) == (sources.volume, True, 1)


def test_boot_from_an_existing_volume(conn, nova, catalog, cinder, sources):
    device = models.BlockDevice(source_type="volume", uuid=sources.volume)

    with launched(conn, nova, catalog, block_devices=(device,)) as (server, seen):
        assert server.image_id == "" and seen["image"] == ""
        assert attached(seen) == [{"id": sources.volume, "delete_on_termination": False}]
        assert cinder.get("volumes", sources.volume)["status"] == "in-use"

    # detached again, and kept
    cinder.wait("volumes", sources.volume, "available")


def test_boot_from_a_volume_snapshot(conn, nova, catalog, cinder, sources):
    device = models.BlockDevice(
        source_type="snapshot",
        uuid=sources.snapshot,
        volume_size=1,
        delete_on_termination=True,
    )

    with launched(conn, nova, catalog, block_devices=(device,)) as (_, seen):
        assert seen["image"] == ""
        (volume,) = attached(seen)
        made = cinder.get("volumes", volume["id"])

    assert made["snapshot_id"] == sources.snapshot
    assert (made["bootable"], volume["delete_on_termination"]) == ("true", True)
    cinder.wait_gone("volumes", volume["id"])


def test_boot_from_an_image_onto_a_new_volume_of_a_type(conn, nova, catalog, cinder):
    device = models.BlockDevice(
        source_type="image",
        uuid=catalog.image.id,
        volume_size=1,
        volume_type=DEFAULT_TYPE,
        delete_on_termination=True,
    )

    with launched(conn, nova, catalog, block_devices=(device,)) as (server, seen):
        assert server.image_id == "" and seen["image"] == ""
        (volume,) = attached(seen)
        made = cinder.get("volumes", volume["id"])

    assert (made["volume_type"], made["size"], made["bootable"]) == (DEFAULT_TYPE, 1, "true")
    assert made["volume_image_metadata"]["image_id"] == catalog.image.id
    cinder.wait_gone("volumes", volume["id"])


def test_boot_from_an_image_with_a_blank_data_volume(conn, nova, catalog, cinder):
    blank = models.BlockDevice(
        source_type="blank", boot_index=-1, volume_size=1, delete_on_termination=True
    )
    nics = (models.Nic(network_id=catalog.network.id),)

    with launched(
        conn, nova, catalog, image_id=catalog.image.id, networks=nics, block_devices=(blank,)
    ) as (server, seen):
        assert server.image_id == catalog.image.id == seen["image"]["id"]
        assert server.addresses[0].startswith(f"{NETWORK}: ")
        (volume,) = attached(seen)
        made = cinder.get("volumes", volume["id"])

    assert (made["bootable"], made["size"], volume["delete_on_termination"]) == ("false", 1, True)
    cinder.wait_gone("volumes", volume["id"])


def test_a_missing_volume_is_refused_by_nova(conn, catalog):
    missing = str(uuid.uuid4())
    device = models.BlockDevice(source_type="volume", uuid=missing)

    with pytest.raises(errors.InvalidRequest) as caught:
        conn.create_servers(
            models.ServerRequest(
                name="skiff-it-missing",
                flavor_id=catalog.flavor.id,
                image_id=None,
                networks="none",
                block_devices=(device,),
            )
        )

    assert caught.value.message == (
        f"Block Device Mapping is Invalid: failed to get volume {missing}."
    )
