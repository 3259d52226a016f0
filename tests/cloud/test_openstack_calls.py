"""Counting upstream calls: the budget from opening the wizard to POST /servers."""

import concurrent.futures

import pytest
import requests

from webapp.cloud import errors
from webapp.cloud import models
from webapp.cloud.openstack import Call
from webapp.cloud.openstack import CallLog
from webapp.cloud.openstack import recording

WIZARD_LISTS = (
    "features",
    "list_images",
    "list_flavors",
    "list_keypairs",
    "list_networks",
    "list_security_groups",
    "list_availability_zones",
    "get_limits",
)


@pytest.fixture
def small_cloud(cloud):
    """Answers for every list the wizard shows, and for creating a server."""
    cloud.nova_version()
    http = cloud.http
    http.get(f"{cloud.neutron}/v2.0/extensions/auto-allocated-topology", status_code=404)
    http.get(f"{cloud.glance}/v2/images", json={"images": []})
    http.get(f"{cloud.nova}/flavors/detail", json={"flavors": []})
    http.get(f"{cloud.nova}/os-keypairs", json={"keypairs": []})
    http.get(
        f"{cloud.neutron}/v2.0/networks",
        json={"networks": [{"id": "n1", "name": "net", "project_id": "p-demo",
                            "subnets": ["s1"]}]},
    )
    http.get(
        f"{cloud.neutron}/v2.0/subnets",
        json={"subnets": [{"network_id": "n1", "cidr": "10.0.0.0/24"}]},
    )
    http.get(f"{cloud.neutron}/v2.0/security-groups", json={"security_groups": []})
    http.get(f"{cloud.nova}/os-availability-zone", json={"availabilityZoneInfo": []})
    http.get(f"{cloud.nova}/limits", json={"limits": {"absolute": {}}})
    http.get(f"{cloud.cinder}/limits", json={"limits": {"absolute": {}}})
    http.post(f"{cloud.nova}/servers", status_code=202, json={"server": {"id": "s1"}})
    return cloud


def open_wizard(connection):
    """Fetch every list at once, as the wizard does when it opens."""
    with concurrent.futures.ThreadPoolExecutor(len(WIZARD_LISTS)) as pool:
        futures = [pool.submit(getattr(connection, name)) for name in WIZARD_LISTS]
        return [f.result() for f in futures]


def test_opening_the_wizard_and_creating_stays_within_budget(
    small_cloud, provider, call_log
):
    identity = small_cloud.identity()

    # each portal request makes its own connection
    open_wizard(provider.connect(identity))
    provider.connect(identity).create_servers(
        models.ServerRequest(name="web", flavor_id="1", image_id="i", networks=("n1",))
    )

    assert call_log.by_service() == {
        # version document once, four lists, the create
        "compute": 1 + 4 + 1,
        # default and community listings
        "image": 2,
        # auto-allocation extension, networks, subnets, security groups
        "network": 4,
        "block-storage": 1,
    }
    assert len(call_log) == 13 <= 15
    assert len(small_cloud.http.request_history) == len(call_log)


def test_a_warm_provider_saves_the_discovery_calls(small_cloud, provider, call_log):
    open_wizard(provider.connect(small_cloud.identity()))
    call_log.clear()

    open_wizard(provider.connect(small_cloud.identity()))

    assert len(call_log) == 10
    assert small_cloud.nova not in [c.url for c in call_log.calls]


def test_recording_sees_calls_of_every_provider(small_cloud, provider):
    connection = provider.connect(small_cloud.identity())
    provider.call_log = None

    with recording() as calls:
        connection.list_flavors()
    connection.list_keypairs()

    assert calls.calls == [
        Call("GET", small_cloud.nova, "compute", 200),
        Call("GET", f"{small_cloud.nova}/flavors/detail", "compute", 200),
    ]


def test_login_calls_count_as_identity(cloud, provider, call_log):
    cloud.keystone()

    provider.login("alice", cloud.password)

    assert call_log.by_service() == {"identity": 3}
    assert [c.method for c in call_log.calls] == ["POST", "GET", "POST"]


def test_failed_calls_are_counted_without_status(cloud, provider):
    log = CallLog()
    provider.call_log = log
    cloud.http.get(cloud.nova, exc=requests.exceptions.ConnectionError)

    with pytest.raises(errors.CloudUnavailable):
        provider.connect(cloud.identity()).list_flavors()

    assert log.calls == [Call("GET", cloud.nova, "compute", None)]
