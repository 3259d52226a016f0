"""A server's life after launch against a real cloud (the devcloud by default):
actions, console log, remote console, floating IPs and pages of servers.

The devcloud's Nova runs the fake compute driver: actions finish at once, and the
console log is fixed text.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import pytest

from tests.helpers.servers import wait_for
from tests.helpers.servers import wait_until_gone
from webapp.cloud import errors
from webapp.cloud import models

pytestmark = pytest.mark.devcloud

IMAGE = "devcloud-tiny-raw"
FLAVOR = "m1.nano"
NETWORK = "demo-net"
#: what the fake driver's console log always holds
FAKE_CONSOLE = "FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE"


@pytest.fixture(scope="module")
def conn(os_provider, os_identity):
    """One connection for the module (each test still makes its own calls)."""
    return os_provider.connect(os_identity)


@pytest.fixture(scope="module")
def request_for(conn):
    """Builds the request for ``count`` small servers on the demo network."""
    flavor = next(f for f in conn.list_flavors() if f.name == FLAVOR)
    image = next(i for i in conn.list_images() if i.name == IMAGE)
    network = next(n for n in conn.list_networks() if n.name == NETWORK)

    def build(name: str, count: int = 1) -> models.ServerRequest:
        return models.ServerRequest(
            name=name,
            flavor_id=flavor.id,
            image_id=image.id,
            networks=(models.Nic(network_id=network.id),),
            count=count,
        )

    return build


def unique_name() -> str:
    return f"skiff-it-{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def launched(conn, request: models.ServerRequest) -> Iterator[list[models.Server]]:
    """Servers made for the request, once ACTIVE; deleted on the way out."""
    made = conn.create_servers(request)
    try:
        servers = [wait_for(conn, s.id) for s in made]
        for server in servers:
            assert server.status == "ACTIVE", server.fault
        yield servers
    finally:
        for server in made:
            with contextlib.suppress(errors.NotFound):
                conn.delete_server(server.id)
        for server in made:
            wait_until_gone(conn, server.id)


@pytest.fixture(scope="module")
def active(conn, request_for):
    """An ACTIVE server shared by the tests that leave it ACTIVE."""
    with launched(conn, request_for(unique_name())) as (server,):
        yield server


@pytest.fixture
def own(conn, request_for):
    """A server for one test only, deleted afterwards if the test did not."""
    with launched(conn, request_for(unique_name())) as (server,):
        yield server


def test_delete(conn, own):
    conn.delete_server(own.id)

    wait_until_gone(conn, own.id)
    with pytest.raises(errors.NotFound):
        conn.delete_server(own.id)


def test_stop_then_start(conn, own):
    conn.stop_server(own.id)
    stopped = wait_for(conn, own.id)

    assert (stopped.status, stopped.task_state) == ("SHUTOFF", None)

    conn.start_server(own.id)
    started = wait_for(conn, own.id)

    assert (started.status, started.task_state) == ("ACTIVE", None)
    assert started.launched_at  # kept from its first start


@pytest.mark.parametrize("hard", [False, True], ids=["soft", "hard"])
def test_reboot_back_to_active(conn, active, hard):
    conn.reboot_server(active.id, hard=hard)
    # Nova sets the task before it answers, so the reboot is seen in progress
    # or already done, never before it began
    rebooted = wait_for(conn, active.id)

    assert (rebooted.status, rebooted.task_state) == ("ACTIVE", None)
    actions = conn.session.get(
        f"/servers/{active.id}/os-instance-actions",
        endpoint_filter={"service_type": "compute"},
    ).json()["instanceActions"]
    assert actions[0]["action"] == "reboot"  # newest first


def test_a_refused_action_is_a_conflict(conn, active):
    with pytest.raises(errors.Conflict) as caught:
        conn.start_server(active.id)

    assert caught.value.message == (
        f"Cannot 'start' instance {active.id} while it is in vm_state active"
    )
    assert caught.value.request_id.startswith("req-")


def test_console_output(conn, active):
    assert conn.console_output(active.id) == FAKE_CONSOLE
    # Nova keeps the last lines
    assert conn.console_output(active.id, lines=2) == "ANOTHER\nLAST LINE"


def test_server_details(conn, active):
    server = conn.get_server(active.id)
    (ip,) = server.ips
    (port,) = conn.server_ports(active.id)

    assert server.flavor == models.Flavor("", FLAVOR, 1, 128, 1)
    assert (ip.network, ip.kind, ip.version) == (NETWORK, "fixed", 4)
    assert ip.address.startswith("10.0.0.") and ip.mac.startswith("fa:16:3e:")
    assert port.fixed_ips == (ip.address,)
    assert conn.server_volumes(active.id) == []
    assert conn.get_image(server.image_id).name == IMAGE


def test_remote_console(conn, os_provider, os_identity, active):
    """The devcloud's Nova (fake driver, [vnc] left at its defaults) answers the
    first type asked for, novnc, with 200 and
    ``{"remote_console": {"protocol": "vnc", "type": "novnc", "url":
    "http://127.0.0.1:6080/vnc_auto.html?path=%3Ftoken%3D<uuid>"}}`` (no
    noVNC proxy runs behind that URL). It refuses spice-html5 with 400
    "Unavailable console type spice-html5."
    """
    console = conn.remote_console(active.id)

    assert (console.protocol, console.type, console.simulated) == ("vnc", "novnc", False)
    assert console.url.startswith("http://127.0.0.1:6080/vnc_auto.html?path=%3Ftoken%3D")
    assert conn.features().remote_console is True
    # remembered for the endpoint: a new connection gets one at once, and a new one
    again = os_provider.connect(os_identity).remote_console(active.id)
    assert again.type == "novnc" and again.url != console.url
    spice = conn.session.post(
        f"/servers/{active.id}/remote-consoles",
        endpoint_filter={"service_type": "compute"},
        headers={"OpenStack-API-Version": "compute 2.96"},
        json={"remote_console": {"protocol": "spice", "type": "spice-html5"}},
        raise_exc=False,
    )
    assert spice.status_code == 400
    assert spice.json()["badRequest"]["message"] == "Unavailable console type spice-html5."


def test_no_floating_ips(conn, active):
    """The devcloud's Neutron has no L3 plugin (``service_plugins =`` empty).

    ``GET /v2.0/extensions/router`` answers 404 with an HTML page ending in
    "Extension with alias router does not exist"; ``GET /v2.0/floatingips``
    answers 404 ``{"NeutronError": {"type": "HTTPNotFound", "message": "The
    resource could not be found.", "detail": ""}}``. So there are no pools and no
    floating IPs, without an error, and adding one is refused in plain words.
    """
    neutron = {"service_type": "network"}
    extension = conn.session.get(
        "/v2.0/extensions/router", endpoint_filter=neutron, raise_exc=False
    )
    listing = conn.session.get("/v2.0/floatingips", endpoint_filter=neutron, raise_exc=False)
    assert extension.status_code == 404
    assert "Extension with alias router does not exist" in extension.text
    assert listing.status_code == 404
    assert listing.json()["NeutronError"]["type"] == "HTTPNotFound"

    assert conn.list_floating_ip_pools() == []
    assert conn.list_floating_ips() == []
    with pytest.raises(errors.InvalidRequest) as caught:
        conn.add_floating_ip(active.id, pool_id=str(uuid.uuid4()))
    assert caught.value.message == "This cloud offers no floating IPs."


def test_pages_with_filters_and_markers(conn, request_for):
    # regex characters in the name: unescaped, "(x)" would match "x" and not "(x)"
    base = f"{unique_name()}.(x)"
    with launched(conn, request_for(base, count=2)) as servers:
        ids = {s.id for s in servers}
        everything = conn.list_servers_page(name=base)
        first = conn.list_servers_page(name=base, status="ACTIVE", limit=1)
        second = conn.list_servers_page(
            name=base, status="ACTIVE", limit=1, marker=first.next_marker
        )
        third = conn.list_servers_page(
            name=base, status="ACTIVE", limit=1, marker=second.next_marker
        )
        stopped = conn.list_servers_page(name=base, status="SHUTOFF")
        loose = conn.list_servers_page(name=base.replace("(x)", "x"))
        all_servers = conn.list_servers()

    assert {s.id for s in everything.servers} == ids
    assert everything.next_marker is None
    # newest first (Nova breaks ties by its internal id, not by the uuid)
    created = [s.created for s in everything.servers]
    assert created == sorted(created, reverse=True)
    (one,), (two,) = first.servers, second.servers
    assert [one.id, two.id] == [s.id for s in everything.servers]
    assert (first.next_marker, second.next_marker) == (one.id, two.id)
    assert (third.servers, third.next_marker) == ((), None)
    assert stopped.servers == ()
    assert loose.servers == ()
    assert ids <= {s.id for s in all_servers}
