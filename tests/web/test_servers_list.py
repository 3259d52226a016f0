"""The server list: status words, flavor and image by name, filters, paging with
Nova's markers, refreshing only while something changes, and its call budget."""

from __future__ import annotations

import re
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest

from tests.helpers.servers import HTMX
from tests.helpers.servers import Servers
from tests.helpers.servers import counted_calls


@pytest.fixture
def servers(wizard):
    return Servers(wizard)


def names(html: str) -> list[str]:
    return re.findall(r'<a href="/servers/[0-9a-f-]{36}">([^<]+)</a>', html)


def test_rows_say_status_in_words_flavor_image_key_and_age(servers):
    servers.launch(name="ok-1")
    servers.launch(name="huge", flavor="r1.huge")
    page = servers.client.get("/servers/").get_data(as_text=True)
    assert names(page) == ["huge", "ok-1"]  # newest first
    assert '<span class="badge tone-ok">Running</span>' in page
    assert '<span class="badge tone-bad">Error: No host could take it</span>' in page
    assert '<td data-label="Flavor">m1.tiny</td>' in page
    assert '<td data-label="Image">cirros-0.6.3</td>' in page
    assert '<td data-label="Key pair">demo-key</td>' in page
    assert re.search(r'<time datetime="[0-9T:-]+Z" title="[0-9T:-]+Z">just now</time>', page)


def test_filters_by_name_and_status_plain_and_htmx(servers):
    servers.launch(name="web-a")
    servers.launch(name="db-a")
    servers.launch(name="web-huge", flavor="r1.huge")
    page = servers.client.get("/servers/?name=web").get_data(as_text=True)
    assert names(page) == ["web-huge", "web-a"]
    assert 'value="web"' in page  # the filter stays filled in
    fragment = servers.client.get("/servers/?name=web&status=ERROR", headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert "<html" not in html
    assert 'id="server-list"' in html
    assert names(html) == ["web-huge"]
    assert "HX-Request" in fragment.headers["Vary"]
    assert "No server matches this filter." in servers.client.get(
        "/servers/?name=nothing"
    ).get_data(as_text=True)


def test_pages_follow_novas_markers(app, servers):
    app.config["SERVERS_PER_PAGE"] = 2
    for n in range(5):
        servers.launch(name=f"vm-{n}")
    first = servers.client.get("/servers/?name=vm").get_data(as_text=True)
    assert names(first) == ["vm-4", "vm-3"]
    assert "First page" not in first
    following = re.search(
        r'<a href="([^"]+)" hx-get="[^"]+"\s+hx-target="#server-list"[^>]*>Next page', first
    )
    url = following.group(1).replace("&amp;", "&")
    assert "marker=" in url and "name=vm" in url
    second = servers.client.get(url).get_data(as_text=True)
    assert names(second) == ["vm-2", "vm-1"]
    assert ">First page</a>" in second
    last = (
        re.search(r'<a href="([^"]+)"[^>]*>Next page', second, re.S).group(1).replace("&amp;", "&")
    )
    third = servers.client.get(last).get_data(as_text=True)
    assert names(third) == ["vm-0"] and "Next page" not in third


def test_a_launchs_servers_by_ids(servers):
    a = servers.launch(name="a")
    servers.launch(name="b")
    c = servers.launch(name="c")
    assert names(servers.client.get(f"/servers/?ids={a},{c}").get_data(as_text=True)) == ["c", "a"]


def test_refreshes_only_while_something_changes(app, servers):
    servers.launch(name="done")
    page = servers.client.get("/servers/").get_data(as_text=True)
    assert 'hx-trigger="load delay:2s"' not in page and "http-equiv" not in page
    app.extensions["skiff.cloud"].build_seconds = 3600
    servers.launch(name="building")
    page = servers.client.get("/servers/?selected=x").get_data(as_text=True)
    assert 'hx-trigger="load delay:2s"' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "Building: " in page


def test_ticked_boxes_stay_ticked_across_a_refresh(app, servers):
    server_id = servers.launch(name="keep")
    page = servers.client.get(f"/servers/?selected={server_id}").get_data(as_text=True)
    assert f'value="{server_id}" aria-label="Select keep" checked' in page


def test_one_list_page_costs_three_calls_then_one(app, servers, monkeypatch):
    for n in range(3):
        servers.launch(name=f"vm-{n}")
    app.extensions["skiff.lookups"].clear()
    with counted_calls(app, monkeypatch) as calls:
        servers.client.get("/servers/")
    assert sum(calls.values()) <= 3
    assert calls["list_servers_page"] == 1
    with counted_calls(app, monkeypatch) as calls:
        servers.client.get("/servers/?name=vm")
    assert dict(calls) == {"list_servers_page": 1}  # flavors and images from the cache


# -- a real OpenStack's list (requests-mock): 1,000 servers, three calls ------------------


def uuid_of(n: int) -> str:
    return f"00000000-0000-0000-0000-{n:012d}"


def openstack_server(n: int) -> dict:
    return {
        "id": uuid_of(n),
        "name": f"vm-{n}",
        "status": "ACTIVE",
        "created": "2026-11-25T10:00:00Z",
        "image": {"id": "img-1", "links": []},
        "flavor": {"original_name": "m1.nano", "vcpus": 1, "ram": 128, "disk": 1},
        "key_name": "laptop",
        "addresses": {"net": [{"addr": f"10.0.{n // 250}.{n % 250}", "version": 4}]},
        "security_groups": [{"name": "default"}],
    }


@pytest.fixture
def openstack_portal(requests_mock, tmp_path):
    """A portal on a fake OpenStack of 1,000 servers, logged in."""
    from tests.helpers.fake_cloud import FakeCloud
    from tests.helpers.wizard import Wizard
    from webapp import create_app

    cloud = FakeCloud(requests_mock)
    cloud.keystone()
    cloud.nova_version("2.96")
    ids = list(range(1000, 0, -1))

    def servers(request, context):
        found = parse_qs(urlsplit(request.url).query)
        start = ids.index(int(found["marker"][0][-12:])) + 1 if "marker" in found else 0
        page = ids[start : start + int(found["limit"][0])]
        body = {"servers": [openstack_server(n) for n in page]}
        if page:
            body["servers_links"] = [
                {"rel": "next", "href": f"/servers/detail?marker={uuid_of(page[-1])}"}
            ]
        return body

    requests_mock.get(f"{cloud.nova}/servers/detail", json=servers)
    requests_mock.get(f"{cloud.nova}/flavors/detail", json={"flavors": []})
    image = {"id": "img-1", "name": "cirros", "status": "active", "visibility": "public"}
    requests_mock.get(f"{cloud.glance}/v2/images", json={"images": [image]})
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "CLOUD_AUTH_URL": cloud.auth_url,
            "DEMO_DATABASE": str(tmp_path / "unused.sqlite"),
            "RATE_LIMITS_ENABLED": False,
        },
        instance_path=str(tmp_path),
    )
    wizard = Wizard(app.test_client())
    wizard.login(cloud.user_name, cloud.password)
    return wizard, requests_mock


def test_a_page_of_a_thousand_servers_costs_three_calls_then_one(openstack_portal):
    wizard, http = openstack_portal
    http.reset_mock()
    page = wizard.client.get("/servers/").get_data(as_text=True)
    assert len(names(page)) == 50 and names(page)[0] == "vm-1000"
    assert '<td data-label="Flavor">m1.nano</td>' in page
    assert '<td data-label="Image">cirros</td>' in page
    calls = [r.path for r in http.request_history]
    # Nova's version document (the connection's microversion), the page, the
    # images; the flavor is Nova's embedded copy (2.47+): no flavor list needed
    assert calls == ["/v2.1", "/v2.1/servers/detail", "/v2/images"], calls
    http.reset_mock()
    following = re.search(r'<a href="([^"]+)"[^>]*>Next page', page, re.S).group(1)
    second = wizard.client.get(following.replace("&amp;", "&")).get_data(as_text=True)
    assert names(second)[0] == "vm-950"
    calls = [r.path for r in http.request_history]
    assert calls == ["/v2.1/servers/detail"], calls  # the rest from the caches
