"""Counting upstream calls: the budget from opening the wizard to POST /servers."""

import concurrent.futures

import pytest
import requests

from webapp.cloud import errors
from webapp.cloud import models
from webapp.cloud.catalog import fetched_fields
from webapp.cloud.openstack import Call
from webapp.cloud.openstack import CallLog
from webapp.cloud.openstack import recording
from webapp.cloud.openstack.session import add_observer
from webapp.cloud.openstack.session import remove_observer
from webapp.cloud.openstack.session import scoped_recording

#: every list of webapp.cloud.catalog.fetch_catalog
WIZARD_LISTS = tuple(fetched.method for fetched in fetched_fields().values())


@pytest.fixture
def small_cloud(cloud):
    """Answers for every list the wizard shows, and for creating a server."""
    cloud.nova_version()
    http = cloud.http
    http.get(f"{cloud.glance}/v2/images", json={"images": []})
    http.get(f"{cloud.nova}/flavors/detail", json={"flavors": []})
    http.get(f"{cloud.nova}/os-keypairs", json={"keypairs": []})
    http.get(
        f"{cloud.neutron}/v2.0/networks",
        json={"networks": [{"id": "n1", "name": "net", "project_id": "p-demo", "subnets": ["s1"]}]},
    )
    http.get(
        f"{cloud.neutron}/v2.0/subnets",
        json={"subnets": [{"network_id": "n1", "cidr": "10.0.0.0/24"}]},
    )
    http.get(f"{cloud.neutron}/v2.0/security-groups", json={"security_groups": []})
    http.get(f"{cloud.nova}/os-availability-zone", json={"availabilityZoneInfo": []})
    http.get(f"{cloud.nova}/os-server-groups", json={"server_groups": []})
    http.get(f"{cloud.nova}/limits", json={"limits": {"absolute": {}}})
    http.get(f"{cloud.neutron}/v2.0/ports", json={"ports": []})
    http.get(f"{cloud.cinder}/limits", json={"limits": {"absolute": {}}})
    http.get(
        f"{cloud.cinder}/volumes/detail",
        json={"volumes": [{"id": "v1", "size": 1, "status": "available", "bootable": "true"}]},
    )
    # a snapshot, so that its bootable flag is looked up among the volumes
    http.get(
        f"{cloud.cinder}/snapshots/detail",
        json={"snapshots": [{"id": "sn1", "size": 1, "volume_id": "v1", "status": "available"}]},
    )
    http.get(f"{cloud.cinder}/types", json={"volume_types": []})
    http.post(f"{cloud.nova}/servers", status_code=202, json={"server": {"id": "s1"}})
    return cloud


def open_wizard(connection):
    """Fetch every list at once, as the wizard does when it opens."""
    with concurrent.futures.ThreadPoolExecutor(len(WIZARD_LISTS)) as pool:
        futures = [pool.submit(getattr(connection, name)) for name in WIZARD_LISTS]
        return [f.result() for f in futures]


#: one wizard (every list) and one POST /servers, once Nova's microversion is known
WARM_BUDGET = {
    # flavors, key pairs, availability zones, server groups, limits; the create
    "compute": 5 + 1,
    # one listing with visibility=all
    "image": 1,
    # networks, subnets, security groups, ports
    "network": 4,
    # limits, volumes, snapshots (their volumes reused), types
    "block-storage": 4,
}


def test_opening_the_wizard_and_creating_stays_within_budget(small_cloud, provider, call_log):
    identity = small_cloud.identity()
    # any earlier page of the portal has negotiated the microversion already
    provider.connect(identity).features()
    call_log.clear()

    # each portal request makes its own connection
    wizard = open_wizard(provider.connect(identity))
    provider.connect(identity).create_servers(
        models.ServerRequest(
            name="web",
            flavor_id="1",
            image_id="i",
            networks=(models.Nic(network_id="n1"),),
        )
    )

    assert call_log.by_service() == WARM_BUDGET
    assert len(call_log) == 15
    assert len(small_cloud.http.request_history) == 1 + len(call_log)
    snapshots = wizard[WIZARD_LISTS.index("list_volume_snapshots")]
    assert snapshots[0].bootable is True


def test_a_cold_provider_adds_only_the_version_document(small_cloud, provider, call_log):
    # the first wizard after the portal starts (or after discovery_ttl)
    identity = small_cloud.identity()

    open_wizard(provider.connect(identity))
    provider.connect(identity).create_servers(
        models.ServerRequest(name="web", flavor_id="1", image_id="i", networks="none")
    )

    assert call_log.by_service() == {**WARM_BUDGET, "compute": 1 + 5 + 1}
    assert len(call_log) == 16
    assert [c.url for c in call_log.calls].count(small_cloud.nova) == 1


def test_a_warm_provider_saves_the_discovery_calls(small_cloud, provider, call_log):
    open_wizard(provider.connect(small_cloud.identity()))
    call_log.clear()

    open_wizard(provider.connect(small_cloud.identity()))

    assert len(call_log) == 14
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


def test_calls_carry_the_services_request_id(cloud, provider):
    cloud.nova_version()
    cloud.http.get(
        f"{cloud.nova}/os-keypairs",
        json={"keypairs": []},
        headers={"x-openstack-request-id": "req-0b5e", "x-compute-request-id": "req-0b5e"},
    )
    log = CallLog()
    provider.call_log = log

    provider.connect(cloud.identity()).list_keypairs()

    assert [(c.url, c.request_id) for c in log.calls][-1] == (
        f"{cloud.nova}/os-keypairs",
        "req-0b5e",
    )
    assert all(c.seconds >= 0 for c in log.calls)


def test_observers_see_every_call_and_scoped_logs_only_their_threads(small_cloud, provider):
    seen: list[Call] = []
    add_observer(seen.append)
    connection = provider.connect(small_cloud.identity())
    try:
        connection.list_flavors()  # the version document first, out of the way
        with scoped_recording() as mine:
            connection.list_flavors()
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                pool.submit(connection.list_keypairs).result()
    finally:
        remove_observer(seen.append)
    connection.list_flavors()

    assert [c.url for c in mine.calls] == [f"{small_cloud.nova}/flavors/detail"]
    assert [c.url for c in seen[-2:]] == [
        f"{small_cloud.nova}/flavors/detail",
        f"{small_cloud.nova}/os-keypairs",
    ]
