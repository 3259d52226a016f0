"""Glance images and Neutron networks and security groups over keystoneauth adapters."""

import pytest

from webapp.cloud import models


def glance_image(image_id, name, **extra):
    image = {
        "id": image_id,
        "name": name,
        "status": "active",
        "visibility": "public",
        "size": 4096,
        "min_disk": 0,
        "min_ram": 0,
        "disk_format": "raw",
        "container_format": "bare",
    }
    image.update(extra)
    return image


def test_images_in_one_listing_follow_pages_and_drop_duplicates(cloud, conn):
    listing = f"{cloud.glance}/v2/images"
    cloud.http.get(
        f"{listing}?status=active&limit=100&visibility=all",
        complete_qs=True,
        json={
            "images": [
                glance_image("i1", "ubuntu", os_distro="ubuntu", min_disk=3),
                glance_image("i2", "kernel", disk_format="aki", container_format="aki"),
            ],
            "next": "/v2/images?marker=i2&status=active&limit=100&visibility=all",
        },
    )
    cloud.http.get(
        f"{listing}?marker=i2&status=active&limit=100&visibility=all",
        complete_qs=True,
        json={
            "images": [
                glance_image(
                    "i3",
                    "my-snap",
                    visibility="private",
                    image_type="snapshot",
                    min_ram=512,
                    size=None,
                ),
                glance_image("i4", "community-os", visibility="community"),
                glance_image("i5", "theirs", visibility="shared"),
                # an image added meanwhile pushed this one onto the next page
                glance_image("i1", "ubuntu", os_distro="ubuntu", min_disk=3),
            ],
        },
    )

    images = conn.list_images()

    assert images == [
        models.Image(id="i1", name="ubuntu", size_bytes=4096, min_disk_gb=3, os_distro="ubuntu"),
        models.Image(
            id="i3", name="my-snap", kind="snapshot", min_ram_mb=512, visibility="private"
        ),
        models.Image(id="i4", name="community-os", size_bytes=4096, visibility="community"),
        models.Image(id="i5", name="theirs", size_bytes=4096, visibility="shared"),
    ]
    assert len(cloud.requests(base=cloud.glance)) == 2


def test_image_catalog_url_with_version_suffix(cloud, provider):
    cloud.nova_version()
    identity = cloud.identity(urls={"image": f"{cloud.glance}/v2/"})
    listing = cloud.http.get(f"{cloud.glance}/v2/images", json={"images": []})

    assert provider.connect(identity).list_images() == []
    assert listing.call_count == 1
    assert listing.last_request.path == "/v2/images"


def test_images_without_an_image_service(cloud, provider):
    identity = cloud.identity(services=("compute", "network"))

    assert provider.connect(identity).list_images() == []
    assert cloud.http.request_history == []


def neutron_network(net_id, name, project="p-demo", **extra):
    network = {
        "id": net_id,
        "name": name,
        "project_id": project,
        "tenant_id": project,
        "shared": False,
        "status": "ACTIVE",
        "subnets": [],
        "router:external": False,
        "port_security_enabled": True,
    }
    network.update(extra)
    return network


def test_networks_with_subnets_from_one_call_and_pagination(cloud, conn):
    networks = f"{cloud.neutron}/v2.0/networks"
    cloud.http.get(
        networks,
        complete_qs=True,
        json={
            "networks": [
                neutron_network("n1", "demo-net", subnets=["s1", "s2"]),
                neutron_network("n2", "empty-net"),
            ],
            "networks_links": [
                {"rel": "next", "href": f"{networks}?limit=2&marker=n2"},
            ],
        },
    )
    cloud.http.get(
        f"{networks}?limit=2&marker=n2",
        complete_qs=True,
        json={
            "networks": [
                neutron_network(
                    "n3",
                    "shared-net",
                    project="p-admin",
                    shared=True,
                    subnets=["s3"],
                    port_security_enabled=False,
                ),
                neutron_network(
                    "n4",
                    "public",
                    project="p-admin",
                    **{"router:external": True, "subnets": ["s4"]},
                ),
            ],
            "networks_links": [
                {"rel": "previous", "href": f"{networks}?limit=2&marker=n3&page_reverse=True"},
            ],
        },
    )
    subnets = cloud.http.get(
        f"{cloud.neutron}/v2.0/subnets",
        json={
            "subnets": [
                {"network_id": "n1", "cidr": "10.0.0.0/24"},
                {"network_id": "n1", "cidr": "fd00::/64"},
                {"network_id": "n3", "cidr": "192.168.0.0/24"},
                {"network_id": "n4", "cidr": "203.0.113.0/24"},
            ]
        },
    )

    found = conn.list_networks()

    assert found == [
        models.Network("n1", "demo-net", subnets=("10.0.0.0/24", "fd00::/64")),
        models.Network("n2", "empty-net", has_subnet=False),
        models.Network(
            "n3", "shared-net", shared=True, port_security=False, subnets=("192.168.0.0/24",)
        ),
    ]
    assert subnets.call_count == 1
    assert subnets.last_request.qs == {"fields": ["network_id", "cidr"]}


def test_no_subnet_call_without_networks(cloud, conn):
    cloud.http.get(f"{cloud.neutron}/v2.0/networks", json={"networks": []})

    assert conn.list_networks() == []
    assert len(cloud.http.request_history) == 1


def test_security_groups_of_the_project(cloud, conn):
    groups = cloud.http.get(
        f"{cloud.neutron}/v2.0/security-groups",
        json={
            "security_groups": [
                {"id": "g1", "name": "default", "description": "Default security group"},
                {"id": "g2", "name": "web", "description": ""},
            ]
        },
    )

    found = conn.list_security_groups()

    assert found == [
        models.SecurityGroup("g1", "default", "Default security group"),
        models.SecurityGroup("g2", "web"),
    ]
    assert groups.last_request.qs["project_id"] == ["p-demo"]


@pytest.mark.parametrize("method", ["list_networks", "list_security_groups"])
def test_missing_network_service_gives_empty_lists(cloud, provider, method):
    identity = cloud.identity(services=("compute", "image"))

    assert getattr(provider.connect(identity), method)() == []
    assert cloud.http.request_history == []


def test_auto_network_needs_no_neutron_call(cloud, provider):
    cloud.nova_version()
    identity = cloud.identity(services=("compute",))

    features = provider.connect(identity).features()

    # offered from 2.37; Nova says so (400) when Neutron cannot auto-allocate
    assert (features.network_none, features.network_auto, features.volumes) == (
        True,
        True,
        False,
    )
    assert cloud.requests(base=cloud.neutron) == []


def test_internal_interface_uses_internal_urls(cloud):
    from webapp.cloud.openstack import OpenStackProvider

    provider = OpenStackProvider(auth_url=cloud.auth_url, interface="internal")
    internal = cloud.glance.replace("https://", "http://int-")
    listing = cloud.http.get(f"{internal}/v2/images", json={"images": []})

    provider.connect(cloud.identity()).list_images()

    assert listing.call_count == 1


def test_free_ports_of_the_project(cloud, conn):
    ports = cloud.http.get(
        f"{cloud.neutron}/v2.0/ports",
        json={
            "ports": [
                {
                    "id": "p1",
                    "name": "reserved",
                    "network_id": "n1",
                    "fixed_ips": [
                        {"subnet_id": "s1", "ip_address": "10.0.0.50"},
                        {"subnet_id": "s2", "ip_address": "fd00::50"},
                    ],
                    "port_security_enabled": True,
                    "device_id": "",
                },
                {
                    "id": "p2",
                    "name": "",
                    "network_id": "n3",
                    "fixed_ips": [],
                    "port_security_enabled": False,
                    "device_id": "",
                },
                # no owner, but bound to a device all the same
                {
                    "id": "p3",
                    "name": "odd",
                    "network_id": "n1",
                    "fixed_ips": [],
                    "device_id": "srv-9",
                },
            ]
        },
    )

    found = conn.list_ports()

    assert found == [
        models.Port("p1", "reserved", "n1", fixed_ips=("10.0.0.50", "fd00::50")),
        models.Port("p2", "p2", "n3", port_security=False),
    ]
    query = ports.last_request.qs
    assert query["project_id"] == ["p-demo"]
    # an empty value: only ports that no server, router or DHCP agent owns
    assert "device_owner=&" in ports.last_request.url + "&"
    assert set(query["fields"]) >= {"id", "network_id", "fixed_ips", "device_id"}


def test_ports_without_a_network_service(cloud, provider):
    identity = cloud.identity(services=("compute",))

    assert provider.connect(identity).list_ports() == []
    assert cloud.http.request_history == []
