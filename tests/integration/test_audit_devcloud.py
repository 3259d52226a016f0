"""The audit log against a real OpenStack: a login's line carries Keystone's
request ids, a launch's the id of Nova's POST /servers, a delete's Nova's id of
the DELETE; neither the password nor the token is in the log."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from tests.helpers.audit import assert_no_secret
from tests.helpers.audit import only
from tests.helpers.audit import read_lines
from tests.helpers.wizard import Wizard
from webapp import create_app
from webapp.cloud.openstack import session as os_session

pytestmark = pytest.mark.devcloud

#: OpenStack's request ids: req-<uuid4>
REQUEST_ID = re.compile(r"req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def audited(os_config, tmp_path):
    """A portal on the test cloud writing its audit log to a file; not logged in."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "CLOUD_AUTH_URL": os_config.auth_url,
            "CLOUD_REGION": os_config.region_name,
            "DEMO_DATABASE": str(tmp_path / "unused.sqlite"),
            "AUDIT_LOG": str(tmp_path / "audit.log"),
        },
        instance_path=str(tmp_path),
    )
    return Wizard(app.test_client())


def ids_of(calls: os_session.CallLog, method: str | None = None, path: str = "") -> list[str]:
    return [
        c.request_id
        for c in calls.calls
        if c.request_id
        and (method is None or c.method == method)
        and c.url.split("?")[0].endswith(path)
    ]


def test_login_launch_and_delete_carry_the_clouds_request_ids(
    audited, os_config, keypair, cleanup, tmp_path
):
    name = f"skiff-audit-{uuid.uuid4().hex[:6]}"
    cleanup.append(name)
    audited.csrf()
    with os_session.recording() as login_calls:
        assert audited.login(os_config.username, os_config.password).status_code == 303
    with audited.client.session_transaction() as session:
        token = json.loads(session["identity"]["auth_state"])["auth_token"]
    audited.open()
    audited.fill_all(
        name=name, image="devcloud-tiny-raw", flavor="m1.nano", network="demo-net", keypair=keypair
    )
    with os_session.recording() as launch_calls:
        launched = audited.launch()
    assert launched.status_code == 303, launched.get_data(as_text=True)[-2000:]
    server_id = launched.headers["Location"].rsplit("/", 1)[1]
    page = audited.client.get(f"/servers/{server_id}").get_data(as_text=True)
    csrf = audited.csrf(page)
    with os_session.recording() as delete_calls:
        deleted = audited.client.post(
            f"/servers/{server_id}/delete", data={"csrf_token": csrf, "confirmed": "1"}
        )
    assert deleted.status_code == 303

    log = tmp_path / "audit.log"
    lines = read_lines(log)
    login = only(lines, "login", "success")
    assert login["user"]["name"] == os_config.username
    assert login["openstack_request_ids"] == ids_of(login_calls)
    assert login["openstack_request_ids"] and all(
        REQUEST_ID.fullmatch(i) for i in login["openstack_request_ids"]
    )

    launch = only(lines, "launch", "launched")
    assert launch["what"]["server_ids"] == [server_id]
    created = ids_of(launch_calls, "POST", "/servers")
    assert len(created) == 1 and REQUEST_ID.fullmatch(created[0])
    assert created[0] in launch["openstack_request_ids"]
    assert launch["openstack_request_ids"] == ids_of(launch_calls)

    delete = only(lines, "server_action", "success")
    assert delete["what"] == {"action": "delete", "server_ids": [server_id]}
    removed = ids_of(delete_calls, "DELETE", f"/servers/{server_id}")
    assert len(removed) == 1 and removed[0] in delete["openstack_request_ids"]

    assert token and len(token) > 20
    assert_no_secret(log.read_text(), password=os_config.password, token=token)
