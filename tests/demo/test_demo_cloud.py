"""The demo cloud: Nova-like refusals, enforced quotas, builds that end ACTIVE or
ERROR, and state shared by every app instance (worker) on one store."""

import threading
import time

import pytest

from webapp import create_app
from webapp.cloud import demo_data
from webapp.cloud.catalog import fetch_catalog
from webapp.cloud.demo import DemoProvider
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import NotFound
from webapp.cloud.errors import QuotaExceeded
from webapp.cloud.errors import Unauthorized
from webapp.cloud.models import ServerRequest

CIRROS = demo_data.IMAGES[0].id
UBUNTU = demo_data.IMAGES[2].id
PRIVATE = demo_data.NETWORKS[0].id
ISOLATED = demo_data.NETWORKS[2].id


@pytest.fixture
def provider(tmp_path):
    return DemoProvider(str(tmp_path / "demo.sqlite"), build_seconds=0)


@pytest.fixture
def demo(provider):
    return provider.connect(provider.login("demo", "demo"))


@pytest.fixture
def sandbox(provider):
    identity = provider.login("demo", "demo")
    sandbox = next(p for p in identity.projects if p.name == "sandbox")
    return provider.connect(provider.switch_project(identity, sandbox.id))


def request(**values):
    return ServerRequest(**{"name": "s", "flavor_id": "2", "image_id": CIRROS, "networks": (PRIVATE,), **values})


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
    with pytest.raises(QuotaExceeded, match="Quota exceeded for cores: Requested 8, but already used 0 of 4 cores"):
        sandbox.create_servers(request(flavor_id="5", count=2))  # m1.large: 4 vCPUs
    assert sandbox.list_servers() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"image_id": "nope"}, "Can not find requested image"),
        ({"flavor_id": "99"}, "Flavor 99 could not be found."),
        ({"image_id": UBUNTU, "flavor_id": "2"}, "Flavor's memory is too small for requested image."),
        ({"networks": (ISOLATED,)}, f"Network {ISOLATED} requires a subnet"),
        ({"networks": ("missing",)}, "Network missing could not be found."),
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
    config = {"TESTING": True, "SECRET_KEY": "x", "DEMO_BUILD_SECONDS": 0, "DEMO_DATABASE": str(tmp_path / "shared.sqlite")}
    first, second = create_app(config), create_app(config)
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
    assert [s.name for s in again.connect(again.login("demo", "demo")).list_servers()] == ["persistent"]


def test_fetch_catalog_lists_everything_at_once(demo):
    catalog = fetch_catalog(demo)
    assert {i.name for i in catalog.images} >= {"cirros-0.6.3", "web-01-snapshot"}
    assert [k.name for k in catalog.keypairs] == ["demo-key"]
    assert [z.name for z in catalog.availability_zones] == ["nova"]
    assert catalog.features.description is True
    assert catalog.unavailable == ()


def test_fetch_catalog_runs_the_calls_concurrently(demo):
    # Every call waits until all eight are in flight: done one after the other,
    # the first would wait for ever (here: time out and break the barrier).
    barrier = threading.Barrier(8, timeout=10)

    class Together:
        def __getattr__(self, name):
            method = getattr(demo, name)

            def call():
                barrier.wait()
                return method()

            return call

    catalog = fetch_catalog(Together())
    assert catalog.flavors and catalog.networks
