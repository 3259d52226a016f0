"""The OpenStack cloud layer against a real cloud (the devcloud by default)."""

from __future__ import annotations

import concurrent.futures
import json
import uuid

import pytest
from novaclient import client as nova_client

from tests.helpers.servers import wait_for
from tests.helpers.servers import wait_until_gone
from webapp.cloud import errors
from webapp.cloud import models
from webapp.cloud.catalog import fetched_fields
from webapp.cloud.openstack import OpenStackProvider
from webapp.cloud.openstack import recording
from webapp.cloud.openstack import rest

pytestmark = pytest.mark.devcloud

IMAGE = "devcloud-tiny-raw"
FLAVOR = "m1.nano"
NETWORK = "demo-net"
#: the public half of a throwaway key (the private half was never kept)
PUBLIC_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDxpmLDh9usSA2kbv/4vI3Fs5XOysSgQ+i56jrgXNjEw "
    "skiff-integration-test"
)
FINGERPRINT = "9f:5f:11:12:bc:1c:9c:dc:27:b4:f5:ab:33:98:12:31"


@pytest.fixture
def conn(os_provider, os_identity):
    """A fresh connection, as each portal request makes one."""
    return os_provider.connect(os_identity)


@pytest.fixture
def keypair(conn, os_config):
    """A key pair imported for the test user, deleted afterwards."""
    nova = nova_client.Client("2.92", session=conn.session, region_name=os_config.region_name)
    name = f"skiff-it-{uuid.uuid4().hex[:8]}"
    nova.keypairs.create(name, public_key=PUBLIC_KEY)
    yield name
    nova.keypairs.delete(name)


def by_name(items, name):
    found = [i for i in items if i.name == name]
    assert found, f"{name!r} not in {[i.name for i in items]}"
    return found[0]


def test_login(os_identity, os_config):
    assert os_identity.user_name == os_config.username
    assert os_identity.project_id in {p.id for p in os_identity.projects}
    state = json.loads(os_identity.auth_state)
    catalog = {s["type"] for s in state["body"]["token"]["catalog"]}
    assert {"compute", "image", "network"} <= catalog


def test_bad_password(os_provider, os_config):
    with pytest.raises(errors.Unauthorized) as caught:
        os_provider.login(os_config.username, "not-the-password")

    assert caught.value.message == "Invalid user name or password."


def test_switch_to_the_same_project(os_provider, os_identity):
    assert os_provider.switch_project(os_identity, os_identity.project_id) == os_identity


def test_features(conn):
    features = conn.features()

    assert features.compute_microversion == "2.96"
    assert (features.description, features.tags, features.hostname) == (True,) * 3
    assert (features.volume_type, features.hostname_fqdn) == (True, True)
    assert features.network_none is True
    # from 2.37, without asking Neutron (the devcloud's cannot auto-allocate:
    # Nova refuses "auto" then, and the wizard offers it only without a network)
    assert features.network_auto is True
    block_storage = rest.catalog_url(
        conn.session, "block-storage", region_name=None, interface="public"
    )
    assert features.volumes is (block_storage is not None)


def test_lists(conn):
    image = by_name(conn.list_images(), IMAGE)
    assert (image.kind, image.visibility) == ("image", "public")
    assert image.size_bytes > 0

    flavor = by_name(conn.list_flavors(), FLAVOR)
    assert (flavor.vcpus, flavor.ram_mb, flavor.disk_gb) == (1, 128, 1)

    network = by_name(conn.list_networks(), NETWORK)
    assert network.has_subnet
    assert "10.0.0.0/24" in network.subnets

    assert by_name(conn.list_security_groups(), "default").id
    assert "nova" in [z.name for z in conn.list_availability_zones()]
    limits = conn.get_limits()
    assert limits.max_instances >= limits.used_instances >= 0
    assert limits.max_cores > 0


def test_keypairs(conn, keypair):
    found = by_name(conn.list_keypairs(), keypair)

    assert found.fingerprint == FINGERPRINT
    assert found.type == "ssh"


#: every list of webapp.cloud.catalog.fetch_catalog
WIZARD_LISTS = tuple(fetched.method for fetched in fetched_fields().values())


def test_create_read_and_delete_a_server(os_config, os_identity, conn, keypair):
    provider = OpenStackProvider(auth_url=os_config.auth_url, region_name=os_config.region_name)
    # a new provider negotiates the microversion once (one call, then cached)
    with recording() as discovery:
        provider.connect(os_identity).features()
    assert discovery.by_service() == {"compute": 1}

    with recording() as calls:
        wizard = provider.connect(os_identity)
        with concurrent.futures.ThreadPoolExecutor(len(WIZARD_LISTS)) as pool:
            lists = {name: pool.submit(getattr(wizard, name)) for name in WIZARD_LISTS}
            lists = {name: future.result() for name, future in lists.items()}
        request = models.ServerRequest(
            name=f"skiff-it-{uuid.uuid4().hex[:8]}",
            flavor_id=by_name(lists["list_flavors"], FLAVOR).id,
            image_id=by_name(lists["list_images"], IMAGE).id,
            networks=(models.Nic(network_id=by_name(lists["list_networks"], NETWORK).id),),
            security_groups=("default",),
            key_name=keypair,
            user_data="#cloud-config\nruncmd: [echo hello]\n",
            description="made by the skiff integration tests",
        )
        (created,) = provider.connect(os_identity).create_servers(request)

    try:
        assert calls.by_service() == {
            # flavors, key pairs, zones, server groups, limits; the create
            "compute": 6,
            "image": 1,
            # networks, subnets, security groups, ports
            "network": 4,
            # limits, volumes (once, even with snapshots), snapshots, types
            "block-storage": 4,
        }
        assert len(calls) == 15
        assert created.status == "BUILD"
        server = wait_for(conn, created.id)

        assert server.status == "ACTIVE", server.fault
        assert server.name == request.name
        assert server.image_id == request.image_id
        assert server.flavor_id == FLAVOR  # 2.47+: the flavor's name
        assert server.key_name == keypair
        assert server.availability_zone == "nova"
        assert server.security_groups == ("default",)
        assert server.description == request.description
        assert server.fault is None
        (address,) = server.addresses
        assert address.startswith(f"{NETWORK}: 10.0.0.")
        assert created.id in [s.id for s in conn.list_servers()]
    finally:
        conn.delete_server(created.id)
    wait_until_gone(conn, created.id)


def test_quota_exceeded(os_identity, conn, os_admin_compute):
    used = conn.get_limits().used_instances
    project_id = os_identity.project_id
    request = models.ServerRequest(
        name="skiff-it-over-quota",
        flavor_id=by_name(conn.list_flavors(), FLAVOR).id,
        image_id=by_name(conn.list_images(), IMAGE).id,
        networks="none",
        # more than the quota even if servers being deleted meanwhile go away
        count=used + 1,
    )
    os_admin_compute.quotas.update(project_id, instances=used)
    try:
        with pytest.raises(errors.QuotaExceeded) as caught:
            conn.create_servers(request)
    finally:
        os_admin_compute.quotas.delete(project_id)

    assert caught.value.message.startswith(
        f"Quota exceeded for instances: Requested {used + 1}, but already used"
    )
    assert caught.value.request_id.startswith("req-")
    assert conn.get_limits().max_instances > used


def test_missing_server(conn):
    with pytest.raises(errors.NotFound) as caught:
        conn.get_server(str(uuid.uuid4()))

    assert "could not be found" in caught.value.message
    assert caught.value.request_id.startswith("req-")


def test_import_keypair(conn, os_config):
    nova = nova_client.Client("2.92", session=conn.session, region_name=os_config.region_name)
    name = f"skiff-it-{uuid.uuid4().hex[:8]}"

    keypair = conn.import_keypair(name, PUBLIC_KEY)
    try:
        assert keypair == models.KeyPair(name, FINGERPRINT, "ssh")
        with pytest.raises(errors.InvalidRequest) as taken:
            conn.import_keypair(name, PUBLIC_KEY)
        with pytest.raises(errors.InvalidRequest) as bad:
            conn.import_keypair(f"{name}-bad", "ssh-ed25519 AAAA-not-a-key")
    finally:
        nova.keypairs.delete(name)

    assert taken.value.message == f"Key pair '{name}' already exists."
    assert bad.value.message.startswith("Keypair data is invalid")
    assert bad.value.request_id.startswith("req-")


def test_free_ports(conn, os_identity):
    network = by_name(conn.list_networks(), NETWORK)
    neutron = {"service_type": "network"}
    created = conn.session.post(
        "/v2.0/ports",
        endpoint_filter=neutron,
        json={"port": {"network_id": network.id, "name": "skiff-it-port"}},
    ).json()["port"]
    try:
        found = next(p for p in conn.list_ports() if p.id == created["id"])
    finally:
        conn.session.delete(f"/v2.0/ports/{created['id']}", endpoint_filter=neutron)

    assert found.network_id == network.id
    assert found.fixed_ips == tuple(ip["ip_address"] for ip in created["fixed_ips"])
    assert found.port_security is True


def test_volume_types_and_server_groups(conn, os_config):
    assert ("__DEFAULT__", True) in [(t.name, t.is_default) for t in conn.list_volume_types()]

    nova = nova_client.Client("2.64", session=conn.session, region_name=os_config.region_name)
    group = nova.server_groups.create(
        name=f"skiff-it-{uuid.uuid4().hex[:8]}", policy="anti-affinity"
    )
    try:
        found = by_name(conn.list_server_groups(), group.name)
    finally:
        nova.server_groups.delete(group.id)

    assert (found.id, found.policy) == (group.id, "anti-affinity")
