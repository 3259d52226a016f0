"""Servers that expire, on a real cloud (the devcloud by default): two servers
launched through the wizard with a one-minute lease, one to stop and one to
delete, are left alone by ``flask --app wsgi skiff expire --dry-run`` while it
runs, and once past (the lease moved back in Nova) named by the dry run, then
stopped and deleted by the command itself, run as cron would run it with an
operator credential from a clouds.yaml (the devcloud's admin)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from novaclient import exceptions as nova_exc

from tests.helpers.again import press_again
from tests.helpers.expiry import log_lines
from tests.helpers.expiry import outcome_of
from tests.helpers.servers import wait_for_final
from webapp.expiry.lease import EXPIRES_AT
from webapp.expiry.lease import iso
from webapp.expiry.lease import read_expiry

pytestmark = pytest.mark.devcloud

ROOT = Path(__file__).resolve().parents[2]
ENTRY = "skiff-test-operator"


@pytest.fixture
def expire(os_config, tmp_path):
    """Runs ``flask --app wsgi skiff expire`` (with ``args``) against the test
    cloud, as its admin from a clouds.yaml of its own: the finished process."""
    config = tmp_path / "clouds.yaml"
    region = f"    region_name: {os_config.region_name}\n" if os_config.region_name else ""
    config.write_text(
        "clouds:\n"
        f"  {ENTRY}:\n"
        "    auth:\n"
        f"      auth_url: {os_config.auth_url}\n"
        f"      username: {os_config.admin_username}\n"
        f"      password: {os_config.admin_password}\n"
        f"      project_name: {os_config.admin_project}\n"
        "      user_domain_name: Default\n"
        "      project_domain_name: Default\n"
        f"{region}"
        "    identity_api_version: 3\n"
    )
    config.chmod(0o600)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("OS_") and not key.startswith("SKIFF_")
    }
    env.update(
        OS_CLIENT_CONFIG_FILE=str(config),
        SKIFF_CLOUD_AUTH_URL=os_config.auth_url,
        SKIFF_EXPIRE_CLOUD=ENTRY,
    )

    def run(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "skiff", "expire", *args]
        return subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    return run


def launch(portal, name: str, action: str, keypair: str) -> str:
    """Launch a server through the wizard that expires a minute later; its page."""
    portal.open()
    portal.fill_all(
        name=name,
        image="devcloud-tiny-raw",
        flavor="m1.nano",
        network="demo-net",
        keypair=keypair,
        expires="after",
        expiry_amount="1",
        expiry_unit="minutes",
        expiry_action=action,
    )
    response = portal.launch()
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    return response.headers["Location"]


def wait_for_nova(nova, server_id: str, *, status: str | None, timeout: float = 90) -> None:
    """Until Nova shows the server in ``status`` (None: gone)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            now = nova.servers.get(server_id).status
        except nova_exc.NotFound:
            now = None
        if now == status:
            return
        assert time.monotonic() < deadline, f"{server_id} still {now}, not {status}"
        time.sleep(1)


def test_expired_servers_are_stopped_and_deleted_by_the_expire_command(
    portal, keypair, cleanup, nova, expire
):
    tag = uuid.uuid4().hex[:6]
    names = {"stop": f"skiff-exp-stop-{tag}", "delete": f"skiff-exp-delete-{tag}"}
    cleanup.extend(names.values())
    started = datetime.now(UTC)
    pages = {action: launch(portal, name, action, keypair) for action, name in names.items()}
    ids = {action: url.rsplit("/", 1)[1] for action, url in pages.items()}

    # what Nova keeps: the lease from the moment of the launch, and what then
    for action, server_id in ids.items():
        expiry = read_expiry(nova.servers.get(server_id).metadata)
        assert expiry is not None and expiry.action == action
        assert started + timedelta(seconds=59) <= expiry.expires_at
        assert expiry.expires_at <= datetime.now(UTC) + timedelta(minutes=1)
    for url in pages.values():
        status, html = wait_for_final(portal, url)
        assert status == "ACTIVE", html
    listing = portal.client.get(f"/servers/?ids={ids['stop']},{ids['delete']}").text
    assert listing.count("minute left</time>") + listing.count("minutes left</time>") == 2

    # "Launch again like this" gives the copy the same lease, read from Nova's
    # created time and the expiry (nothing is launched: the wizard is only opened)
    pressed = press_again(portal, ids["delete"])
    assert pressed.status_code == 303, pressed.status_code
    details = portal.client.get(pressed.headers["Location"].replace("/review", "/details")).text
    assert re.search(r'name="expiry_amount"[^>]*value="1"', details), details[-3000:]
    assert re.search(
        r'<option selected value="minutes">|<option value="minutes" selected>', details
    )
    assert re.search(r'<option selected value="delete">|<option value="delete" selected>', details)

    # not yet expired: nothing to say about them
    early = expire("--dry-run")
    assert early.returncode == 0, early.stderr
    assert not log_lines(early.stderr, ids["stop"]) and not log_lines(early.stderr, ids["delete"])

    # A minute passes for Nova: each lease moved to just past (the sweep reads
    # nothing but this metadata), rather than a minute of the test waiting.
    past = iso(datetime.now(UTC) - timedelta(seconds=5))
    for server_id in ids.values():
        nova.servers.set_meta_item(nova.servers.get(server_id), EXPIRES_AT, past)

    dry = expire("--dry-run")
    assert dry.returncode == 0, dry.stderr
    for action, server_id in ids.items():
        (line,) = log_lines(dry.stderr, server_id)
        assert f'name="{names[action]}"' in line and f"action={action} " in line
        assert outcome_of(line) == f"would {action} (dry run)"
        assert nova.servers.get(server_id).status == "ACTIVE"
    assert '<span class="badge tone-bad">expired</span>' in portal.client.get(pages["stop"]).text

    done = expire()
    assert done.returncode == 0, done.stderr
    (stopped,) = log_lines(done.stderr, ids["stop"])
    assert outcome_of(stopped) == "stop requested"
    (deleted,) = log_lines(done.stderr, ids["delete"])
    assert outcome_of(deleted) == "delete requested"
    project = nova.servers.get(ids["stop"]).tenant_id
    assert f"project={project} " in stopped
    wait_for_nova(nova, ids["stop"], status="SHUTOFF")
    wait_for_nova(nova, ids["delete"], status=None)

    # the next run leaves the stopped server as it is
    again = expire()
    assert again.returncode == 0, again.stderr
    (line,) = log_lines(again.stderr, ids["stop"])
    assert outcome_of(line) == "already stopped"
    assert nova.servers.get(ids["stop"]).status == "SHUTOFF"
