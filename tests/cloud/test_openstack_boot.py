"""The exact POST /servers body for every boot source and launch option."""

import pytest

from webapp.cloud import errors
from webapp.cloud import models

NET = "11111111-1111-1111-1111-111111111111"
SHARED = "22222222-2222-2222-2222-222222222222"
IMAGE = "aaaaaaaa-0000-0000-0000-000000000001"
VOLUME = "bbbbbbbb-0000-0000-0000-000000000002"
SNAPSHOT = "cccccccc-0000-0000-0000-000000000003"

#: what every body below has besides its boot source
COMMON = {"name": "web", "flavorRef": "42", "min_count": 1, "max_count": 1}


@pytest.fixture
def create(cloud):
    """Nova's 202 answer to POST /servers."""
    return cloud.http.post(
        f"{cloud.nova}/servers",
        status_code=202,
        json={
            "server": {
                "id": "srv-1",
                "links": [],
                "OS-DCF:diskConfig": "MANUAL",
                "security_groups": [{"name": "default"}],
            }
        },
    )


def launch(conn, **values):
    values = {
        "name": "web",
        "flavor_id": "42",
        "image_id": None,
        "networks": (models.Nic(network_id=NET),),
        **values,
    }
    return conn.create_servers(models.ServerRequest(**values))


def test_image(conn, create):
    (server,) = launch(conn, image_id=IMAGE)

    assert create.last_request.json() == {
        "server": {**COMMON, "imageRef": IMAGE, "networks": [{"uuid": NET}]}
    }
    assert server.image_id == IMAGE


def test_instance_snapshot_is_booted_like_an_image(conn, create):
    launch(conn, image_id="snapshot-image-id")

    sent = create.last_request.json()["server"]
    assert sent["imageRef"] == "snapshot-image-id"
    assert "block_device_mapping_v2" not in sent


def test_existing_volume(conn, create):
    (server,) = launch(
        conn,
        block_devices=(models.BlockDevice(source_type="volume", uuid=VOLUME),),
    )

    assert create.last_request.json() == {
        "server": {
            **COMMON,
            # novaclient's way of saying "no image", which Nova accepts only
            # for a server booted from a volume
            "imageRef": "",
            "networks": [{"uuid": NET}],
            "block_device_mapping_v2": [
                {
                    "uuid": VOLUME,
                    "source_type": "volume",
                    "destination_type": "volume",
                    "boot_index": 0,
                    "delete_on_termination": False,
                },
            ],
        }
    }
    assert server.image_id == ""


def test_volume_snapshot_to_a_new_volume(conn, create):
    launch(
        conn,
        block_devices=(
            models.BlockDevice(
                source_type="snapshot", uuid=SNAPSHOT, volume_size=20, delete_on_termination=True
            ),
        ),
    )

    sent = create.last_request.json()["server"]
    assert sent["imageRef"] == ""
    assert sent["block_device_mapping_v2"] == [
        {
            "uuid": SNAPSHOT,
            "source_type": "snapshot",
            "destination_type": "volume",
            "boot_index": 0,
            "delete_on_termination": True,
            "volume_size": 20,
        },
    ]


def test_image_to_a_new_volume_of_a_type(conn, create):
    launch(
        conn,
        block_devices=(
            models.BlockDevice(
                source_type="image",
                uuid=IMAGE,
                volume_size=10,
                delete_on_termination=True,
                volume_type="ssd",
            ),
        ),
    )

    sent = create.last_request.json()["server"]
    # the image is in the mapping only: an imageRef would add a local disk
    assert sent["imageRef"] == ""
    assert sent["block_device_mapping_v2"] == [
        {
            "uuid": IMAGE,
            "source_type": "image",
            "destination_type": "volume",
            "boot_index": 0,
            "delete_on_termination": True,
            "volume_size": 10,
            "volume_type": "ssd",
        },
    ]


def test_image_with_a_blank_data_volume(conn, create):
    (server,) = launch(
        conn,
        image_id=IMAGE,
        block_devices=(
            models.BlockDevice(
                source_type="blank", boot_index=-1, volume_size=5, delete_on_termination=True
            ),
        ),
    )

    assert create.last_request.json() == {
        "server": {
            **COMMON,
            "imageRef": IMAGE,
            "networks": [{"uuid": NET}],
            "block_device_mapping_v2": [
                # put first by novaclient: the image is the local boot disk
                {
                    "uuid": IMAGE,
                    "source_type": "image",
                    "destination_type": "local",
                    "boot_index": 0,
                    "delete_on_termination": True,
                },
                {
                    "source_type": "blank",
                    "destination_type": "volume",
                    "boot_index": -1,
                    "delete_on_termination": True,
                    "volume_size": 5,
                },
            ],
        }
    }
    assert server.image_id == IMAGE


def test_ports_and_fixed_ips(conn, create):
    launch(
        conn,
        image_id=IMAGE,
        networks=(
            models.Nic(port_id="port-1"),
            models.Nic(network_id=NET, fixed_ip="10.0.0.9"),
            models.Nic(network_id=SHARED, fixed_ip="fd00::9"),
        ),
    )

    assert create.last_request.json()["server"]["networks"] == [
        {"port": "port-1"},
        {"uuid": NET, "fixed_ip": "10.0.0.9"},
        {"uuid": SHARED, "fixed_ip": "fd00::9"},
    ]


def test_every_other_option(conn, create):
    launch(
        conn,
        image_id=IMAGE,
        admin_password="s3cret",
        config_drive=True,
        disk_config="MANUAL",
        metadata={"owner": "web team", "tier": "front"},
        tags=("web", "prod"),
        hostname="web-01.example.org",
        server_group="group-1",
        scheduler_hints={"different_host": "srv-0"},
    )

    assert create.last_request.json() == {
        "server": {
            **COMMON,
            "imageRef": IMAGE,
            "networks": [{"uuid": NET}],
            "adminPass": "s3cret",
            "config_drive": True,
            "OS-DCF:diskConfig": "MANUAL",
            "metadata": {"owner": "web team", "tier": "front"},
            "tags": ["web", "prod"],
            "hostname": "web-01.example.org",
        },
        "os:scheduler_hints": {"different_host": "srv-0", "group": "group-1"},
    }


def test_options_left_out_are_not_sent(conn, create):
    launch(conn, image_id=IMAGE, config_drive=False, metadata={}, tags=())

    assert create.last_request.json() == {
        "server": {**COMMON, "imageRef": IMAGE, "networks": [{"uuid": NET}]}
    }


# -- what an older compute API cannot take ----------------------------------------


@pytest.mark.parametrize(
    ("version", "change", "message"),
    [
        ("2.51", {"tags": ("web",)}, "Tags need compute API 2.52"),
        ("2.89", {"hostname": "web-01"}, "A hostname needs compute API 2.90"),
        (
            "2.66",
            {
                "block_devices": (
                    models.BlockDevice(
                        source_type="image", uuid=IMAGE, volume_size=1, volume_type="ssd"
                    ),
                )
            },
            "Volume types need compute API 2.67",
        ),
    ],
)
def test_refused_below_its_microversion_without_a_call(
    cloud, provider, create, version, change, message
):
    cloud.nova_version(version)
    conn = provider.connect(cloud.identity())

    with pytest.raises(errors.InvalidRequest) as caught:
        launch(conn, image_id=IMAGE, **change)

    assert caught.value.message == message
    assert create.call_count == 0


@pytest.mark.parametrize("version", ["2.52", "2.67", "2.90"])
def test_allowed_from_its_microversion(cloud, provider, create, version):
    cloud.nova_version(version)
    conn = provider.connect(cloud.identity())
    change = {
        "2.52": {"tags": ("web",)},
        "2.67": {
            "block_devices": (
                models.BlockDevice(
                    source_type="blank", boot_index=-1, volume_size=1, volume_type="ssd"
                ),
            )
        },
        "2.90": {"hostname": "web-01"},
    }[version]

    launch(conn, image_id=IMAGE, **change)

    assert create.last_request.headers["X-OpenStack-Nova-API-Version"] == version


@pytest.mark.parametrize(
    ("nic", "message"),
    [
        (
            models.Nic(network_id=NET, fixed_ip="10.0.0.300"),
            "10.0.0.300 is not a valid IP address.",
        ),
        (models.Nic(), "A network interface needs a network or a port."),
    ],
)
def test_bad_network_interfaces_are_refused_without_a_call(conn, create, nic, message):
    with pytest.raises(errors.InvalidRequest) as caught:
        launch(conn, image_id=IMAGE, networks=(nic,))

    assert caught.value.message == message
    assert create.call_count == 0
