"""The audit log on the OpenStack provider (requests-mock and keystoneauth1's
token fixture, every answer with its own ``x-openstack-request-id``): a login's
line lists exactly Keystone's ids, a launch's exactly those of its calls, Nova's
POST /servers among them; no password or token reaches the log."""

from __future__ import annotations

import itertools
import json

import pytest

from tests.helpers.audit import assert_no_secret
from tests.helpers.audit import only
from tests.helpers.audit import read_lines
from tests.helpers.wizard import Wizard
from webapp import create_app
from webapp.cloud import catalog as catalog_module
from webapp.cloud.catalog import Catalog
from webapp.cloud.models import AvailabilityZone
from webapp.cloud.models import Features
from webapp.cloud.models import Flavor
from webapp.cloud.models import Image
from webapp.cloud.models import KeyPair
from webapp.cloud.models import Network
from webapp.cloud.models import SecurityGroup
from webapp.cloud.openstack import session as os_session

#: the wizard's lists (fetching them is tested elsewhere: here the launch counts)
CATALOG = Catalog(
    images=(Image("img-1", "cirros", size_bytes=1 << 20, min_disk_gb=1),),
    flavors=(Flavor("42", "m1.tiny", 1, 512, 1),),
    keypairs=(KeyPair("demo-key"),),
    networks=(Network("net-1", "private", subnets=("10.0.0.0/24",)),),
    security_groups=(SecurityGroup("sg-1", "default"),),
    availability_zones=(AvailabilityZone("nova"),),
    features=Features(compute_microversion="2.96", description=True, tags=True),
)


@pytest.fixture
def ids():
    """A new request id for every answer: req-1, req-2..."""
    counter = itertools.count(1)
    return lambda: f"req-{next(counter)}"


@pytest.fixture
def keystone(cloud, ids):
    """Keystone as FakeCloud's, each answer with its own request id."""

    def tokens(request, context):
        context.headers["x-openstack-request-id"] = ids()
        auth = request.json()["auth"]
        if auth["identity"]["methods"] == ["password"]:
            if auth["identity"]["password"]["user"]["password"] != cloud.password:
                context.status_code = 401
                return {"error": {"code": 401, "message": "Unauthorized", "title": "Unauthorized"}}
            context.status_code = 201
            context.headers["X-Subject-Token"] = "unscoped-token"
            return cloud.token()
        project_id = auth["scope"]["project"]["id"]
        context.status_code = 201
        context.headers["X-Subject-Token"] = f"scoped-{project_id}"
        return cloud.token(project_id)

    def projects(request, context):
        context.headers["x-openstack-request-id"] = ids()
        return {"projects": cloud.projects}

    def revoke(request, context):
        context.headers["x-openstack-request-id"] = ids()
        context.status_code = 204
        return ""

    cloud.http.post(f"{cloud.auth_url}/auth/tokens", json=tokens)
    cloud.http.get(f"{cloud.auth_url}/auth/projects", json=projects)
    cloud.http.delete(f"{cloud.auth_url}/auth/tokens", text=revoke)


@pytest.fixture
def nova(cloud, ids):
    """Nova's version document and its answer to POST /servers, with ids."""

    def version(request, context):
        context.headers["x-openstack-request-id"] = ids()
        return {
            "version": {
                "id": "v2.1",
                "status": "CURRENT",
                "version": "2.96",
                "min_version": "2.1",
                "links": [{"rel": "self", "href": f"{cloud.nova}/"}],
            }
        }

    def create(request, context):
        context.headers["x-openstack-request-id"] = ids()
        context.status_code = 202
        return {"server": {"id": "srv-9", "links": [], "security_groups": [{"name": "default"}]}}

    cloud.http.get(cloud.nova, json=version)
    return cloud.http.post(f"{cloud.nova}/servers", json=create)


@pytest.fixture
def portal(cloud, keystone, nova, tmp_path, monkeypatch):
    """A portal on the fake cloud writing its audit log to ``tmp_path``."""
    monkeypatch.setattr(catalog_module, "fetch_catalog", lambda connection: CATALOG)
    monkeypatch.setattr("webapp.blueprints.launch.wizards.fetch_catalog", lambda c: CATALOG)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "CLOUD_AUTH_URL": cloud.auth_url,
            "DEMO_DATABASE": str(tmp_path / "unused.sqlite"),
            "RATE_LIMITS_ENABLED": False,
            "AUDIT_LOG": str(tmp_path / "audit.log"),
        },
        instance_path=str(tmp_path),
    )
    return Wizard(app.test_client())


def recorded_ids(calls: os_session.CallLog) -> list[str]:
    return [call.request_id for call in calls.calls if call.request_id]


def test_login_and_launch_lines_list_exactly_the_ids_of_their_calls(portal, cloud, tmp_path):
    portal.csrf()
    with os_session.recording() as login_calls:
        refused = portal.login(cloud.user_name, "wrong")
    with os_session.recording() as success_calls:
        success = portal.login(cloud.user_name, cloud.password)
    assert refused.status_code == 200 and success.status_code == 303
    portal.open()
    portal.fill_all(name="audited")
    with os_session.recording() as launch_calls:
        launched = portal.launch()
    assert launched.headers["Location"].endswith("/servers/srv-9")

    lines = read_lines(tmp_path / "audit.log")
    wrong = only(lines, "login", "refused")
    assert wrong["openstack_request_ids"] == recorded_ids(login_calls) == ["req-1"]
    login = only(lines, "login", "success")
    # the password check, the projects, the scoped token: three Keystone answers
    assert login["openstack_request_ids"] == recorded_ids(success_calls)
    assert login["openstack_request_ids"] == ["req-2", "req-3", "req-4"]
    assert {call.service_type for call in success_calls.calls} == {"identity"}
    assert login["user"] == {"name": cloud.user_name, "id": cloud.user_id}
    assert login["project"] == {"name": "demo", "id": cloud.project_id}
    assert login["region"] == "RegionOne"

    launch = only(lines, "launch")
    assert launch["outcome"] == "launched"
    assert launch["what"]["server_ids"] == ["srv-9"]
    assert launch["what"]["flavor"] == "42" and launch["what"]["source_id"] == "img-1"
    # Nova's version document (the microversion), then POST /servers
    assert launch["openstack_request_ids"] == recorded_ids(launch_calls) == ["req-5", "req-6"]
    create = [c for c in launch_calls.calls if c.method == "POST" and c.url.endswith("/servers")]
    assert len(create) == 1 and create[0].request_id in launch["openstack_request_ids"]


def test_a_refused_launch_carries_novas_id(portal, cloud, tmp_path):
    portal.login(cloud.user_name, cloud.password)
    portal.open()
    portal.fill_all(name="too-big")
    cloud.error(
        "POST",
        f"{cloud.nova}/servers",
        403,
        {"forbidden": {"code": 403, "message": "Quota exceeded for instances"}},
        **{"x-openstack-request-id": "req-refusal", "x-compute-request-id": "req-refusal"},
    )
    assert portal.launch().status_code == 200
    launch = only(read_lines(tmp_path / "audit.log"), "launch")
    assert launch["outcome"] == "refused"
    assert "req-refusal" in launch["openstack_request_ids"]
    assert "Quota exceeded for instances" in launch["error"]


def test_no_password_or_token_reaches_the_log(portal, cloud, tmp_path):
    portal.login(cloud.user_name, "wrong-" + cloud.password)
    portal.login(cloud.user_name, cloud.password)
    with portal.client.session_transaction() as session:
        token = json.loads(session["identity"]["auth_state"])["auth_token"]
    portal.open()
    portal.fill_all(name="quiet")
    portal.launch()
    csrf = portal.csrf(portal.client.get("/launch/").get_data(as_text=True))
    assert portal.client.post("/auth/logout", data={"csrf_token": csrf}).status_code == 303

    text = (tmp_path / "audit.log").read_text()
    events = [line["event"] for line in read_lines(tmp_path / "audit.log")]
    assert events == ["login", "login", "launch", "logout"]
    assert only(read_lines(tmp_path / "audit.log"), "logout")["openstack_request_ids"]
    assert token.startswith("scoped-")
    assert_no_secret(
        text,
        password=cloud.password,
        wrong_password="wrong-" + cloud.password,
        token=token,
        unscoped_token="unscoped-token",
    )
