"""The demo cloud: Nova-like refusals, enforced quotas, builds that end ACTIVE or
ERROR, and state shared by every app instance (worker) on one store."""

import json
import re
import sqlite3
import threading
import time

import pytest

from tests.helpers.demo import CIRROS
from tests.helpers.demo import PRIVATE
from tests.helpers.demo import request
from webapp import create_app
from webapp.cloud import catalog as catalog_module
from webapp.cloud.catalog import fetch_catalog
from webapp.cloud.demo import DemoProvider
from webapp.cloud.demo import data as demo_data
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import NotFound
from webapp.cloud.errors import QuotaExceeded
from webapp.cloud.errors import Unauthorized
from webapp.cloud.models import BlockDevice
from webapp.cloud.models import Nic

DEBIAN = demo_data.IMAGES[1].id
UBUNTU = demo_data.IMAGES[2].id
SHARED = demo_data.NETWORKS[1].id
ISOLATED = demo_data.NETWORKS[2].id
BOOT_VOLUME, DATA_VOLUME = (v.id for v in demo_data.VOLUMES["demo"])
(SNAPSHOT,) = (s.id for s in demo_data.VOLUME_SNAPSHOTS["demo"])
PRIVATE_PORT, SHARED_PORT = (p.id for p in demo_data.PORTS["demo"])
VOLUME_ONLY = "7"  # v1.volume-only: no local disk


@pytest.fixture
def provider(tmp_path):
    return DemoProvider(str(tmp_path / "demo.sqlite"), build_seconds=0)


def boot_volume(**values):
    """A request to boot from the seeded debian volume."""
    device = BlockDevice(source_type="volume", uuid=BOOT_VOLUME)
    return request(image_id=None, block_devices=(device,), **values)


def message_of(text):
    """A pytest ``match`` pattern for exactly this text."""
    return "^" + re.escape(text) + "$"


def test_login_refuses_a_bad_password(provider):
    with pytest.raises(Unauthorized, match="Invalid user name or password."):
        provider.login("demo", "wrong")


def test_login_scopes_to_the_last_used_project(provider):
    first = provider.login("demo", "demo")
    sandbox = next(p for p in first.projects if p.name == "sandbox")
    assert first.project_name == "demo"
    assert provider.login("demo", "demo", project_id=sandbox.id).project_name == "sandbox"
    assert provider.login("demo", "demo", project_id="not-mine").project_name == "demo"


def test_switching_to_a_foreign_project_is_refused(provider):
    identity = provider.login("demo", "demo")
    with pytest.raises(NotFound):
        provider.switch_project(identity, "someone-elses")


def test_an_expired_login_is_unauthorized(tmp_path):
    provider = DemoProvider(str(tmp_path / "d.sqlite"), token_ttl=-1)
    with pytest.raises(Unauthorized, match="expired"):
        provider.connect(provider.login("demo", "demo"))


def test_server_builds_then_becomes_active(tmp_path):
    provider = DemoProvider(str(tmp_path / "d.sqlite"), build_seconds=0.3)
    demo = provider.connect(provider.login("demo", "demo"))
    (server,) = demo.create_servers(request(name="web", key_name="demo-key", description="d"))
    assert server.status == "BUILD"
    time.sleep(0.35)
    server = demo.get_server(server.id)
    assert server.status == "ACTIVE"
    assert server.key_name == "demo-key" and server.description == "d"
    assert server.addresses[0].startswith("private: 10.0.0.")


def test_impossible_flavor_ends_in_error_with_a_fault(demo):
    (server,) = demo.create_servers(request(flavor_id="6"))  # r1.huge: 48 GB > any host
    server = demo.get_server(server.id)
    assert server.status == "ERROR"
    assert server.fault.startswith("No valid host was found.")


def test_quota_is_enforced_with_novas_message(sandbox):
    sandbox.create_servers(request(count=2))
    with pytest.raises(QuotaExceeded) as error:
        sandbox.create_servers(request())
    assert error.value.message == (
        "Quota exceeded for instances: Requested 1, but already used 2 of 2 instances"
    )
    assert error.value.request_id.startswith("req-")
    limits = sandbox.get_limits()
    assert (limits.used_instances, limits.used_cores, limits.used_ram_mb) == (2, 2, 1024)


def test_cores_quota_counts_every_server_of_the_count(sandbox):
    with pytest.raises(
        QuotaExceeded, match="Quota exceeded for cores: Requested 8, but already used 0 of 4 cores"
    ):
        sandbox.create_servers(request(flavor_id="5", count=2))  # m1.large: 4 vCPUs
    assert sandbox.list_servers() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"image_id": "nope"}, "Can not find requested image"),
        ({"flavor_id": "99"}, "Flavor 99 could not be found."),
        (
            {"image_id": UBUNTU, "flavor_id": "2"},
            "Flavor's memory is too small for requested image.",
        ),
        ({"networks": (Nic(network_id=ISOLATED),)}, f"Network {ISOLATED} requires a subnet"),
        ({"networks": (Nic(network_id="missing"),)}, "Network missing could not be found."),
        ({"key_name": "nope"}, "Invalid key_name provided."),
        ({"security_groups": ("ghosts",)}, "Security group ghosts not found"),
        ({"availability_zone": "maintenance"}, "not available: maintenance"),
        ({"name": "  "}, "the name is empty"),
    ],
)
def test_requests_nova_would_refuse_are_refused(demo, change, message):
    with pytest.raises(InvalidRequest, match=message.replace("(", r"\(").replace(")", r"\)")):
        demo.create_servers(request(**change))


def test_multi_create_names_servers_like_nova(demo):
    servers = demo.create_servers(request(name="node", count=3))
    assert sorted(s.name for s in servers) == ["node-1", "node-2", "node-3"]


def test_networks_auto_and_none(demo):
    (auto,) = demo.create_servers(request(networks="auto"))
    (none,) = demo.create_servers(request(networks="none"))
    assert demo.get_server(auto.id).addresses[0].startswith("private:")
    assert demo.get_server(none.id).addresses == ()


def test_servers_of_another_project_are_not_visible(demo, sandbox):
    (server,) = demo.create_servers(request())
    with pytest.raises(NotFound):
        sandbox.get_server(server.id)
    assert sandbox.list_servers() == []


def test_state_is_shared_by_two_app_instances_on_one_store(tmp_path):
    config = {"TESTING": True, "SECRET_KEY": "x", "DEMO_BUILD_SECONDS": 0}
    # Two workers: separate instance folders for their other state, one demo store.
    config["DEMO_DATABASE"] = str(tmp_path / "shared.sqlite")
    first = create_app(config, instance_path=str(tmp_path / "one"))
    second = create_app(config, instance_path=str(tmp_path / "two"))
    one = first.extensions["skiff.cloud"]
    two = second.extensions["skiff.cloud"]
    (server,) = one.connect(one.login("demo", "demo")).create_servers(request(name="shared"))
    seen = two.connect(two.login("demo", "demo")).get_server(server.id)
    assert seen.name == "shared" and seen.status == "ACTIVE"


def test_state_survives_a_restart(tmp_path):
    path = str(tmp_path / "d.sqlite")
    provider = DemoProvider(path, build_seconds=0)
    provider.connect(provider.login("demo", "demo")).create_servers(request(name="persistent"))
    again = DemoProvider(path, build_seconds=0)
    assert [s.name for s in again.connect(again.login("demo", "demo")).list_servers()] == [
        "persistent"
    ]


def test_fetch_catalog_lists_everything_at_once(demo):
    catalog = fetch_catalog(demo)
    assert {i.name for i in catalog.images} >= {"cirros-0.6.3", "web-01-snapshot"}
    assert [k.name for k in catalog.keypairs] == ["demo-key"]
    assert [z.name for z in catalog.availability_zones] == ["nova"]
    assert catalog.features.description is True
    assert catalog.features.volumes and catalog.features.volume_type
    assert catalog.flavor(VOLUME_ONLY).disk_gb == 0
    assert catalog.unavailable == ()


def test_fetch_catalog_runs_the_calls_concurrently(demo):
    # Every call waits until all are in flight: done one after the other, the
    # first would wait for ever (here: time out and break the barrier).
    barrier = threading.Barrier(len(catalog_module._LISTS), timeout=10)

    class Together:
        def __getattr__(self, name):
            method = getattr(demo, name)

            def call():
                barrier.wait()
                return method()

            return call

    catalog = fetch_catalog(Together())
    assert catalog.flavors and catalog.networks


# -- the lists of the extended wizard ---------------------------------------------


def test_block_storage_ports_and_server_groups(demo, sandbox):
    assert {
        (v.name, v.bootable, v.image_min_disk_gb, v.image_min_ram_mb) for v in demo.list_volumes()
    } == {("debian-boot", True, 4, 512), ("data", False, 0, 0)}
    (snapshot,) = demo.list_volume_snapshots()
    assert (snapshot.volume_id, snapshot.bootable, snapshot.size_gb) == (BOOT_VOLUME, True, 10)
    assert [(t.name, t.is_default) for t in demo.list_volume_types()] == [
        ("standard", True),
        ("ssd", False),
    ]
    assert {(g.name, g.policy) for g in demo.list_server_groups()} == {
        ("web-anti-affinity", "anti-affinity"),
        ("db-affinity", "affinity"),
    }
    ports = {p.name: p for p in demo.list_ports()}
    assert ports["reserved-private"].fixed_ips == ("10.0.0.50",)
    assert ports["shared-net-port"].network_id == SHARED
    # volumes and ports belong to a project
    assert (sandbox.list_volumes(), sandbox.list_volume_snapshots(), sandbox.list_ports()) == (
        [],
        [],
        [],
    )


def test_limits_count_volumes_and_snapshot_gigabytes(demo, sandbox):
    limits = demo.get_limits()
    # two seeded volumes of 10 and 20 GB, and a 10 GB snapshot (Cinder counts it)
    assert (limits.max_volumes, limits.used_volumes) == (10, 2)
    assert (limits.max_volume_gb, limits.used_volume_gb) == (1000, 40)
    assert limits.max_server_meta == 128
    limits = sandbox.get_limits()
    assert (
        limits.max_volumes,
        limits.used_volumes,
        limits.max_volume_gb,
        limits.used_volume_gb,
    ) == (2, 0, 20, 0)


def test_seeded_volumes_are_seeded_once(tmp_path):
    path = str(tmp_path / "d.sqlite")
    provider = DemoProvider(path, build_seconds=0)
    demo = provider.connect(provider.login("demo", "demo"))
    data = BlockDevice(
        source_type="volume", uuid=DATA_VOLUME, boot_index=-1, delete_on_termination=True
    )
    (server,) = demo.create_servers(request(block_devices=(data,)))
    demo.delete_server(server.id)

    again = DemoProvider(path, build_seconds=0)

    assert [v.name for v in again.connect(again.login("demo", "demo")).list_volumes()] == [
        "debian-boot"
    ]


def test_a_state_file_of_the_previous_version_is_upgraded(tmp_path):
    path = str(tmp_path / "old.sqlite")
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE servers (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, user_id TEXT NOT NULL, "
            "name TEXT NOT NULL, flavor_id TEXT NOT NULL, image_id TEXT NOT NULL, key_name TEXT, "
            "availability_zone TEXT, networks TEXT NOT NULL, security_groups TEXT NOT NULL, "
            "description TEXT, user_data TEXT, status TEXT NOT NULL, final_status TEXT NOT NULL, "
            "fault TEXT, created_at REAL NOT NULL, ready_at REAL NOT NULL)"
        )
        db.execute(
            "INSERT INTO servers VALUES ('old', ?, 'u', 'old', '2', ?, NULL, 'nova', '[]', '[\"default\"]', "
            "NULL, NULL, 'ACTIVE', 'ACTIVE', NULL, 0, 0)",
            (demo_data.PROJECTS["demo"]["id"], CIRROS),
        )
    provider = DemoProvider(path, build_seconds=0)
    demo = provider.connect(provider.login("demo", "demo"))

    assert demo.get_server("old").status == "ACTIVE"
    (server,) = demo.create_servers(request(tags=("new",)))
    assert demo.get_server(server.id).status == "ACTIVE"


# -- boot sources ------------------------------------------------------------------


def volumes_of(provider, server_id):
    with provider.db() as db:
        return db.execute(
            "SELECT * FROM volumes WHERE server_id = ? ORDER BY size_gb", (server_id,)
        ).fetchall()


def test_boot_from_an_existing_volume(provider, demo):
    (server,) = demo.create_servers(boot_volume(flavor_id="3"))

    server = demo.get_server(server.id)
    assert server.status == "ACTIVE"
    assert server.image_id == ""  # as Nova shows a server booted from a volume
    (attached,) = volumes_of(provider, server.id)
    assert (attached["id"], attached["status"]) == (BOOT_VOLUME, "in-use")
    assert BOOT_VOLUME not in {v.id for v in demo.list_volumes()}
    assert demo.get_limits().used_volumes == 2  # nothing new

    demo.delete_server(server.id)

    assert BOOT_VOLUME in {v.id for v in demo.list_volumes()}


def test_boot_from_a_volume_snapshot_makes_a_volume(provider, demo):
    device = BlockDevice(
        source_type="snapshot", uuid=SNAPSHOT, volume_size=12, delete_on_termination=True
    )

    (server,) = demo.create_servers(
        request(image_id=None, flavor_id=VOLUME_ONLY, block_devices=(device,))
    )

    assert demo.get_server(server.id).status == "ACTIVE"
    (volume,) = volumes_of(provider, server.id)
    assert (volume["size_gb"], volume["bootable"], volume["volume_type"]) == (12, 1, "standard")
    assert (demo.get_limits().used_volumes, demo.get_limits().used_volume_gb) == (3, 52)

    demo.delete_server(server.id)

    assert (demo.get_limits().used_volumes, demo.get_limits().used_volume_gb) == (2, 40)


def test_boot_from_an_image_onto_a_new_volume_kept_after_the_server(provider, demo):
    device = BlockDevice(source_type="image", uuid=DEBIAN, volume_size=8, volume_type="ssd")

    (server,) = demo.create_servers(
        request(image_id=None, flavor_id=VOLUME_ONLY, block_devices=(device,))
    )

    (volume,) = volumes_of(provider, server.id)
    assert (
        volume["volume_type"],
        volume["image_min_disk_gb"],
        volume["delete_on_termination"],
    ) == ("ssd", 4, 0)
    demo.delete_server(server.id)
    kept = next(v for v in demo.list_volumes() if v.id == volume["id"])
    # Nova names the volumes it makes "", so the id stands in
    assert (kept.name, kept.bootable, kept.size_gb) == (volume["id"], True, 8)


def test_boot_from_an_image_with_a_blank_data_volume(provider, demo):
    blank = BlockDevice(
        source_type="blank", boot_index=-1, volume_size=5, delete_on_termination=True
    )

    (server,) = demo.create_servers(request(image_id=DEBIAN, flavor_id="3", block_devices=(blank,)))

    server = demo.get_server(server.id)
    assert (server.status, server.image_id) == ("ACTIVE", DEBIAN)
    (volume,) = volumes_of(provider, server.id)
    assert (volume["size_gb"], volume["bootable"]) == (5, 0)


def test_zero_disk_flavor_needs_a_volume_to_boot_from(demo):
    with pytest.raises(
        InvalidRequest,
        match=message_of("Only volume-backed servers are allowed for flavors with zero disk."),
    ):
        demo.create_servers(request(flavor_id=VOLUME_ONLY))
    (server,) = demo.create_servers(boot_volume(flavor_id=VOLUME_ONLY))
    assert demo.get_server(server.id).status == "ACTIVE"


def test_a_volume_in_use_or_missing_is_refused(demo):
    demo.create_servers(boot_volume(flavor_id="3"))
    for volume_id in (BOOT_VOLUME, "no-such-volume"):
        device = BlockDevice(source_type="volume", uuid=volume_id)
        with pytest.raises(
            InvalidRequest,
            match=message_of(f"Block Device Mapping is Invalid: failed to get volume {volume_id}."),
        ):
            demo.create_servers(request(image_id=None, block_devices=(device,)))


def test_a_volume_of_another_project_is_not_found(sandbox):
    with pytest.raises(InvalidRequest, match="failed to get volume"):
        sandbox.create_servers(boot_volume(flavor_id="3"))


def test_an_existing_volume_cannot_go_to_several_servers(demo):
    with pytest.raises(InvalidRequest, match="can be attached to one server only, not to 2"):
        demo.create_servers(boot_volume(flavor_id="3", count=2))
    assert demo.list_servers() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"block_devices": (BlockDevice(source_type="volume", uuid=DATA_VOLUME),)},
            f"Block Device {DATA_VOLUME} is not bootable.",
        ),
        (
            {"block_devices": (BlockDevice(source_type="blank", boot_index=-1, volume_size=1),)},
            (
                "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device "
                "mapping combination is not valid."
            ),
        ),
        (
            {
                "image_id": CIRROS,
                "block_devices": (BlockDevice(source_type="volume", uuid=BOOT_VOLUME),),
            },
            (
                "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device "
                "mapping combination is not valid."
            ),
        ),
        (
            {"block_devices": (BlockDevice(source_type="image", uuid=DEBIAN),)},
            (
                "Block Device Mapping is Invalid: Images with destination_type 'volume' need to have a "
                "non-zero size"
            ),
        ),
        (
            {
                "image_id": CIRROS,
                "block_devices": (BlockDevice(source_type="blank", boot_index=-1),),
            },
            (
                "Block Device Mapping is Invalid: Blank volumes (source: 'blank', dest: 'volume') need to "
                "have a non-zero size"
            ),
        ),
        (
            {"block_devices": (BlockDevice(source_type="image", uuid="nope", volume_size=5),)},
            "Block Device Mapping is Invalid: failed to get image nope.",
        ),
        (
            {"block_devices": (BlockDevice(source_type="snapshot", uuid="nope"),)},
            "Block Device Mapping is Invalid: failed to get snapshot nope.",
        ),
        (
            {"block_devices": (BlockDevice(source_type="image", uuid=DEBIAN, volume_size=3),)},
            (
                "Volume is smaller than the minimum size specified in image metadata. Volume size is "
                "3221225472 bytes, minimum size is 4294967296 bytes."
            ),
        ),
        (
            {"block_devices": (BlockDevice(source_type="snapshot", uuid=SNAPSHOT, volume_size=5),)},
            (
                "Invalid input received: Volume size '5'GB cannot be smaller than the snapshot size 10GB. "
                "They must be >= original snapshot size."
            ),
        ),
        (
            {
                "block_devices": (
                    BlockDevice(
                        source_type="image", uuid=DEBIAN, volume_size=5, volume_type="gold"
                    ),
                )
            },
            "Volume type gold could not be found.",
        ),
        # the debian volume keeps the image's 512 MB minimum
        (
            {
                "flavor_id": "1",
                "block_devices": (BlockDevice(source_type="volume", uuid=BOOT_VOLUME),),
            },
            "Flavor's memory is too small for requested image.",
        ),
    ],
)
def test_block_devices_nova_would_refuse(demo, change, message):
    values = {"image_id": None, "flavor_id": "3", **change}
    with pytest.raises(InvalidRequest, match=message_of(message)):
        demo.create_servers(request(**values))
    assert demo.list_servers() == []


def test_volume_quota_ends_the_build_in_error_like_cinder(sandbox):
    disks = (
        BlockDevice(source_type="image", uuid=CIRROS, volume_size=5, delete_on_termination=True),
        BlockDevice(source_type="blank", boot_index=-1, volume_size=1, delete_on_termination=True),
    )

    first, second = sandbox.create_servers(request(image_id=None, count=2, block_devices=disks))

    # accepted, as by Nova; the second server's volumes are over the quota of 2
    assert sandbox.get_server(first.id).status == "ACTIVE"
    second = sandbox.get_server(second.id)
    assert second.status == "ERROR"
    assert second.fault == (
        f"Build of instance {second.id} aborted: VolumeLimitExceeded: Maximum number of "
        "volumes allowed (2) exceeded for quota 'volumes'."
    )
    assert second.addresses == ()
    limits = sandbox.get_limits()
    assert (limits.used_volumes, limits.used_volume_gb, limits.used_instances) == (2, 6, 2)


def test_volume_gigabytes_quota_ends_the_build_in_error(sandbox):
    device = BlockDevice(source_type="image", uuid=CIRROS, volume_size=25)

    (server,) = sandbox.create_servers(request(image_id=None, block_devices=(device,)))

    assert sandbox.get_server(server.id).fault == (
        f"Build of instance {server.id} aborted: VolumeSizeExceedsAvailableQuota: Requested "
        "volume or snapshot exceeds allowed gigabytes quota. Requested 25G, quota is 20G and "
        "0G has been consumed."
    )
    assert sandbox.get_limits().used_volumes == 0


# -- ports and fixed IPs ---------------------------------------------------------------


def test_a_port_is_used_then_free_again(demo):
    (server,) = demo.create_servers(
        request(networks=(Nic(port_id=PRIVATE_PORT), Nic(network_id=SHARED)))
    )

    server = demo.get_server(server.id)
    assert server.addresses[0] == "private: 10.0.0.50"
    assert server.addresses[1].startswith("shared-net: 192.168.100.")
    assert [p.id for p in demo.list_ports()] == [SHARED_PORT]
    with pytest.raises(InvalidRequest, match=message_of(f"Port {PRIVATE_PORT} is still in use.")):
        demo.create_servers(request(networks=(Nic(port_id=PRIVATE_PORT),)))

    demo.delete_server(server.id)

    assert {p.id for p in demo.list_ports()} == {PRIVATE_PORT, SHARED_PORT}


def test_a_fixed_ip_is_given_to_the_server(demo):
    (server,) = demo.create_servers(
        request(networks=(Nic(network_id=PRIVATE, fixed_ip="10.0.0.77"),))
    )

    assert demo.get_server(server.id).addresses == ("private: 10.0.0.77",)
    with pytest.raises(
        InvalidRequest, match=message_of("Fixed IP address 10.0.0.77 is already in use.")
    ):
        demo.create_servers(request(networks=(Nic(network_id=PRIVATE, fixed_ip="10.0.0.77"),)))


def test_two_interfaces_on_one_network_get_two_addresses(demo):
    (server,) = demo.create_servers(
        request(networks=(Nic(network_id=PRIVATE), Nic(network_id=PRIVATE)))
    )

    first, second = demo.get_server(server.id).addresses
    assert first != second


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"count": 2, "networks": (Nic(port_id=SHARED_PORT),)},
            (
                "Failed to launch instances: Unable to launch multiple instances with a single configured "
                "port ID. Please launch your instance one by one with different ports."
            ),
        ),
        (
            {"count": 2, "networks": (Nic(network_id=PRIVATE, fixed_ip="10.0.0.9"),)},
            "Failed to launch instances: max_count cannot be greater than 1 if an fixed_ip is specified.",
        ),
        (
            {"networks": (Nic(network_id=PRIVATE, fixed_ip="192.168.100.9"),)},
            f"Fixed IP 192.168.100.9 is not a valid ip address for network {PRIVATE}.",
        ),
        (
            {"networks": (Nic(network_id=PRIVATE, fixed_ip="10.0.0.300"),)},
            "Invalid input for field/attribute fixed_ip. Value: 10.0.0.300. '10.0.0.300' is not a 'ip-address'",
        ),
        # the free port's address
        (
            {"networks": (Nic(network_id=PRIVATE, fixed_ip="10.0.0.50"),)},
            "Fixed IP address 10.0.0.50 is already in use.",
        ),
        ({"networks": (Nic(port_id="no-such-port"),)}, "Port id no-such-port could not be found."),
        ({"networks": (Nic(),)}, "A network interface needs a network or a port."),
    ],
)
def test_network_interfaces_nova_would_refuse(demo, change, message):
    with pytest.raises(InvalidRequest, match=message_of(message)):
        demo.create_servers(request(**change))
    assert demo.list_servers() == []


# -- the other launch options --------------------------------------------------------


def test_options_are_stored_with_the_server(provider, demo):
    group = demo_data.SERVER_GROUPS[0].id
    (server,) = demo.create_servers(
        request(
            tags=("web", "prod"),
            metadata={"owner": "web team"},
            hostname="web-01.example.org",
            config_drive=True,
            disk_config="MANUAL",
            server_group=group,
            admin_password="secret",
        )
    )

    with provider.db() as db:
        row = db.execute("SELECT details FROM servers WHERE id = ?", (server.id,)).fetchone()
    assert json.loads(row["details"]) == {
        "tags": ["web", "prod"],
        "metadata": {"owner": "web team"},
        "hostname": "web-01.example.org",
        "config_drive": True,
        "disk_config": "MANUAL",
        "server_group": group,
    }
    assert "secret" not in json.dumps(dict(row))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"count": 2, "hostname": "web"},
            "Unable to allocate a single hostname to multiple instances",
        ),
        ({"hostname": "web 01"}, "Invalid input for field/attribute hostname. Value: web 01."),
        ({"metadata": {"k" * 256: "v"}}, "Invalid input for field/attribute metadata. Value: kkk"),
        (
            {"metadata": {"bad/key": "v"}},
            "Invalid input for field/attribute metadata. Value: bad/key.",
        ),
        ({"metadata": {"key": "v" * 256}}, "Value of key is longer than 255 characters."),
        ({"tags": tuple(f"t{i}" for i in range(51))}, "51 tags is too many: 50 at most."),
        ({"tags": ("a,b",)}, "Value: a,b. A tag has 1 to 60 characters, none of them ',' or '/'."),
        ({"tags": ("a/b",)}, "Value: a/b."),
        ({"tags": ("t" * 61,)}, "A tag has 1 to 60 characters"),
        ({"tags": ("",)}, "A tag has 1 to 60 characters"),
        ({"disk_config": "SOMETIMES"}, "It must be AUTO or MANUAL."),
        ({"server_group": "nope"}, "Instance group nope could not be found."),
    ],
)
def test_options_nova_would_refuse(demo, change, message):
    with pytest.raises(InvalidRequest, match=re.escape(message)):
        demo.create_servers(request(**change))


def test_too_many_metadata_items_is_over_quota(demo):
    metadata = {f"key{i}": "v" for i in range(129)}
    with pytest.raises(QuotaExceeded) as caught:
        demo.create_servers(request(metadata=metadata))
    assert caught.value.message == "Maximum number of metadata items exceeds 128"
    (server,) = demo.create_servers(request(metadata=dict(list(metadata.items())[:128])))
    assert demo.get_server(server.id).status == "ACTIVE"


# -- key pairs and deleting ----------------------------------------------------------

ED25519 = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDxpmLDh9usSA2kbv/4vI3Fs5XOysSgQ+i56jrgXNjEw me@laptop"
)


def test_import_keypair_with_novas_fingerprint(demo):
    keypair = demo.import_keypair("laptop", ED25519)

    assert keypair.fingerprint == "9f:5f:11:12:bc:1c:9c:dc:27:b4:f5:ab:33:98:12:31"
    assert [k.name for k in demo.list_keypairs()] == ["demo-key", "laptop"]
    (server,) = demo.create_servers(request(key_name="laptop"))
    assert demo.get_server(server.id).key_name == "laptop"


@pytest.mark.parametrize("name", ["laptop", "demo-key"])
def test_import_keypair_refuses_a_name_taken(demo, name):
    demo.import_keypair("laptop", ED25519)
    with pytest.raises(InvalidRequest, match=message_of(f"Key pair '{name}' already exists.")):
        demo.import_keypair(name, ED25519)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "ssh-dss AAAAB3NzaC1kc3MAAACBAP me",
        "ssh-ed25519 not-base64!",
        "ssh-ed25519",
        # an RSA key's blob under the ed25519 label
        "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAAAgQC me",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
    ],
)
def test_import_keypair_refuses_a_bad_key(demo, key):
    with pytest.raises(
        InvalidRequest, match=message_of("Keypair data is invalid: failed to generate fingerprint")
    ):
        demo.import_keypair("laptop", key)


def test_import_keypair_refuses_a_bad_name(demo):
    with pytest.raises(InvalidRequest, match="Invalid input for field/attribute name"):
        demo.import_keypair("my/key", ED25519)
    assert demo.import_keypair("me@laptop.example", ED25519).name == "me@laptop.example"


def test_delete_server(demo, sandbox):
    (server,) = demo.create_servers(request())
    with pytest.raises(NotFound):
        sandbox.delete_server(server.id)

    demo.delete_server(server.id)

    with pytest.raises(NotFound):
        demo.get_server(server.id)
    with pytest.raises(NotFound, match=message_of(f"Instance {server.id} could not be found.")):
        demo.delete_server(server.id)
    assert demo.get_limits().used_instances == 0


def test_deleting_keeps_a_volume_a_snapshot_depends_on(demo):
    device = BlockDevice(source_type="volume", uuid=BOOT_VOLUME, delete_on_termination=True)
    (server,) = demo.create_servers(request(image_id=None, flavor_id="3", block_devices=(device,)))

    demo.delete_server(server.id)

    # Cinder refuses to delete a volume with snapshots: it is only detached
    assert BOOT_VOLUME in {v.id for v in demo.list_volumes()}
