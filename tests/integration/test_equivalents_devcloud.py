"""Review's equivalents against a real OpenStack: the ``openstack server create``
command shown is run with python-openstackclient and makes the same server as the
wizard, field by field; the API request shown is the body novaclient really sent;
the OpenTofu configuration parses and carries the same values."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from keystoneauth1 import session as ks_session
from novaclient import client as nova_client

from tests.helpers.equivalents import Template
from tests.helpers.equivalents import hcl_resources
from tests.helpers.wizard import STEP_FIELDS
from webapp.expiry.lease import EXPIRES_AT
from webapp.i18n import parse_time

pytestmark = pytest.mark.devcloud

SCRIPT = "#!/bin/sh\necho 'skiff équivalent' > /tmp/skiff\n"
KINDS = ("command", "api", "terraform", "user-data")


@pytest.fixture
def sent_bodies(monkeypatch):
    """The JSON bodies of every ``POST /servers`` made through keystoneauth1 (what
    novaclient really sent), in order."""
    bodies: list[dict] = []
    request = ks_session.Session.request

    def recording(self, url, method, *args, **kwargs):
        if method == "POST" and url.rstrip("/").endswith("/servers"):
            bodies.append(json.loads(json.dumps(kwargs.get("json"))))
        return request(self, url, method, *args, **kwargs)

    monkeypatch.setattr(ks_session.Session, "request", recording)
    return bodies


@pytest.fixture
def admin_nova(os_config, os_admin_compute):
    """novaclient as the cloud admin, at a microversion that shows user data."""
    session = os_admin_compute.client.session
    return nova_client.Client("2.96", session=session, region_name=os_config.region_name)


def download(portal, kind: str) -> bytes:
    response = portal.client.get(f"{portal.url}/review/{kind}")
    assert response.status_code == 200, (kind, response.status_code)
    return response.data


def to_review(portal, keypair: str, cleanup: list[str], **fields: str) -> str:
    """Walk a new wizard to Review with the devcloud's tiny image, flavor and
    network, and ``fields`` (of any step, Configuration's included); the
    server's name, which ``cleanup`` deletes after the test."""
    name = f"skiff-eq-{uuid.uuid4().hex[:6]}"
    cleanup.append(name)
    portal.open()
    portal.fill_all(
        name=name,
        image="devcloud-tiny-raw",
        flavor="m1.nano",
        network="demo-net",
        keypair=keypair,
        **fields,
    )
    config = {k: v for k, v in fields.items() if k in STEP_FIELDS["config"]}
    response = portal.post("config", **{"user_data": "", **config})
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    return name


def osc_environment(os_config) -> dict[str, str]:
    """The test user's credentials as python-openstackclient reads them."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    environment.update(
        OS_AUTH_URL=os_config.auth_url,
        OS_USERNAME=os_config.username,
        OS_PASSWORD=os_config.password,
        OS_PROJECT_NAME="demo",
        OS_USER_DOMAIN_NAME="Default",
        OS_PROJECT_DOMAIN_NAME="Default",
        OS_IDENTITY_API_VERSION="3",
    )
    if os_config.region_name:
        environment["OS_REGION_NAME"] = os_config.region_name
    return environment


def run_command(command: str, folder: Path, environment: dict[str, str]) -> str:
    """Run the command as shown (through a shell, its quoting included), from a
    folder holding the script it names; the id of the server it made."""
    lines = [line for line in command.splitlines() if not line.lstrip().startswith("#")]
    shown = "\n".join(lines).replace("openstack ", f"{Path(sys.executable).parent}/openstack ", 1)
    done = subprocess.run(
        ["sh", "-c", shown + " -f value -c id"],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def settled(nova, server_id: str, timeout: float = 120.0):
    """The server once it is ACTIVE or ERROR (or still building after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        server = nova.servers.get(server_id)
        if server.status in ("ACTIVE", "ERROR") or time.monotonic() > deadline:
            return server
        time.sleep(1)


def facts(nova, admin_nova, server_id: str) -> dict:
    """What a server was made with, as Nova tells it."""
    server = settled(nova, server_id)
    raw = admin_nova.servers.get(server_id).to_dict()
    return {
        "status": server.status,
        "flavor": raw["flavor"]["original_name"],
        "image": (raw.get("image") or {}).get("id"),
        "key_name": raw["key_name"],
        "security_groups": sorted(g["name"] for g in raw.get("security_groups", [])),
        "metadata": raw["metadata"],
        "tags": sorted(raw.get("tags") or []),
        "description": raw.get("description"),
        "zone": raw.get("OS-EXT-AZ:availability_zone"),
        "networks": sorted(raw["addresses"]),
        "config_drive": raw.get("config_drive"),
        "user_data": base64.b64decode(raw.get("OS-EXT-SRV-ATTR:user_data") or ""),
        "hostname": raw.get("OS-EXT-SRV-ATTR:hostname"),
        "volumes": len(raw.get("os-extended-volumes:volumes_attached") or []),
    }


def test_the_equivalents_on_review_make_the_same_server(
    portal,  # noqa: F811  (the imported fixtures)
    keypair,  # noqa: F811
    cleanup,  # noqa: F811
    nova,
    admin_nova,
    os_config,
    sent_bodies,
    tmp_path,
):
    name = to_review(
        portal,
        keypair,
        cleanup,
        description="made twice, the same way",
        user_data=SCRIPT,
        config_drive="y",
        metadata="role=web\nowner=skiff équipe",
        tags="skiff, equivalent",
        hostname="eq-host",
        expires="after",
        expiry_amount="2",
        expiry_unit="hours",
        expiry_action="delete",
    )
    review = portal.client.get(f"{portal.url}/review").get_data(as_text=True)
    for kind in ("command", "api", "terraform"):
        assert f'id="equivalent-{kind}"' in review, kind
    files = {kind: download(portal, kind) for kind in KINDS}
    assert files["user-data"] == SCRIPT.encode()

    launched = portal.post("review", nav="launch")
    assert launched.status_code == 303, launched.get_data(as_text=True)[-1500:]
    wizard_server = launched.headers["Location"].rsplit("/", 1)[1]

    # The API request shown is the body novaclient sent, byte for byte in JSON.
    api = files["api"].decode()
    head, _, body = api.partition("\n\n")
    assert head.startswith("POST /servers")
    assert re.search(r"^OpenStack-API-Version: compute 2\.\d+$", head, re.M)
    assert len(sent_bodies) == 1
    shown, sent = json.loads(body), sent_bodies[0]
    # but for the lease's end, as of the moment each was made (a few seconds apart)
    drawn_at = shown["server"]["metadata"].pop(EXPIRES_AT)
    sent_at = sent["server"]["metadata"].pop(EXPIRES_AT)
    assert 0 <= (parse_time(sent_at) - parse_time(drawn_at)).total_seconds() < 60
    assert shown == sent

    # The command, run as shown, makes a server like the wizard's.
    (tmp_path / "user-data").write_bytes(files["user-data"])
    command = files["command"].decode()
    cli_server = run_command(command, tmp_path, osc_environment(os_config))  # same name: cleaned up
    made_by_wizard = facts(nova, admin_nova, wizard_server)
    made_by_command = facts(nova, admin_nova, cli_server)
    # the lease ends 2 hours after each was asked for: the command's a little later
    launched_at = made_by_wizard["metadata"].pop(EXPIRES_AT)
    run_at = made_by_command["metadata"].pop(EXPIRES_AT)
    assert 0 <= (parse_time(run_at) - parse_time(launched_at)).total_seconds() < 300
    assert made_by_wizard["status"] == "ACTIVE", made_by_wizard
    assert made_by_command == made_by_wizard
    assert made_by_wizard["user_data"] == SCRIPT.encode()
    assert made_by_wizard["metadata"] == {
        "role": "web",
        "owner": "skiff équipe",
        "skiff:expiry_action": "delete",
    }
    assert made_by_wizard["hostname"] == "eq-host" and made_by_wizard["config_drive"]

    # The OpenTofu configuration parses, and says the same as the server made.
    resources = hcl_resources(files["terraform"].decode())
    (instance,) = [
        v for k, v in resources.items() if k.startswith("openstack_compute_instance_v2.")
    ]
    wizard = admin_nova.servers.get(wizard_server).to_dict()
    sent = sent_bodies[0]["server"]
    assert instance["name"] == name
    assert instance["flavor_id"] == sent["flavorRef"]
    assert instance["image_id"] == wizard["image"]["id"] == sent["imageRef"]
    assert instance["key_pair"] == keypair
    assert instance["security_groups"] == ["default"]
    assert instance["metadata"].pop(EXPIRES_AT) == Template('${timeadd(timestamp(), "7200s")}')
    assert instance["metadata"] == {k: v for k, v in wizard["metadata"].items() if k != EXPIRES_AT}
    assert sorted(instance["tags"]) == sorted(wizard["tags"])
    assert instance["config_drive"] is True
    assert [n["uuid"] for n in instance["network"]] == [n["uuid"] for n in sent["networks"]]
    assert "user-data" in str(instance["user_data"])


def test_the_command_boots_from_a_new_volume_of_the_image_as_the_wizard_does(
    portal,  # noqa: F811  (the imported fixtures)
    keypair,  # noqa: F811
    cleanup,  # noqa: F811
    nova,
    admin_nova,
    os_config,
    tmp_path,
):
    """``--image`` with ``--boot-from-volume`` and ``--delete-on-termination``:
    both servers boot from a new 1 GB volume of the image, deleted with them."""
    to_review(
        portal, keypair, cleanup, create_volume="y", volume_size="1", delete_on_termination="y"
    )
    command = download(portal, "command").decode()
    assert "--boot-from-volume 1" in command and "--delete-on-termination" in command
    assert "--block-device" not in command

    launched = portal.post("review", nav="launch")
    assert launched.status_code == 303, launched.get_data(as_text=True)[-1500:]
    wizard_server = launched.headers["Location"].rsplit("/", 1)[1]
    cli_server = run_command(command, tmp_path, osc_environment(os_config))

    made = {}
    for maker, server_id in (("wizard", wizard_server), ("command", cli_server)):
        found = facts(nova, admin_nova, server_id)
        raw = admin_nova.servers.get(server_id).to_dict()
        (attached,) = raw["os-extended-volumes:volumes_attached"]
        found["delete_on_termination"] = attached["delete_on_termination"]
        found["volume"] = volume_of(admin_nova, attached["id"])
        made[maker] = found
    assert made["wizard"]["status"] == "ACTIVE", made["wizard"]
    assert made["command"] == made["wizard"]
    assert made["wizard"]["image"] is None and made["wizard"]["delete_on_termination"] is True
    assert made["wizard"]["volume"]["size"] == 1
    assert made["wizard"]["volume"]["image"] == "devcloud-tiny-raw"


def volume_of(nova, volume_id: str) -> dict:
    """A volume's size and the name of the image it was made from, from Cinder."""
    cinder = nova.client.session
    endpoint = cinder.get_endpoint(service_type="block-storage", interface="public")
    body = cinder.get(f"{endpoint}/volumes/{volume_id}").json()["volume"]
    return {
        "size": body["size"],
        "image": (body.get("volume_image_metadata") or {}).get("image_name"),
    }
