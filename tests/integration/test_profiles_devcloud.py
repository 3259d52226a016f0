"""Launch profiles and "Launch and stay" against a real OpenStack (the devcloud in
CI): a profile saved from the wizard holds the cloud's own ids, launching from it
opens Review checked against the cloud, "Launch and stay" launches one server
(read back from Nova) and opens the next wizard; a key pair deleted since the
profile was saved is said on Access."""

from __future__ import annotations

import uuid

import pytest

from tests.helpers.again import follow
from tests.helpers.again import landed
from tests.helpers.again import saved_errors
from tests.helpers.again import saved_input
from tests.helpers.profiles import listed
from tests.helpers.profiles import open_profile
from tests.helpers.profiles import save
from tests.helpers.servers import wait_for_final

pytestmark = pytest.mark.devcloud


def _app(portal):
    return portal.client.application


def test_a_profile_launched_and_stayed_on_the_devcloud(portal, nova, keypair, cleanup):
    # Ends in letters: a name ending in digits is counted up ("db-09" -> "db-10"),
    # so a random hex suffix would make the next name unpredictable.
    name = f"skiff-prof-{uuid.uuid4().hex[:6]}-vm"
    cleanup += [name, f"{name}-2"]
    portal.open()
    portal.fill_all(
        name=name, image="devcloud-tiny-raw", flavor="m1.nano", network="demo-net", keypair=keypair
    )
    assert portal.post("config").status_code == 303
    assert save(portal, "devcloud tiny").status_code == 303
    typed = saved_input(_app(portal), portal)

    follow(portal, landed(open_profile(portal, listed(portal)["devcloud tiny"]), htmx=False))
    assert saved_errors(_app(portal), portal) == {}
    assert saved_input(_app(portal), portal)["source"] == typed["source"]

    response = portal.post("review", nav="launch_stay")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/review")
    follow(portal, response.headers["Location"])
    assert saved_input(_app(portal), portal)["details"]["name"] == [f"{name}-2"]
    (found,) = [s for s in nova.servers.list() if s.name == name]
    status, html = wait_for_final(portal, f"/servers/{found.id}")
    assert status == "ACTIVE", html
    server = nova.servers.get(found.id)
    assert server.key_name == keypair
    assert server.flavor["original_name"] == "m1.nano"
    assert server.image["id"] == nova.glance.find_image("devcloud-tiny-raw").id
    assert list(server.addresses) == ["demo-net"]
    assert not [s for s in nova.servers.list() if s.name == f"{name}-2"]


def test_a_key_pair_deleted_since_is_said_on_access(portal, nova, cleanup):
    key = f"skiff-gone-{uuid.uuid4().hex[:8]}"
    nova.keypairs.create(
        key,
        public_key=(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx7lI1h5J9Ckq6y7Qm3m1r1b2Q8d0h0Yk3Zr7m9oU1V gone@test"
        ),
    )
    portal.open()
    portal.fill_all(
        name="never", image="devcloud-tiny-raw", flavor="m1.nano", network="demo-net", keypair=key
    )
    assert portal.post("config").status_code == 303
    assert save(portal, "with a key").status_code == 303
    nova.keypairs.delete(key)

    url = landed(open_profile(portal, listed(portal)["with a key"]), htmx=False)

    assert url.endswith("/access")
    page = follow(portal, url)
    assert f"The key pair {key} no longer exists" in page
    assert list(saved_errors(_app(portal), portal)) == ["access"]
