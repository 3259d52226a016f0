"""A server's life after launch on OpenStack: pages of servers, actions, consoles,
attached volumes and ports, and Neutron floating IPs."""

import json
import re
from urllib import parse

import pytest

from tests.helpers.fake_cloud import nova_server
from webapp.cloud import errors
from webapp.cloud import models
from webapp.cloud.openstack import convert

SERVER = "srv-1"
POOL = "ext-net-id"


def query(request) -> dict[str, list[str]]:
    """A request's query, case kept (requests-mock lowercases ``qs``)."""
    return parse.parse_qs(parse.urlsplit(request.url).query)


# -- converting ---------------------------------------------------------------------


def test_server_fields_of_a_running_server():
    server = convert.server(
        nova_server(
            **{
                "OS-EXT-STS:task_state": "powering-off",
                "OS-SRV-USG:launched_at": "2026-11-25T10:00:30.000000",
                "updated": "2026-11-25T11:00:00Z",
                "flavor": {
                    "original_name": "m1.big",
                    "vcpus": 4,
                    "ram": 8192,
                    "disk": 40,
                    "ephemeral": 10,
                    "swap": 0,
                    "extra_specs": {},
                },
                "addresses": {
                    "demo-net": [
                        {
                            "addr": "10.0.0.5",
                            "version": 4,
                            "OS-EXT-IPS:type": "fixed",
                            "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01",
                        },
                        {
                            "addr": "203.0.113.9",
                            "version": 4,
                            "OS-EXT-IPS:type": "floating",
                            "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01",
                        },
                    ],
                    "v6-net": [{"addr": "fd00::5", "version": 6}],
                },
                "server_groups": ["grp-1"],
                # a fault kept from an earlier failure, but the server runs now
                "fault": {"code": 500, "message": "old trouble"},
            }
        )
    )

    assert server.task_state == "powering-off"
    assert not server.is_final
    assert server.launched_at == "2026-11-25T10:00:30.000000"
    assert server.updated == "2026-11-25T11:00:00Z"
    assert server.flavor == models.Flavor("", "m1.big", 4, 8192, 40, ephemeral_gb=10)
    assert server.flavor_id == "m1.big"
    assert server.ips == (
        models.ServerAddress("demo-net", "10.0.0.5", "fixed", 4, "fa:16:3e:00:00:01"),
        models.ServerAddress("demo-net", "203.0.113.9", "floating", 4, "fa:16:3e:00:00:01"),
        models.ServerAddress("v6-net", "fd00::5", "fixed", 6, ""),
    )
    # the old flat form is kept as it was
    assert server.addresses == (
        "demo-net: 10.0.0.5",
        "demo-net: 203.0.113.9",
        "v6-net: fd00::5",
    )
    assert server.server_groups == ("grp-1",)
    assert (server.fault, server.fault_code) == (None, None)


def test_server_fields_of_a_failed_server_on_an_old_cloud():
    server = convert.server(
        nova_server(
            status="ERROR",
            flavor={"id": "42", "links": []},
            fault={"code": 500, "message": "No valid host was found."},
            **{"OS-EXT-STS:task_state": None, "OS-SRV-USG:launched_at": None},
        )
    )

    assert (server.flavor_id, server.flavor) == ("42", None)
    assert (server.fault, server.fault_code) == ("No valid host was found.", 500)
    assert (server.task_state, server.launched_at, server.server_groups) == (None, "", ())
    assert server.is_final


def test_image_admin_user_and_volume_origin_and_device():
    image = convert.image({"id": "i1", "name": "debian", "os_admin_user": "debian"})
    volume = convert.volume(
        {
            "id": "v1",
            "size": 10,
            "status": "in-use",
            "volume_image_metadata": {"image_id": "i1", "min_disk": "3"},
            # a multi-attach volume: the device is the one on the server asked about
            "attachments": [
                {"server_id": "other", "device": "/dev/vdc"},
                {"server_id": SERVER, "device": "/dev/vdb"},
            ],
        },
        server_id=SERVER,
    )

    assert image is not None and image.os_admin_user == "debian"
    assert (volume.image_id, volume.device, volume.image_min_disk_gb) == ("i1", "/dev/vdb", 3)
    assert convert.volume({"id": "v2", "attachments": [{"device": "/dev/vdd"}]}).device == (
        "/dev/vdd"
    )
    assert convert.volume({"id": "v3", "attachments": []}).device == ""


# -- pages of servers ------------------------------------------------------------------


class FakeNovaList:
    """``GET /servers/detail`` over ``count`` servers like Nova: newest first,
    ``limit`` capped at ``max_limit``, a ``next`` link only after a full page."""

    def __init__(self, cloud, count: int, *, max_limit: int = 1000) -> None:
        self.ids = [f"s{n:04d}" for n in range(count, 0, -1)]
        self.max_limit = max_limit
        self.mock = cloud.http.get(f"{cloud.nova}/servers/detail", json=self.answer)

    def answer(self, request, context):
        found = query(request)
        assert found["sort_key"] == ["created_at"] and found["sort_dir"] == ["desc"]
        start = self.ids.index(found["marker"][0]) + 1 if "marker" in found else 0
        size = min(int(found.get("limit", [self.max_limit])[0]), self.max_limit)
        ids = self.ids[start : start + size]
        body = {"servers": [nova_server(id=i, name=f"vm-{i}") for i in ids]}
        if len(ids) == size:
            body["servers_links"] = [{"rel": "next", "href": f"/servers/detail?marker={ids[-1]}"}]
        return body


def test_a_page_is_one_call_with_every_filter(cloud, conn):
    listing = cloud.http.get(
        f"{cloud.nova}/servers/detail",
        json={"servers": [nova_server(id="a"), nova_server(id="b")]},
    )

    page = conn.list_servers_page(name="web.1 (old)*", status="SHUTOFF", marker="m-0", limit=2)

    assert [s.id for s in page.servers] == ["a", "b"]
    assert page.next_marker == "b"
    assert listing.call_count == 1
    assert query(listing.last_request) == {
        # a regular expression to Nova: the user's text must match as typed
        "name": [re.escape("web.1 (old)*")],
        "status": ["SHUTOFF"],
        "marker": ["m-0"],
        "limit": ["2"],
        "sort_key": ["created_at"],
        "sort_dir": ["desc"],
    }
    assert re.search(query(listing.last_request)["name"][0], "web.1 (old)*")
    assert not re.search(query(listing.last_request)["name"][0], "web21 (old)")


def test_a_short_page_is_the_last(cloud, conn):
    listing = cloud.http.get(f"{cloud.nova}/servers/detail", json={"servers": [nova_server()]})

    page = conn.list_servers_page()

    assert page.next_marker is None
    assert query(listing.last_request) == {
        "limit": ["50"],
        "sort_key": ["created_at"],
        "sort_dir": ["desc"],
    }


def test_a_thousand_servers_page_by_page_one_call_each(cloud, conn):
    nova = FakeNovaList(cloud, 1000)

    seen, marker, pages = [], None, 0
    while True:
        page = conn.list_servers_page(marker=marker, limit=300)
        pages += 1
        seen.extend(s.id for s in page.servers)
        if page.next_marker is None:
            break
        assert page.next_marker == page.servers[-1].id
        marker = page.next_marker

    assert seen == nova.ids
    assert (pages, nova.mock.call_count) == (4, 4)
    assert [query(r).get("marker") for r in nova.mock.request_history] == [
        None,
        ["s0701"],
        ["s0401"],
        ["s0101"],
    ]


def test_list_servers_follows_novas_pages(cloud, conn):
    nova = FakeNovaList(cloud, 1000, max_limit=400)

    servers = conn.list_servers()

    assert [s.id for s in servers] == nova.ids
    # the last page is short, so Nova gives no "next" link and no empty page is asked
    assert nova.mock.call_count == 3
    assert "limit" not in query(nova.mock.request_history[0])


def test_list_servers_of_a_small_project_is_one_call(cloud, conn):
    nova = FakeNovaList(cloud, 3)

    assert [s.id for s in conn.list_servers()] == ["s0003", "s0002", "s0001"]
    assert nova.mock.call_count == 1


# -- actions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "body"),
    [
        (lambda c: c.stop_server(SERVER), {"os-stop": None}),
        (lambda c: c.start_server(SERVER), {"os-start": None}),
        (lambda c: c.reboot_server(SERVER), {"reboot": {"type": "SOFT"}}),
        (lambda c: c.reboot_server(SERVER, hard=True), {"reboot": {"type": "HARD"}}),
    ],
    ids=["stop", "start", "soft-reboot", "hard-reboot"],
)
def test_action_bodies(cloud, conn, action, body):
    posted = cloud.http.post(f"{cloud.nova}/servers/{SERVER}/action", status_code=202)

    action(conn)

    assert posted.call_count == 1
    assert posted.last_request.json() == body
    assert posted.last_request.headers["OpenStack-API-Version"] == "compute 2.96"


def test_delete(cloud, conn):
    deleted = cloud.http.delete(f"{cloud.nova}/servers/{SERVER}", status_code=204)

    conn.delete_server(SERVER)

    assert deleted.call_count == 1


def test_a_refused_action_is_a_conflict_with_novas_words(cloud, conn):
    said = f"Cannot 'start' instance {SERVER} while it is in vm_state active"
    cloud.error(
        "POST",
        f"{cloud.nova}/servers/{SERVER}/action",
        409,
        {"conflictingRequest": {"code": 409, "message": said}},
    )

    with pytest.raises(errors.Conflict) as caught:
        conn.start_server(SERVER)

    assert caught.value.message == said
    assert caught.value.request_id == "req-1234"


def test_console_output(cloud, conn):
    posted = cloud.http.post(
        f"{cloud.nova}/servers/{SERVER}/action",
        json={"output": "line 1\nline 2\n"},
    )

    assert conn.console_output(SERVER, lines=20) == "line 1\nline 2\n"
    assert posted.last_request.json() == {"os-getConsoleOutput": {"length": 20}}
    assert conn.console_output(SERVER) == "line 1\nline 2\n"
    assert posted.last_request.json() == {"os-getConsoleOutput": {"length": 50}}


def test_console_output_of_a_missing_server(cloud, conn):
    cloud.error(
        "POST",
        f"{cloud.nova}/servers/{SERVER}/action",
        404,
        {"itemNotFound": {"code": 404, "message": f"Instance {SERVER} could not be found."}},
    )

    with pytest.raises(errors.NotFound):
        conn.console_output(SERVER)


# -- remote console ------------------------------------------------------------------


def consoles(cloud, offered: dict[str, int]):
    """Nova's remote-consoles answering 200 for the types in ``offered`` with a
    status other than 200 naming what Nova answers instead."""

    def answer(request, context):
        asked = request.json()["remote_console"]
        status = offered.get(asked["type"], 400)
        context.status_code = status
        if status == 200:
            return {"remote_console": {**asked, "url": f"https://console/{asked['type']}"}}
        if status == 501:
            return {"notImplemented": {"code": 501, "message": "not implemented"}}
        if status == 409:
            return {"conflictingRequest": {"code": 409, "message": "Instance not ready"}}
        return {
            "badRequest": {"code": 400, "message": f"Unavailable console type {asked['type']}."}
        }

    return cloud.http.post(f"{cloud.nova}/servers/{SERVER}/remote-consoles", json=answer)


def asked_types(mock):
    return [r.json()["remote_console"]["type"] for r in mock.request_history]


def test_remote_console_tries_each_type_and_remembers_the_one_given(cloud, conn, provider):
    mock = consoles(cloud, {"webmks": 501, "serial": 200})

    console = conn.remote_console(SERVER)

    assert console == models.RemoteConsole("serial", "serial", "https://console/serial")
    assert asked_types(mock) == ["novnc", "spice-html5", "rdp-html5", "webmks", "serial"]
    assert mock.request_history[0].json() == {
        "remote_console": {"protocol": "vnc", "type": "novnc"}
    }
    # another connection to the same compute endpoint asks for that type only
    again = provider.connect(cloud.identity()).remote_console(SERVER)
    assert again == console
    assert asked_types(mock)[5:] == ["serial"]
    assert conn.features().remote_console is True


def test_remote_console_prefers_vnc(cloud, conn):
    mock = consoles(cloud, {"novnc": 200, "spice-html5": 200})

    assert conn.remote_console(SERVER).protocol == "vnc"
    assert asked_types(mock) == ["novnc"]


def test_no_remote_console_is_remembered(cloud, conn, provider):
    mock = consoles(cloud, {})
    assert conn.features().remote_console is True

    with pytest.raises(errors.InvalidRequest) as caught:
        conn.remote_console(SERVER)

    assert caught.value.message == "This cloud offers no graphical console."
    assert not isinstance(caught.value, errors.Conflict)
    assert len(mock.request_history) == 5
    assert conn.features().remote_console is False
    other = provider.connect(cloud.identity())
    assert other.features().remote_console is False
    with pytest.raises(errors.InvalidRequest):
        other.remote_console(SERVER)
    assert len(mock.request_history) == 5


def test_a_server_not_ready_for_a_console_is_a_conflict_not_a_missing_console(cloud, conn):
    mock = consoles(cloud, {"novnc": 409})

    with pytest.raises(errors.Conflict) as caught:
        conn.remote_console(SERVER)

    assert caught.value.message == "Instance not ready"
    assert asked_types(mock) == ["novnc"]
    assert conn.features().remote_console is True


def test_remote_console_before_2_6_uses_the_old_actions(cloud, provider):
    cloud.nova_version("2.5")
    posted = cloud.http.post(
        f"{cloud.nova}/servers/{SERVER}/action",
        json={"console": {"type": "novnc", "url": "https://console/old"}},
    )

    console = provider.connect(cloud.identity()).remote_console(SERVER)

    assert console == models.RemoteConsole("vnc", "novnc", "https://console/old")
    assert posted.last_request.json() == {"os-getVNCConsole": {"type": "novnc"}}


# -- a server's volumes, ports and image -----------------------------------------------


def test_server_volumes_with_sizes_and_devices(cloud, conn):
    cloud.http.get(
        f"{cloud.nova}/servers/{SERVER}/os-volume_attachments",
        json={
            "volumeAttachments": [
                {"id": "v1", "volumeId": "v1", "serverId": SERVER, "device": "/dev/vda"},
                {"id": "v2", "volumeId": "v2", "serverId": SERVER, "device": "/dev/vdb"},
                {"id": "gone", "volumeId": "gone", "serverId": SERVER, "device": "/dev/vdc"},
            ]
        },
    )
    cloud.http.get(
        f"{cloud.cinder}/volumes/v1",
        json={
            "volume": {
                "id": "v1",
                "name": "boot",
                "size": 10,
                "status": "in-use",
                "bootable": "true",
                "volume_image_metadata": {"image_id": "img-1"},
                "attachments": [{"server_id": SERVER, "device": "/dev/vda"}],
            }
        },
    )
    # Cinder not caught up with the attachment yet: Nova's device is used
    cloud.http.get(
        f"{cloud.cinder}/volumes/v2",
        json={"volume": {"id": "v2", "name": "data", "size": 50, "status": "attaching"}},
    )
    cloud.error(
        "GET",
        f"{cloud.cinder}/volumes/gone",
        404,
        {"itemNotFound": {"code": 404, "message": "Volume gone could not be found."}},
    )

    found = conn.server_volumes(SERVER)

    assert [(v.id, v.size_gb, v.device, v.image_id) for v in found] == [
        ("v1", 10, "/dev/vda", "img-1"),
        ("v2", 50, "/dev/vdb", ""),
    ]
    assert found[0].bootable is True


def test_server_without_volumes_asks_cinder_nothing(cloud, conn):
    cloud.http.get(
        f"{cloud.nova}/servers/{SERVER}/os-volume_attachments", json={"volumeAttachments": []}
    )

    assert conn.server_volumes(SERVER) == []
    assert cloud.requests(base=cloud.cinder) == []


def test_server_ports_oldest_first(cloud, conn):
    listing = ports(
        cloud,
        neutron_port("p2", created_at="2026-11-25T10:05:00Z"),
        neutron_port("p1", created_at="2026-11-25T10:00:00Z"),
    )

    assert [p.id for p in conn.server_ports(SERVER)] == ["p1", "p2"]
    assert query(listing.last_request) == {"device_id": [SERVER]}


def test_server_ports_without_neutron(cloud, provider):
    identity = cloud.identity(services=("compute", "image"))

    assert provider.connect(identity).server_ports(SERVER) == []


def test_get_image_even_a_kernel(cloud, conn):
    cloud.http.get(
        f"{cloud.glance}/v2/images/k1",
        json={"id": "k1", "name": "vmlinuz", "disk_format": "aki", "status": "deactivated"},
    )
    cloud.error("GET", f"{cloud.glance}/v2/images/nope", 404, "404 Not Found\n\nNo image nope")

    assert conn.get_image("k1") == models.Image("k1", "vmlinuz")
    with pytest.raises(errors.NotFound):
        conn.get_image("nope")


# -- floating IPs ---------------------------------------------------------------------


def neutron_port(port_id, *ips, **extra):
    return {
        "id": port_id,
        "name": "",
        "network_id": "demo-net-id",
        "device_id": SERVER,
        "fixed_ips": [{"subnet_id": "s", "ip_address": ip} for ip in ips],
        **extra,
    }


def neutron_fip(fip_id, address, port_id=None, fixed=None, pool=POOL):
    return {
        "id": fip_id,
        "floating_ip_address": address,
        "floating_network_id": pool,
        "port_id": port_id,
        "fixed_ip_address": fixed,
        "status": "ACTIVE" if port_id else "DOWN",
        "project_id": "p-demo",
    }


def floating_ips(cloud, *found):
    """Neutron's ``GET /v2.0/floatingips`` answering ``found``."""
    return cloud.http.get(f"{cloud.neutron}/v2.0/floatingips", json={"floatingips": list(found)})


def ports(cloud, *found):
    """Neutron's ``GET /v2.0/ports`` answering ``found``."""
    return cloud.http.get(f"{cloud.neutron}/v2.0/ports", json={"ports": list(found)})


def l3(cloud, present=True):
    url = f"{cloud.neutron}/v2.0/extensions/router"
    if present:
        return cloud.http.get(
            url, json={"extension": {"alias": "router", "name": "Neutron L3 Router"}}
        )
    return cloud.error(
        "GET",
        url,
        404,
        {
            "NeutronError": {
                "type": "ResourceNotFound",
                "message": "Extension with alias router does not exist",
                "detail": "",
            }
        },
    )


def test_pools_are_the_external_networks(cloud, conn):
    l3(cloud)
    networks = cloud.http.get(
        f"{cloud.neutron}/v2.0/networks",
        json={
            "networks": [{"id": POOL, "name": "public", "router:external": True, "subnets": ["x"]}]
        },
    )

    assert conn.list_floating_ip_pools() == [models.Network(POOL, "public")]
    assert query(networks.last_request) == {"router:external": ["True"]}


def test_no_l3_api_no_pools(cloud, conn):
    l3(cloud, present=False)
    # an external network may exist without the router plugin: it must not show
    networks = cloud.http.get(f"{cloud.neutron}/v2.0/networks", json={"networks": [{"id": POOL}]})

    assert conn.list_floating_ip_pools() == []
    assert networks.call_count == 0


def test_no_neutron_no_pools_nor_floating_ips(cloud, provider):
    conn = provider.connect(cloud.identity(services=("compute", "image")))

    assert conn.list_floating_ip_pools() == []
    assert conn.list_floating_ips() == []
    with pytest.raises(errors.InvalidRequest):
        conn.add_floating_ip(SERVER, pool_id=POOL)


def test_list_floating_ips_with_pool_names(cloud, conn):
    listing = floating_ips(
        cloud,
        neutron_fip("f1", "203.0.113.5", "p1", "10.0.0.5"),
        neutron_fip("f2", "203.0.113.6"),
    )
    names = cloud.http.get(
        f"{cloud.neutron}/v2.0/networks", json={"networks": [{"id": POOL, "name": "public"}]}
    )

    found = conn.list_floating_ips()

    assert found == [
        models.FloatingIP("f1", "203.0.113.5", POOL, "public", "p1", "10.0.0.5", "ACTIVE"),
        models.FloatingIP("f2", "203.0.113.6", POOL, "public"),
    ]
    assert query(listing.last_request) == {"project_id": ["p-demo"]}
    assert query(names.last_request) == {"id": [POOL], "fields": ["id", "name"]}


def test_list_floating_ips_without_l3_api(cloud, conn):
    cloud.error(
        "GET",
        f"{cloud.neutron}/v2.0/floatingips",
        404,
        {"NeutronError": {"type": "HTTPNotFound", "message": "The resource could not be found."}},
    )

    assert conn.list_floating_ips() == []


def test_add_reuses_a_free_floating_ip_of_the_pool(cloud, conn):
    ports(cloud, neutron_port("p1", "fd00::5", "10.0.0.5"))
    listing = floating_ips(
        cloud,
        neutron_fip("used", "203.0.113.5", "p-other", "10.0.0.9"),
        neutron_fip("free", "203.0.113.6"),
    )
    put = cloud.http.put(
        f"{cloud.neutron}/v2.0/floatingips/free",
        json={"floatingip": neutron_fip("free", "203.0.113.6", "p1", "10.0.0.5")},
    )
    post = cloud.http.post(f"{cloud.neutron}/v2.0/floatingips", status_code=201, json={})

    added = conn.add_floating_ip(SERVER, pool_id=POOL)

    assert added == models.FloatingIP("free", "203.0.113.6", POOL, "", "p1", "10.0.0.5", "ACTIVE")
    assert query(listing.last_request) == {"project_id": ["p-demo"], "floating_network_id": [POOL]}
    # the IPv4 address: a floating IP cannot point to an IPv6 one
    assert put.last_request.json() == {
        "floatingip": {"port_id": "p1", "fixed_ip_address": "10.0.0.5"}
    }
    assert post.call_count == 0


def test_add_allocates_when_none_is_free(cloud, conn):
    ports(cloud, neutron_port("p1", "10.0.0.5"))
    floating_ips(cloud, neutron_fip("used", "203.0.113.5", "p-other", "10.0.0.9"))
    post = cloud.http.post(
        f"{cloud.neutron}/v2.0/floatingips",
        status_code=201,
        json={"floatingip": neutron_fip("new", "203.0.113.7", "p1", "10.0.0.5")},
    )

    added = conn.add_floating_ip(SERVER, pool_id=POOL)

    assert (added.id, added.address, added.port_id) == ("new", "203.0.113.7", "p1")
    assert post.last_request.json() == {
        "floatingip": {"floating_network_id": POOL, "port_id": "p1", "fixed_ip_address": "10.0.0.5"}
    }


@pytest.mark.parametrize(
    ("status", "neutron_type", "message", "expected"),
    [
        (409, "OverQuota", "Quota exceeded for resources: ['floatingip'].", errors.QuotaExceeded),
        (
            409,
            "IpAddressGenerationFailure",
            f"No more IP addresses available on network {POOL}.",
            errors.QuotaExceeded,
        ),
        (
            404,
            "ExternalGatewayForFloatingIPNotFound",
            f"External network {POOL} is not reachable from subnet s. Therefore, "
            "cannot associate Port p1 with a Floating IP.",
            errors.InvalidRequest,
        ),
        (409, "FloatingIPPortAlreadyAssociated", "Cannot associate floating IP", errors.Conflict),
    ],
)
def test_add_refused(cloud, conn, status, neutron_type, message, expected):
    ports(cloud, neutron_port("p1", "10.0.0.5"))
    floating_ips(cloud)
    cloud.error(
        "POST",
        f"{cloud.neutron}/v2.0/floatingips",
        status,
        {"NeutronError": {"type": neutron_type, "message": message, "detail": ""}},
    )

    with pytest.raises(errors.CloudError) as caught:
        conn.add_floating_ip(SERVER, pool_id=POOL)

    assert type(caught.value) is expected
    assert (caught.value.message, caught.value.request_id) == (message, "req-1234")


def test_add_to_a_server_without_a_port(cloud, conn):
    ports(cloud)
    floating = floating_ips(cloud)

    with pytest.raises(errors.InvalidRequest) as caught:
        conn.add_floating_ip(SERVER, pool_id=POOL)

    assert caught.value.message == "The server has no network port for a floating IP."
    assert floating.call_count == 0


def test_remove_keeps_the_floating_ip(cloud, conn):
    put = cloud.http.put(
        f"{cloud.neutron}/v2.0/floatingips/f1",
        json={"floatingip": neutron_fip("f1", "203.0.113.5")},
    )
    deleted = cloud.http.delete(f"{cloud.neutron}/v2.0/floatingips/f1", status_code=204)

    conn.remove_floating_ip("f1")

    assert json.loads(put.last_request.text) == {"floatingip": {"port_id": None}}
    assert deleted.call_count == 0
