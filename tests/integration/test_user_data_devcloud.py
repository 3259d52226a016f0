"""User data uploaded through the wizard reaches a real Nova byte for byte: read
back as the cloud admin (``OS-EXT-SRV-ATTR:user_data``, microversion 2.3 on)."""

from __future__ import annotations

import base64
import gzip
import io
import uuid

import pytest
from novaclient import client as nova_client

from tests.helpers.servers import wait_for_final

pytestmark = pytest.mark.devcloud

CLOUD_CONFIG = b"#cloud-config\r\nruncmd:\r\n  - [sh, -c, 'echo h\xc3\xa9llo > /tmp/skiff']\r\n"
FILES = {
    "gzip'd cloud-config": ("user-data.gz", gzip.compress(CLOUD_CONFIG)),
    "cloud-config with CRLF": ("user-data.yaml", CLOUD_CONFIG),
}


@pytest.fixture
def admin_nova(os_config, os_admin_compute):
    """novaclient as the cloud admin, at a microversion that shows user data."""
    session = os_admin_compute.client.session
    return nova_client.Client("2.3", session=session, region_name=os_config.region_name)


@pytest.mark.parametrize("kind", list(FILES))
def test_an_uploaded_file_reaches_nova_byte_for_byte(
    portal,  # noqa: F811  (the imported fixtures)
    keypair,  # noqa: F811
    cleanup,  # noqa: F811
    admin_nova,
    kind,
):
    filename, content = FILES[kind]
    name = f"skiff-ud-{uuid.uuid4().hex[:6]}"
    cleanup.append(name)
    portal.open()
    portal.fill_all(
        name=name, image="devcloud-tiny-raw", flavor="m1.nano", network="demo-net", keypair=keypair
    )
    response = portal.post(
        "config", nav="launch", user_data="", user_data_file=(io.BytesIO(content), filename)
    )
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    server_id = response.headers["Location"].rsplit("/", 1)[1]
    server = admin_nova.servers.get(server_id)
    assert base64.b64decode(getattr(server, "OS-EXT-SRV-ATTR:user_data")) == content
    status, html = wait_for_final(portal, response.headers["Location"])
    assert status == "ACTIVE", html
