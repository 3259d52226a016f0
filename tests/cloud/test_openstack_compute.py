"""Nova through novaclient: microversion negotiation, creating and reading servers."""

import base64
import concurrent.futures

import pytest

from tests.helpers.fake_cloud import nova_server
from webapp.cloud import errors
from webapp.cloud import models

NET_A = "11111111-1111-1111-1111-111111111111"
NET_B = "22222222-2222-2222-2222-222222222222"

FULL_REQUEST = models.ServerRequest(
    name="web",
    flavor_id="42",
    image_id="img-1",
    count=1,
    availability_zone="nova",
    key_name="laptop",
    security_groups=("default", "web"),
    networks=(models.Nic(network_id=NET_A), models.Nic(network_id=NET_B)),
    user_data="#cloud-config\npackages: [nginx]\n",
    description="front end",
)


def accept_create(cloud, server_id="srv-1"):
    """Nova's 202 answer to POST /servers."""
    return cloud.http.post(
        f"{cloud.nova}/servers",
        status_code=202,
        json={
            "server": {
                "id": server_id,
                "links": [],
                "OS-DCF:diskConfig": "MANUAL",
                "security_groups": [{"name": "default"}],
            }
        },
        headers={"x-compute-request-id": "req-create"},
    )


# -- negotiation -----------------------------------------------------------------


def test_features_of_a_new_cloud(cloud, conn):
    features = conn.features()

    assert features == models.Features(
        compute_microversion="2.96",
        description=True,
        tags=True,
        hostname=True,
        network_auto=True,
        network_none=True,
        volumes=True,
        volume_type=True,
        hostname_fqdn=True,
        # until the cloud has refused every console type (none asked yet)
        remote_console=True,
    )
    # the version document only: Neutron is not asked about auto-allocation
    assert [r.url for r in cloud.requests()] == [cloud.nova]


def test_features_stop_at_what_novaclient_supports(cloud, provider):
    cloud.nova_version("2.104")

    features = provider.connect(cloud.identity()).features()

    assert features.compute_microversion == "2.96"
    assert features.network_auto is True


def test_features_of_an_old_cloud(cloud, provider):
    cloud.nova_version("2.15")

    features = provider.connect(cloud.identity(services=("compute",))).features()

    assert features == models.Features(compute_microversion="2.15", remote_console=True)


@pytest.mark.parametrize(
    ("version", "description", "tags", "hostname", "nics", "volume_type", "fqdn"),
    [
        ("2.18", False, False, False, False, False, False),
        ("2.19", True, False, False, False, False, False),
        ("2.37", True, False, False, True, False, False),
        ("2.52", True, True, False, True, False, False),
        ("2.66", True, True, False, True, False, False),
        ("2.67", True, True, False, True, True, False),
        ("2.89", True, True, False, True, True, False),
        ("2.90", True, True, True, True, True, False),
        ("2.93", True, True, True, True, True, False),
        ("2.94", True, True, True, True, True, True),
    ],
)
def test_features_thresholds(
    cloud, provider, version, description, tags, hostname, nics, volume_type, fqdn
):
    cloud.nova_version(version)

    features = provider.connect(cloud.identity()).features()

    assert (features.description, features.tags, features.hostname) == (
        description,
        tags,
        hostname,
    )
    assert features.network_none is nics
    assert features.network_auto is nics
    assert (features.volume_type, features.hostname_fqdn) == (volume_type, fqdn)


def test_negotiation_happens_once_for_concurrent_calls(cloud, conn, call_log):
    # a slow answer, so that every thread asks while it is pending
    versions = cloud.nova_version("2.96", delay=0.1)
    cloud.http.get(f"{cloud.nova}/flavors/detail", json={"flavors": []})
    cloud.http.get(f"{cloud.nova}/os-keypairs", json={"keypairs": []})
    cloud.http.get(f"{cloud.nova}/os-availability-zone", json={"availabilityZoneInfo": []})
    cloud.http.get(f"{cloud.nova}/limits", json={"limits": {"absolute": {}}})
    cloud.http.get(f"{cloud.cinder}/limits", json={"limits": {"absolute": {}}})
    calls = [
        conn.list_flavors,
        conn.list_keypairs,
        conn.list_availability_zones,
        conn.get_limits,
    ] * 4

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for future in [pool.submit(call) for call in calls]:
            future.result()

    assert versions.call_count == 1
    assert call_log.count("compute") == 1 + 16
    nova_calls = cloud.requests(base=f"{cloud.nova}/")
    assert {r.headers["X-OpenStack-Nova-API-Version"] for r in nova_calls} == {"2.96"}


def test_the_provider_remembers_the_microversion_between_connections(cloud, provider):
    versions = cloud.nova_version("2.90")
    cloud.http.get(f"{cloud.nova}/flavors/detail", json={"flavors": []})

    provider.connect(cloud.identity()).list_flavors()
    second = provider.connect(cloud.identity())
    second.list_flavors()

    assert versions.call_count == 1
    assert second.compute_microversion == "2.90"


def test_a_refused_version_document_is_not_remembered(cloud, provider):
    versions = cloud.http.get(cloud.nova, status_code=401)
    cloud.http.get(f"{cloud.nova}/flavors/detail", json={"flavors": []})

    first = provider.connect(cloud.identity())
    assert first.compute_microversion == "2.1"
    provider.connect(cloud.identity()).list_flavors()

    assert versions.call_count == 2


# -- creating servers ---------------------------------------------------------


def test_create_sends_every_chosen_value(cloud, conn):
    create = accept_create(cloud)

    (server,) = conn.create_servers(FULL_REQUEST)

    assert create.last_request.json() == {
        "server": {
            "name": "web",
            "imageRef": "img-1",
            "flavorRef": "42",
            "min_count": 1,
            "max_count": 1,
            "availability_zone": "nova",
            "key_name": "laptop",
            "security_groups": [{"name": "default"}, {"name": "web"}],
            "networks": [{"uuid": NET_A}, {"uuid": NET_B}],
            "user_data": base64.b64encode(FULL_REQUEST.user_data.encode()).decode(),
            "description": "front end",
        }
    }
    headers = create.last_request.headers
    assert headers["X-OpenStack-Nova-API-Version"] == "2.96"
    assert headers["OpenStack-API-Version"] == "compute 2.96"
    assert server == models.Server(
        id="srv-1",
        name="web",
        status="BUILD",
        flavor_id="42",
        image_id="img-1",
        key_name="laptop",
        availability_zone="nova",
        security_groups=("default", "web"),
        description="front end",
    )


def test_create_sends_only_what_was_chosen(cloud, conn):
    create = accept_create(cloud)

    (server,) = conn.create_servers(
        models.ServerRequest(name="bare", flavor_id="1", image_id="img-1")
    )

    assert create.last_request.json() == {
        "server": {
            "name": "bare",
            "imageRef": "img-1",
            "flavorRef": "1",
            "min_count": 1,
            "max_count": 1,
            # nothing chosen: from 2.37 Nova needs to hear it
            "networks": "auto",
        }
    }
    assert server.security_groups == ("default",)


@pytest.mark.parametrize("choice", ["auto", "none"])
def test_create_with_automatic_or_no_network(cloud, conn, choice):
    create = accept_create(cloud)

    conn.create_servers(
        models.ServerRequest(name="x", flavor_id="1", image_id="i", networks=choice)
    )

    assert create.last_request.json()["server"]["networks"] == choice


def test_create_on_an_old_cloud_leaves_out_what_it_cannot_take(cloud, provider):
    cloud.nova_version("2.15")
    create = accept_create(cloud)
    conn = provider.connect(cloud.identity())

    (server,) = conn.create_servers(FULL_REQUEST)

    sent = create.last_request.json()["server"]
    assert "description" not in sent
    assert sent["networks"] == [{"uuid": NET_A}, {"uuid": NET_B}]
    assert create.last_request.headers["X-OpenStack-Nova-API-Version"] == "2.15"
    assert server.description is None


def test_old_cloud_auto_network_is_left_to_nova(cloud, provider):
    cloud.nova_version("2.15")
    create = accept_create(cloud)
    conn = provider.connect(cloud.identity())

    conn.create_servers(
        models.ServerRequest(name="x", flavor_id="1", image_id="i", networks="auto")
    )

    assert "networks" not in create.last_request.json()["server"]


def test_old_cloud_cannot_create_without_network(cloud, provider):
    cloud.nova_version("2.15")
    create = accept_create(cloud)
    conn = provider.connect(cloud.identity())

    with pytest.raises(errors.InvalidRequest):
        conn.create_servers(
            models.ServerRequest(name="x", flavor_id="1", image_id="i", networks="none")
        )

    assert create.call_count == 0


def test_create_several_finds_them_by_reservation(cloud, conn):
    create = cloud.http.post(
        f"{cloud.nova}/servers", status_code=202, json={"reservation_id": "r-abc"}
    )
    listing = cloud.http.get(
        f"{cloud.nova}/servers/detail",
        json={
            "servers": [
                nova_server(id="s2", name="web-2", status="BUILD", created="2026-11-25T10:00:01Z"),
                nova_server(id="s1", name="web-1", status="BUILD", created="2026-11-25T10:00:00Z"),
            ]
        },
    )

    servers = conn.create_servers(
        models.ServerRequest(name="web", flavor_id="1", image_id="i", count=2)
    )

    sent = create.last_request.json()["server"]
    assert (sent["min_count"], sent["max_count"]) == (2, 2)
    assert sent["return_reservation_id"] is True
    assert listing.last_request.qs == {"reservation_id": ["r-abc"]}
    assert [s.id for s in servers] == ["s1", "s2"]
    assert {s.status for s in servers} == {"BUILD"}


# -- reading servers ---------------------------------------------------------------


def test_get_server(cloud, conn):
    cloud.http.get(f"{cloud.nova}/servers/srv-1", json={"server": nova_server()})

    server = conn.get_server("srv-1")

    assert server == models.Server(
        id="srv-1",
        name="web",
        status="ACTIVE",
        # from 2.47 Nova embeds the flavor and gives only its name
        flavor_id="m1.nano",
        image_id="img-1",
        key_name="laptop",
        availability_zone="nova",
        addresses=("demo-net: 10.0.0.5", "demo-net: fd00::5"),
        security_groups=("default", "web"),
        description="front end",
        created="2026-11-25T10:00:00Z",
        flavor=models.Flavor(id="", name="m1.nano", vcpus=1, ram_mb=128, disk_gb=1),
        ips=(
            models.ServerAddress("demo-net", "10.0.0.5", "fixed", 4),
            models.ServerAddress("demo-net", "fd00::5", "fixed", 6),
        ),
    )


def test_get_server_in_error_carries_the_fault(cloud, conn):
    cloud.http.get(
        f"{cloud.nova}/servers/srv-1",
        json={
            "server": nova_server(
                status="ERROR",
                fault={"code": 500, "message": "No valid host was found. "},
                addresses={},
            )
        },
    )

    server = conn.get_server("srv-1")

    assert server.fault == "No valid host was found. "
    assert server.is_final


def test_get_server_booted_from_volume_on_an_old_cloud(cloud, provider):
    cloud.nova_version("2.15")
    cloud.http.get(
        f"{cloud.nova}/servers/srv-1",
        json={
            "server": nova_server(
                status="BUILD",
                image="",
                flavor={"id": "42", "links": []},
                key_name=None,
                progress=40,
            )
        },
    )

    server = provider.connect(cloud.identity()).get_server("srv-1")

    assert (server.image_id, server.flavor_id, server.key_name) == ("", "42", None)
    assert server.progress == 40
    assert server.fault is None


def test_list_servers_newest_first(cloud, conn):
    cloud.http.get(
        f"{cloud.nova}/servers/detail",
        json={"servers": [nova_server(id="new"), nova_server(id="old")]},
    )

    servers = conn.list_servers()

    assert [s.id for s in servers] == ["new", "old"]


def test_delete_server(cloud, conn):
    delete = cloud.http.delete(f"{cloud.nova}/servers/srv-1", status_code=204)

    conn.delete_server("srv-1")

    assert delete.call_count == 1


# -- lists from Nova -----------------------------------------------------------------


def test_list_flavors(cloud, conn):
    cloud.http.get(
        f"{cloud.nova}/flavors/detail",
        json={
            "flavors": [
                {
                    "id": "42",
                    "name": "m1.nano",
                    "vcpus": 1,
                    "ram": 128,
                    "disk": 1,
                    "OS-FLV-EXT-DATA:ephemeral": 0,
                },
                {
                    "id": "7",
                    "name": "big",
                    "vcpus": 8,
                    "ram": 16384,
                    "disk": 80,
                    "OS-FLV-EXT-DATA:ephemeral": 20,
                },
            ]
        },
    )

    flavors = conn.list_flavors()

    assert flavors == [
        models.Flavor(id="42", name="m1.nano", vcpus=1, ram_mb=128, disk_gb=1),
        models.Flavor(id="7", name="big", vcpus=8, ram_mb=16384, disk_gb=80, ephemeral_gb=20),
    ]


def test_list_keypairs(cloud, conn):
    cloud.http.get(
        f"{cloud.nova}/os-keypairs",
        json={
            "keypairs": [
                {
                    "keypair": {
                        "name": "laptop",
                        "fingerprint": "aa:bb",
                        "type": "ssh",
                        "public_key": "ssh-ed25519 x",
                    }
                }
            ]
        },
    )

    assert conn.list_keypairs() == [models.KeyPair("laptop", "aa:bb", "ssh")]


def test_list_availability_zones_keeps_available_ones(cloud, conn):
    cloud.http.get(
        f"{cloud.nova}/os-availability-zone",
        json={
            "availabilityZoneInfo": [
                {"zoneName": "nova", "zoneState": {"available": True}, "hosts": None},
                {"zoneName": "down", "zoneState": {"available": False}, "hosts": None},
            ]
        },
    )

    assert conn.list_availability_zones() == [models.AvailabilityZone("nova")]


NOVA_LIMITS = {
    "limits": {
        "rate": [],
        "absolute": {
            "maxTotalInstances": 10,
            "totalInstancesUsed": 3,
            "maxTotalCores": 20,
            "totalCoresUsed": 19,
            "maxTotalRAMSize": 51200,
            "totalRAMUsed": 2048,
            "maxServerMeta": 64,
        },
    }
}


def test_limits_from_nova_and_cinder(cloud, conn):
    cloud.http.get(f"{cloud.nova}/limits", json=NOVA_LIMITS)
    cloud.http.get(
        f"{cloud.cinder}/limits",
        json={
            "limits": {
                "rate": [],
                "absolute": {
                    "maxTotalVolumes": 10,
                    "totalVolumesUsed": 2,
                    "maxTotalVolumeGigabytes": 1000,
                    "totalGigabytesUsed": 40,
                },
            }
        },
    )

    assert conn.get_limits() == models.Limits(
        max_instances=10,
        used_instances=3,
        max_cores=20,
        used_cores=19,
        max_ram_mb=51200,
        used_ram_mb=2048,
        max_server_meta=64,
        max_volumes=10,
        used_volumes=2,
        max_volume_gb=1000,
        used_volume_gb=40,
    )


def test_limits_without_cinder(cloud, provider):
    cloud.nova_version()
    cloud.http.get(f"{cloud.nova}/limits", json=NOVA_LIMITS)
    conn = provider.connect(cloud.identity(services=("compute", "image", "network")))

    limits = conn.get_limits()

    assert (limits.max_instances, limits.used_cores) == (10, 19)
    assert (limits.max_volumes, limits.used_volumes) == (-1, 0)
    assert conn.features().volumes is False


def test_list_server_groups(cloud, conn):
    groups = cloud.http.get(
        f"{cloud.nova}/os-server-groups",
        json={
            "server_groups": [
                {
                    "id": "g1",
                    "name": "web",
                    "policy": "anti-affinity",
                    "rules": {},
                    "members": [],
                    "project_id": "p-demo",
                    "user_id": "u-1",
                },
                {
                    "id": "g2",
                    "name": "db",
                    "policy": "affinity",
                    "rules": {},
                    "members": ["srv-1"],
                    "project_id": "p-demo",
                    "user_id": "u-1",
                },
            ]
        },
    )

    assert conn.list_server_groups() == [
        models.ServerGroup("g1", "web", "anti-affinity"),
        models.ServerGroup("g2", "db", "affinity"),
    ]
    # the project's own groups, not all_projects
    assert groups.last_request.qs == {}


def test_list_server_groups_before_2_64(cloud, provider):
    cloud.nova_version("2.60")
    cloud.http.get(
        f"{cloud.nova}/os-server-groups",
        json={
            "server_groups": [
                {
                    "id": "g1",
                    "name": "web",
                    "policies": ["anti-affinity"],
                    "members": [],
                    "metadata": {},
                }
            ]
        },
    )

    (group,) = provider.connect(cloud.identity()).list_server_groups()

    assert group.policy == "anti-affinity"


# -- importing key pairs ----------------------------------------------------------

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDxpmLDh9usSA2kbv/4vI3Fs5XOysSgQ+i56jrgXNjEw me"


def test_import_keypair(cloud, conn):
    create = cloud.http.post(
        f"{cloud.nova}/os-keypairs",
        json={
            "keypair": {
                "name": "laptop",
                "fingerprint": "9f:5f",
                "type": "ssh",
                "public_key": KEY,
                "user_id": "u-1",
            }
        },
    )

    keypair = conn.import_keypair("laptop", KEY)

    assert keypair == models.KeyPair("laptop", "9f:5f", "ssh")
    assert create.last_request.json() == {
        "keypair": {"name": "laptop", "type": "ssh", "public_key": KEY}
    }


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            409,
            {"conflictingRequest": {"code": 409, "message": "Key pair 'laptop' already exists."}},
            "Key pair 'laptop' already exists.",
        ),
        (
            400,
            {
                "badRequest": {
                    "code": 400,
                    "message": "Keypair data is invalid: failed to generate fingerprint",
                }
            },
            "Keypair data is invalid: failed to generate fingerprint",
        ),
    ],
)
def test_import_keypair_refused(cloud, conn, status, body, message):
    cloud.error("POST", f"{cloud.nova}/os-keypairs", status, body)

    with pytest.raises(errors.InvalidRequest) as caught:
        conn.import_keypair("laptop", KEY)

    assert caught.value.message == message
    assert caught.value.request_id == "req-1234"


def test_import_keypair_never_asks_nova_to_generate_one(cloud, provider):
    # before 2.92 Nova makes a key pair when no public key comes
    cloud.nova_version("2.80")
    create = cloud.http.post(f"{cloud.nova}/os-keypairs", json={})

    with pytest.raises(errors.InvalidRequest):
        provider.connect(cloud.identity()).import_keypair("laptop", "  ")

    assert create.call_count == 0
