"""What expiry asks of a real OpenStack (requests-mock; the real keystoneauth1,
novaclient and openstacksdk code runs): setting a server's metadata items, and
an operator's view of every project with a credential from clouds.yaml."""

from __future__ import annotations

from urllib import parse

import pytest

from tests.helpers.expiry import all_servers
from tests.helpers.fake_cloud import nova_server
from tests.helpers.regions import TwoRegionCloud
from webapp.cloud import errors
from webapp.cloud.openstack.operator import OpenStackOperator
from webapp.expiry.sweep import Outcome

SERVER = "srv-1"
EXPIRES = "skiff:expires_at"


def query(request) -> dict[str, list[str]]:
    """A request's query, case kept (requests-mock lowercases ``qs``)."""
    return parse.parse_qs(parse.urlsplit(request.url).query)


# -- a user's connection: one metadata item at a time ---------------------------------


def test_an_item_is_set_by_itself_and_the_others_are_kept(cloud, conn):
    put = cloud.http.put(
        f"{cloud.nova}/servers/{SERVER}/metadata/{EXPIRES}",
        json={"meta": {EXPIRES: "2026-12-02T12:00:00Z"}},
    )
    conn.set_server_metadata(SERVER, {EXPIRES: "2026-12-02T12:00:00Z"})
    assert put.call_count == 1
    assert put.last_request.json() == {"meta": {EXPIRES: "2026-12-02T12:00:00Z"}}
    assert put.last_request.headers["OpenStack-API-Version"] == "compute 2.96"
    assert [r.method for r in cloud.requests(base=f"{cloud.nova}/servers")] == ["PUT"]


def test_none_deletes_an_item_and_one_already_gone_is_fine(cloud, conn):
    deleted = cloud.http.delete(
        f"{cloud.nova}/servers/{SERVER}/metadata/skiff:expiry_action", status_code=204
    )
    cloud.error(
        "DELETE",
        f"{cloud.nova}/servers/{SERVER}/metadata/{EXPIRES}",
        404,
        {"itemNotFound": {"code": 404, "message": "Metadata item was not found"}},
    )
    cloud.http.get(f"{cloud.nova}/servers/{SERVER}", json={"server": nova_server()})
    conn.set_server_metadata(SERVER, {EXPIRES: None, "skiff:expiry_action": None})
    assert deleted.call_count == 1


def test_a_server_gone_is_not_found(cloud, conn):
    cloud.error(
        "DELETE",
        f"{cloud.nova}/servers/{SERVER}/metadata/{EXPIRES}",
        404,
        {"itemNotFound": {"code": 404, "message": "Instance srv-1 could not be found."}},
    )
    cloud.error(
        "GET",
        f"{cloud.nova}/servers/{SERVER}",
        404,
        {"itemNotFound": {"code": 404, "message": "Instance srv-1 could not be found."}},
    )
    with pytest.raises(errors.NotFound):
        conn.set_server_metadata(SERVER, {EXPIRES: None})


def test_novas_409_is_a_conflict_in_its_words(cloud, conn):
    message = "Cannot 'update_instance_metadata' instance srv-1 while it is in vm_state building"
    cloud.error(
        "PUT",
        f"{cloud.nova}/servers/{SERVER}/metadata/{EXPIRES}",
        409,
        {"conflictingRequest": {"code": 409, "message": message}},
    )
    with pytest.raises(errors.Conflict) as raised:
        conn.set_server_metadata(SERVER, {EXPIRES: "2026-12-02T12:00:00Z"})
    assert raised.value.message == message


# -- an operator's view --------------------------------------------------------------------


@pytest.fixture
def clouds_yaml(cloud, tmp_path, monkeypatch):
    """A clouds.yaml with an operator entry for the fake cloud, where openstacksdk
    looks first; Keystone answers its password login with an admin token."""
    return operator_entry(cloud, tmp_path, monkeypatch)


def operator_entry(cloud, tmp_path, monkeypatch):
    """:func:`clouds_yaml` for ``cloud``: the token request's mock."""
    path = tmp_path / "clouds.yaml"
    path.write_text(
        "clouds:\n"
        "  ops:\n"
        "    auth:\n"
        f"      auth_url: {cloud.auth_url}\n"
        "      username: admin\n"
        "      password: secret\n"
        "      project_name: admin\n"
        "      user_domain_name: Default\n"
        "      project_domain_name: Default\n"
        "    region_name: RegionOne\n"
        "    interface: public\n"
        "    identity_api_version: 3\n"
    )
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    for name in ("OS_CLOUD", "OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME"):
        monkeypatch.delenv(name, raising=False)
    # the generic password plugin of clouds.yaml asks Keystone for its versions first
    cloud.http.get(
        cloud.auth_url,
        json={
            "version": {
                "id": "v3.14",
                "status": "stable",
                "links": [{"rel": "self", "href": f"{cloud.auth_url}/"}],
            }
        },
    )
    tokens = cloud.http.post(
        f"{cloud.auth_url}/auth/tokens",
        json=cloud.token("p-admin"),
        headers={"X-Subject-Token": "admin-token"},
        status_code=201,
    )
    cloud.nova_version("2.96")
    return tokens


def test_the_operator_reads_its_credential_from_clouds_yaml(cloud, clouds_yaml):
    operator = OpenStackOperator.from_clouds_yaml("ops")
    assert operator.label == "ops"
    assert clouds_yaml.call_count == 0  # nothing asked until a call
    cloud.http.get(f"{cloud.nova}/servers/detail", json={"servers": []})
    assert all_servers(operator) == []
    sent = clouds_yaml.last_request.json()["auth"]
    assert sent["identity"]["password"]["user"]["name"] == "admin"
    assert sent["scope"]["project"]["name"] == "admin"


def test_an_unknown_entry_is_said_plainly(clouds_yaml):
    with pytest.raises(errors.CloudUnavailable, match="clouds.yaml entry 'nope'"):
        OpenStackOperator.from_clouds_yaml("nope")


def test_every_projects_servers_page_after_page(cloud, clouds_yaml):
    pages = [
        [
            nova_server(id="a", tenant_id="p-1", metadata={EXPIRES: "2026-12-01T00:00:00Z"}),
            nova_server(id="b", tenant_id="p-2"),
        ],
        [nova_server(id="c", tenant_id="p-1", status="SHUTOFF")],
        [],
    ]
    listed = cloud.http.get(
        f"{cloud.nova}/servers/detail", [{"json": {"servers": page}} for page in pages]
    )
    found = all_servers(OpenStackOperator.from_clouds_yaml("ops"))
    assert [(f.server.id, f.project_id, f.server.status) for f in found] == [
        ("a", "p-1", "ACTIVE"),
        ("b", "p-2", "ACTIVE"),
        ("c", "p-1", "SHUTOFF"),
    ]
    assert found[0].server.metadata == {EXPIRES: "2026-12-01T00:00:00Z"}
    queries = [query(r) for r in listed.request_history]
    assert all(q["all_tenants"] == ["True"] for q in queries)
    assert [q.get("marker") for q in queries] == [None, ["b"], ["c"]]


def test_the_operator_stops_and_deletes(cloud, clouds_yaml):
    cloud.http.get(
        f"{cloud.nova}/servers/detail",
        [{"json": {"servers": [nova_server(tenant_id="p-9")]}}, {"json": {"servers": []}}],
    )
    action = cloud.http.post(f"{cloud.nova}/servers/{SERVER}/action", status_code=202)
    deleted = cloud.http.delete(f"{cloud.nova}/servers/{SERVER}", status_code=204)
    operator = OpenStackOperator.from_clouds_yaml("ops")
    (found,) = all_servers(operator)
    operator.stop_server(found)
    assert action.last_request.json() == {"os-stop": None}
    operator.delete_server(found)
    assert deleted.call_count == 1
    cloud.error(
        "DELETE",
        f"{cloud.nova}/servers/{SERVER}",
        404,
        {"itemNotFound": {"code": 404, "message": "Instance srv-1 could not be found."}},
    )
    with pytest.raises(errors.NotFound):
        operator.delete_server(found)


def test_every_region_is_swept_and_each_server_acted_on_in_its_own(
    requests_mock, tmp_path, monkeypatch
):
    two = TwoRegionCloud(requests_mock)
    operator_entry(two, tmp_path, monkeypatch)
    two.lists()  # each region's Nova version document (and lists the sweep does not read)
    one = two.http.get(
        f"{two.nova}/servers/detail",
        [{"json": {"servers": [nova_server(id="a", tenant_id="p-1")]}}, {"json": {"servers": []}}],
    )
    other = two.http.get(
        f"{two.nova_two}/servers/detail",
        [{"json": {"servers": [nova_server(id="b", tenant_id="p-2")]}}, {"json": {"servers": []}}],
    )
    stopped = two.http.post(f"{two.nova_two}/servers/b/action", status_code=202)

    operator = OpenStackOperator.from_clouds_yaml("ops")
    assert operator.regions() == ["RegionOne", "RegionTwo"]
    found = all_servers(operator)
    assert [(f.server.id, f.project_id, f.region) for f in found] == [
        ("a", "p-1", "RegionOne"),
        ("b", "p-2", "RegionTwo"),
    ]
    assert one.call_count == 2 and other.call_count == 2
    operator.stop_server(found[1])
    assert stopped.last_request.json() == {"os-stop": None}
    line = Outcome(found[1], "stop", "stop requested").line()
    assert 'project=p-2 region="RegionTwo" action=stop' in line
