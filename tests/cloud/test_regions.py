"""Regions of the token's catalog: which a login starts in, switching, and every
call going to the chosen region's endpoints (requests-mock, keystoneauth1 fixture)."""

from __future__ import annotations

import json

import pytest
from keystoneauth1 import access
from keystoneauth1 import fixture as ks_fixture

from tests.helpers.regions import REGION_TWO
from tests.helpers.regions import TwoRegionCloud
from webapp.cloud import errors
from webapp.cloud.openstack import OpenStackProvider
from webapp.cloud.openstack.regions import catalog_regions
from webapp.cloud.openstack.regions import choose_region


@pytest.fixture
def two(requests_mock) -> TwoRegionCloud:
    cloud = TwoRegionCloud(requests_mock)
    cloud.keystone()
    cloud.lists()
    return cloud


def provider_for(cloud, region: str | None = None) -> OpenStackProvider:
    return OpenStackProvider(auth_url=cloud.auth_url, region_name=region)


def hosts(cloud, since: int = 0) -> list[str]:
    return [r.hostname for r in cloud.http.request_history[since:]]


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("RegionOne", "RegionOne"),
        ("RegionTwo", "RegionTwo"),
        (None, "RegionOne"),
        ("Gone", "RegionOne"),
    ],
)
def test_a_login_starts_in_the_configured_region_if_the_catalog_has_it(two, configured, expected):
    identity = provider_for(two, configured).login("alice", two.password)

    assert identity.regions == ("RegionOne", "RegionTwo")
    assert identity.region == expected


def test_calls_go_to_the_chosen_regions_endpoints(two):
    provider = provider_for(two, "RegionOne")
    identity = provider.login("alice", two.password)
    start = len(two.http.request_history)

    one = provider.connect(identity)
    assert [f.name for f in one.list_flavors()] == ["m1.one"]
    assert [i.name for i in one.list_images()] == ["cirros-one"]
    one.list_servers()
    assert set(hosts(two, start)) == {"nova.example.test", "glance.example.test"}

    switched = provider.switch_region(identity, "RegionTwo")
    start = len(two.http.request_history)
    other = provider.connect(switched)
    assert [f.name for f in other.list_flavors()] == ["m1.two"]
    assert [i.name for i in other.list_images()] == ["cirros-two"]
    other.list_servers()
    assert set(hosts(two, start)) == {"nova.two.example.test", "glance.two.example.test"}
    # no Keystone call to switch: the token's catalog has every region
    assert "keystone.example.test" not in hosts(two, start)
    assert switched.region == "RegionTwo"
    assert switched.auth_state == identity.auth_state


def test_an_unknown_region_is_refused_and_nothing_changes(two):
    provider = provider_for(two)
    identity = provider.login("alice", two.password)

    with pytest.raises(errors.NotFound) as caught:
        provider.switch_region(identity, "RegionThree")

    assert "RegionThree" in caught.value.message
    assert identity.region == "RegionOne"


def test_a_project_switch_keeps_the_region(two):
    provider = provider_for(two)
    identity = provider.switch_region(provider.login("alice", two.password), "RegionTwo")

    switched = provider.switch_project(identity, "p-zeta")

    assert switched.project_id == "p-zeta"
    assert switched.region == "RegionTwo"
    assert switched.regions == ("RegionOne", "RegionTwo")


def test_one_region_is_named_too(cloud):
    cloud.keystone()

    identity = provider_for(cloud).login("alice", cloud.password)

    assert identity.regions == ("RegionOne",)
    assert identity.region == "RegionOne"


def test_an_identity_from_before_regions_uses_the_configured_region(two):
    # a session kept by an older portal: no region in its identity
    identity = two.identity()
    assert identity.region == ""
    provider = provider_for(two, "RegionTwo")

    assert [f.name for f in provider.connect(identity).list_flavors()] == ["m1.two"]


def catalog(*endpoints: tuple[str, str, str]) -> access.AccessInfo:
    """A scoped token whose catalog has these (service type, interface, region)."""
    token = ks_fixture.V3Token()
    token.set_project_scope()
    for service_type, interface, region in endpoints:
        service = token.add_service(service_type)
        service.add_endpoint(interface, f"https://{service_type}.{region}.test", region=region)
    return access.create(body=json.loads(json.dumps(token)), auth_token="t")


def test_regions_are_those_of_the_services_used_for_the_interface():
    ref = catalog(
        ("compute", "public", "b-region"),
        ("volumev3", "public", "a-region"),
        ("dns", "public", "not-used"),  # a service the portal never calls
        ("image", "internal", "internal-only"),  # another interface
        ("network", "public", "b-region"),
    )

    assert catalog_regions(ref, "public") == ("a-region", "b-region")
    assert catalog_regions(ref, "internal") == ("internal-only",)


@pytest.mark.parametrize(
    ("regions", "preferred", "expected"),
    [
        (("A", "B"), ("B", "A"), "B"),
        (("A", "B"), (None, "B"), "B"),
        (("A", "B"), ("C", None), "A"),
        ((), ("C",), "C"),
        ((), (None, None), ""),
    ],
)
def test_choose_region(regions, preferred, expected):
    assert choose_region(regions, preferred) == expected


def test_region_two_urls_are_distinct():
    # the fixture's premise: no endpoint of RegionTwo is one of RegionOne's
    assert not set(REGION_TWO.values()) & {
        TwoRegionCloud.nova,
        TwoRegionCloud.glance,
        TwoRegionCloud.neutron,
        TwoRegionCloud.cinder,
    }
