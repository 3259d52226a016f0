"""The cloud-init helper's document, made on the Configuration step, and a typed
script reach a real Nova as one MIME multi-part, exactly as Review's download
has it: read back as the cloud admin (``OS-EXT-SRV-ATTR:user_data``, microversion
2.3 on), valid for cloud-init's schema, split by cloud-init into the two."""

from __future__ import annotations

import base64
import uuid

import pytest
import yaml
from novaclient import client as nova_client

from tests.helpers.cloud_init import cloud_init_parts
from tests.helpers.cloud_init import schema_errors
from tests.helpers.config_step import as_posted
from tests.helpers.config_step import hidden
from tests.helpers.config_step import textarea
from tests.helpers.servers import wait_for_final
from webapp.forms.launch.cloud_config import multipart

pytestmark = pytest.mark.devcloud

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx7lI1h5J9Ckq6y7Qm3m1r1b2Q8d0h0Yk3Zr7m9oU1V a@b"
HELPER = {
    "init_updates": "y",
    "init_packages": "htop",
    "init_user": "alice",
    "init_ssh_keys": KEY,
    "init_sudo": "y",
    "init_timezone": "Asia/Shanghai",
    "init_commands": "echo 'made by the helper' > /tmp/skiff-helper\r\n",
}
SCRIPT = "#!/bin/sh\necho 'from the script: héllo' > /tmp/skiff-script\n"


@pytest.fixture
def admin_nova(os_config, os_admin_compute):
    """novaclient as the cloud admin, at a microversion that shows user data."""
    session = os_admin_compute.client.session
    return nova_client.Client("2.3", session=session, region_name=os_config.region_name)


def test_the_helpers_cloud_config_and_a_script_reach_nova_as_one_multipart(
    portal,
    keypair,
    cleanup,
    admin_nova,
):
    name = f"skiff-ci-{uuid.uuid4().hex[:6]}"
    cleanup.append(name)
    portal.open()
    portal.fill_all(
        name=name, image="devcloud-tiny-raw", flavor="m1.nano", network="demo-net", keypair=keypair
    )
    page = portal.post("config", nav="cloud_config", user_data="", **HELPER).get_data(as_text=True)
    document = textarea(page, "cloud_config")
    assert schema_errors(yaml.safe_load(document)) == []
    step = portal.post(
        "config",
        user_data=as_posted(SCRIPT),
        cloud_config=as_posted(document),
        cloud_config_made=hidden(page, "cloud_config_made"),
        **HELPER,
    )
    assert step.status_code == 303, step.get_data(as_text=True)[-1500:]
    shown = portal.client.get(f"{portal.url}/review/user-data").data
    response = portal.post("review", nav="launch")
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    server = admin_nova.servers.get(response.headers["Location"].rsplit("/", 1)[1])
    sent = base64.b64decode(getattr(server, "OS-EXT-SRV-ATTR:user_data"))
    assert sent == shown == multipart(document, SCRIPT).encode()
    config, script = cloud_init_parts(sent)
    assert (config["type"], config["text"]) == ("text/cloud-config", document)
    assert (script["type"], script["text"]) == ("text/x-shellscript", SCRIPT)
    status, html = wait_for_final(portal, response.headers["Location"])
    assert status == "ACTIVE", html
