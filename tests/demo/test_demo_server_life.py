"""The demo cloud after a launch: power actions through Nova's states and its
refusals, the console log as the server boots, floating IPs, pages of servers, what
a server is attached to, and a state file of the previous version upgraded."""

import re
import sqlite3
import time

import pytest

from tests.helpers.demo import CIRROS
from tests.helpers.demo import PRIVATE
from tests.helpers.demo import request
from webapp.cloud.demo import DemoProvider
from webapp.cloud.demo import data as demo_data
from webapp.cloud.errors import Conflict
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import NotFound
from webapp.cloud.errors import QuotaExceeded
from webapp.cloud.models import BlockDevice
from webapp.cloud.models import Network
from webapp.cloud.models import Nic

DEBIAN = demo_data.IMAGES[1].id
(APPLIANCE,) = demo_data.NO_CLOUD_INIT
SHARED = demo_data.NETWORKS[1].id
(PUBLIC,) = (p.id for p in demo_data.FLOATING_POOLS)
BOOT_VOLUME = demo_data.VOLUMES["demo"][0].id
PRIVATE_PORT = demo_data.PORTS["demo"][0].id

BUILD, ACTION, BOOT = 10.0, 4.0, 20.0

FINAL_LINE = re.compile(
    r"^Cloud-init v\. \d+\.\d+\.\d+ finished at \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} "
    r"\+0000\. Datasource DataSourceOpenStackLocal \[net,ver=2\]\.  Up 14\.20 seconds$"
)


class Clock:
    """The time the demo cloud sees, moved on by the test instead of sleeping."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now

    def tick(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(time, "time", clock)
    return clock


@pytest.fixture
def provider(tmp_path, clock):
    return DemoProvider(
        str(tmp_path / "demo.sqlite"),
        build_seconds=BUILD,
        action_seconds=ACTION,
        boot_seconds=BOOT,
    )


def launch(conn, clock, **values):
    """A server that has finished its build (ACTIVE unless it failed)."""
    (server,) = conn.create_servers(request(**values))
    clock.tick(BUILD)
    return conn.get_server(server.id)


def state(conn, server_id):
    server = conn.get_server(server_id)
    return server.status, server.task_state


# -- power actions -------------------------------------------------------------------


def test_stop_then_start_pass_through_novas_states(demo, clock):
    server = launch(demo, clock)
    assert (server.status, server.task_state, server.is_final) == ("ACTIVE", None, True)

    demo.stop_server(server.id)
    assert state(demo, server.id) == ("ACTIVE", "powering-off")
    assert not demo.get_server(server.id).is_final
    clock.tick(ACTION - 0.1)
    assert state(demo, server.id) == ("ACTIVE", "powering-off")
    clock.tick(0.1)
    assert state(demo, server.id) == ("SHUTOFF", None)
    assert demo.get_server(server.id).is_final

    demo.start_server(server.id)
    assert state(demo, server.id) == ("SHUTOFF", "powering-on")
    clock.tick(ACTION)
    assert state(demo, server.id) == ("ACTIVE", None)


@pytest.mark.parametrize(
    ("hard", "during"),
    [(False, ("REBOOT", "reboot_started")), (True, ("HARD_REBOOT", "reboot_started_hard"))],
)
def test_reboot_passes_through_novas_states(demo, clock, hard, during):
    server = launch(demo, clock)
    demo.reboot_server(server.id, hard=hard)
    assert state(demo, server.id) == during
    clock.tick(ACTION)
    assert state(demo, server.id) == ("ACTIVE", None)


def test_the_timings_default_to_the_build_time(tmp_path, clock):
    provider = DemoProvider(str(tmp_path / "d.sqlite"), build_seconds=0)
    demo = provider.connect(provider.login("demo", "demo"))
    (server,) = demo.create_servers(request())
    demo.stop_server(server.id)
    assert state(demo, server.id) == ("SHUTOFF", None)
    assert demo.console_output(server.id).endswith("reboot: Power down\n")
    provider.build_seconds = 6
    demo.start_server(server.id)
    clock.tick(2.9)
    assert state(demo, server.id) == ("SHUTOFF", "powering-on")
    clock.tick(0.1)
    assert state(demo, server.id) == ("ACTIVE", None)


def stopped(conn, clock, server):
    conn.stop_server(server.id)
    clock.tick(ACTION)


def powering_off(conn, clock, server):
    conn.stop_server(server.id)


def rebooting(conn, clock, server):
    conn.reboot_server(server.id)


def powering_on(conn, clock, server):
    stopped(conn, clock, server)
    conn.start_server(server.id)


@pytest.mark.parametrize(
    ("before", "action", "why"),
    [
        (stopped, "stop", "vm_state stopped"),
        (stopped, "reboot", "vm_state stopped"),
        (stopped, "hard-reboot", "vm_state stopped"),
        (None, "start", "vm_state active"),
        (powering_off, "stop", "task_state powering-off"),
        (powering_off, "reboot", "task_state powering-off"),
        (powering_off, "start", "vm_state active"),
        (rebooting, "hard-reboot", "task_state reboot_started"),
        (rebooting, "stop", "task_state reboot_started"),
        (powering_on, "start", "task_state powering-on"),
        (powering_on, "stop", "vm_state stopped"),
    ],
)
def test_actions_the_state_forbids_are_conflicts(demo, clock, before, action, why):
    server = launch(demo, clock)
    if before:
        before(demo, clock, server)
    status = state(demo, server.id)
    verb = {"hard-reboot": "reboot"}.get(action, action)
    message = f"Cannot '{verb}' instance {server.id} while it is in {why}"
    with pytest.raises(Conflict, match="^" + re.escape(message) + "$"):
        act(demo, server.id, action)
    assert state(demo, server.id) == status  # nothing changed


def act(conn, server_id, action):
    if action == "hard-reboot":
        conn.reboot_server(server_id, hard=True)
    else:
        getattr(
            conn, {"stop": "stop_server", "start": "start_server"}.get(action, "reboot_server")
        )(server_id)


@pytest.mark.parametrize("action", ["stop", "start", "reboot", "hard-reboot"])
def test_no_power_action_while_building_or_in_error(demo, clock, action):
    (building,) = demo.create_servers(request())
    (failed,) = demo.create_servers(request(flavor_id="6"))  # r1.huge: no host
    clock.tick(BUILD)
    verb = {"hard-reboot": "reboot"}.get(action, action)
    with pytest.raises(Conflict, match=f"Cannot '{verb}' instance .* vm_state error$"):
        act(demo, failed.id, action)
    (building,) = demo.create_servers(request())
    with pytest.raises(Conflict, match=f"Cannot '{verb}' instance .* vm_state building$"):
        act(demo, building.id, action)


def test_power_actions_on_another_projects_server_are_not_found(demo, sandbox, clock):
    server = launch(demo, clock)
    with pytest.raises(NotFound):
        sandbox.stop_server(server.id)
    with pytest.raises(NotFound):
        sandbox.console_output(server.id)
    assert state(demo, server.id) == ("ACTIVE", None)


# -- deleting ------------------------------------------------------------------------


def test_deleting_a_server_in_error_frees_its_quota(demo, clock):
    failed = launch(demo, clock, flavor_id="6")  # 48 GB of RAM: no host takes it
    assert failed.status == "ERROR" and failed.fault_code == 500
    limits = demo.get_limits()
    assert (limits.used_instances, limits.used_ram_mb) == (1, 49152)
    with pytest.raises(QuotaExceeded):
        demo.create_servers(request(flavor_id="6"))

    demo.delete_server(failed.id)

    assert (demo.get_limits().used_instances, demo.get_limits().used_ram_mb) == (0, 0)
    demo.create_servers(request(flavor_id="6"))


def test_a_server_may_be_deleted_during_a_power_action(demo, clock):
    server = launch(demo, clock)
    demo.reboot_server(server.id)
    demo.delete_server(server.id)
    assert demo.list_servers() == []


# -- what a server shows -------------------------------------------------------------


def test_a_server_shows_its_flavor_addresses_and_times(demo, clock):
    (server,) = demo.create_servers(request(name="web", server_group=demo_data.SERVER_GROUPS[0].id))
    assert (server.status, server.task_state, server.launched_at) == ("BUILD", "spawning", "")
    assert server.updated == server.created
    clock.tick(BUILD)
    server = demo.get_server(server.id)

    assert server.launched_at == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(clock.now))
    assert server.updated == server.launched_at and server.launched_at > server.created
    assert server.flavor.id == "" and server.flavor.name == "m1.tiny"
    assert (server.flavor.vcpus, server.flavor.ram_mb) == (1, 512)
    assert server.server_groups == (demo_data.SERVER_GROUPS[0].id,)
    (ip,) = server.ips
    assert (ip.network, ip.kind, ip.version) == ("private", "fixed", 4)
    assert re.fullmatch(r"fa:16:3e(:[0-9a-f]{2}){3}", ip.mac)
    assert server.addresses == (f"private: {ip.address}",)
    assert server.fault is None and server.fault_code is None

    clock.tick(100)
    demo.stop_server(server.id)
    stopped = demo.get_server(server.id)
    assert stopped.updated > server.updated and stopped.launched_at == server.launched_at


def test_a_failed_build_has_no_launch_time(demo, clock):
    failed = launch(demo, clock, flavor_id="6")
    assert failed.launched_at == "" and failed.ips == () and failed.task_state is None


def test_list_servers_has_every_server_with_details(demo, sandbox, clock):
    first = launch(demo, clock, name="a")
    second = launch(demo, clock, name="b")
    launch(sandbox, clock, name="other")
    servers = demo.list_servers()
    assert [s.id for s in servers] == [second.id, first.id]
    assert servers[0] == demo.get_server(second.id)


def test_ports_volumes_and_image_of_a_server(demo, clock):
    blank = BlockDevice(source_type="blank", boot_index=-1, volume_size=1)
    nics = (Nic(port_id=PRIVATE_PORT), Nic(network_id=SHARED))
    server = launch(demo, clock, networks=nics, block_devices=(blank,))
    ports = demo.server_ports(server.id)
    assert ports[0].id == PRIVATE_PORT and ports[0].fixed_ips == ("10.0.0.50",)
    assert ports[1].network_id == SHARED and ports[1].fixed_ips[0].startswith("192.168.100.")
    assert [ip.address for ip in server.ips] == [p.fixed_ips[0] for p in ports]
    (volume,) = demo.server_volumes(server.id)
    assert (volume.device, volume.size_gb, volume.status) == ("/dev/vdb", 1, "in-use")

    from_volume = launch(
        demo,
        clock,
        image_id=None,
        flavor_id="3",
        block_devices=(BlockDevice(source_type="volume", uuid=BOOT_VOLUME),),
    )
    (boot,) = demo.server_volumes(from_volume.id)
    assert (boot.id, boot.device, boot.image_id) == (BOOT_VOLUME, "/dev/vda", DEBIAN)
    demo.delete_server(from_volume.id)
    assert next(v for v in demo.list_volumes() if v.id == BOOT_VOLUME).device == ""

    assert demo.get_image(DEBIAN).os_admin_user == "debian"
    assert demo.get_image(APPLIANCE).os_admin_user == ""
    with pytest.raises(NotFound):
        demo.get_image("gone")


def test_remote_console_only_while_active(demo, clock):
    assert demo.features().remote_console
    (server,) = demo.create_servers(request())
    with pytest.raises(Conflict, match=f"^Instance {server.id} is not ready.$"):
        demo.remote_console(server.id)
    clock.tick(BUILD)
    remote = demo.remote_console(server.id)
    assert (remote.protocol, remote.type, remote.simulated) == ("vnc", "novnc", True)
    stopped(demo, clock, server)
    with pytest.raises(Conflict):
        demo.remote_console(server.id)


# -- the console log -----------------------------------------------------------------


def lines_of(conn, server_id, **kwargs):
    return conn.console_output(server_id, **kwargs).splitlines()


def test_console_log_grows_as_the_server_boots(demo, clock):
    (server,) = demo.create_servers(request(hostname="web-1"))
    assert demo.console_output(server.id) == ""
    clock.tick(BUILD)
    first = lines_of(demo, server.id, lines=-1)
    assert first[0].startswith("[    0.000000] Linux version")
    assert not any("Cloud-init" in line for line in first)

    clock.tick(BOOT / 2)
    middle = lines_of(demo, server.id, lines=-1)
    assert middle[: len(first)] == first and len(middle) > len(first)
    assert any("running 'init'" in line for line in middle)
    assert not any(FINAL_LINE.match(line) for line in middle)

    clock.tick(BOOT / 2 - 0.01)
    assert not FINAL_LINE.match(lines_of(demo, server.id)[-1])
    clock.tick(0.01)
    whole = lines_of(demo, server.id, lines=-1)
    assert FINAL_LINE.match(whole[-1])
    assert (
        "finished at " + time.strftime("%a, %d %b %Y %H:%M:%S", time.gmtime(clock.now)) in whole[-1]
    )
    assert "web-1 login: " in whole
    assert any(server.ips[0].address in line for line in whole if line.startswith("ci-info"))
    assert lines_of(demo, server.id, lines=3) == whole[-3:]
    assert demo.console_output(server.id, lines=0) == ""
    assert lines_of(demo, server.id) == whole[-50:]
    clock.tick(1000)
    assert lines_of(demo, server.id, lines=-1) == whole


def test_no_cloud_init_in_the_console_of_an_image_without_it(demo, clock):
    server = launch(demo, clock, image_id=APPLIANCE, flavor_id="3")
    clock.tick(BOOT * 10)
    log = demo.console_output(server.id, lines=-1)
    assert "login: " in log
    assert "Cloud-init" not in log and "ci-info" not in log and "cloud-init" not in log


def test_console_of_a_server_in_error_is_empty(demo, clock):
    failed = launch(demo, clock, flavor_id="6")
    clock.tick(BOOT)
    assert demo.console_output(failed.id) == ""


def test_console_of_a_server_booted_from_a_volume_is_its_images(demo, clock):
    device = BlockDevice(source_type="volume", uuid=BOOT_VOLUME)
    server = launch(demo, clock, image_id=None, flavor_id="3", block_devices=(device,))
    clock.tick(BOOT)
    assert "Debian GNU/Linux 12" in demo.console_output(server.id, lines=-1)


def test_stop_and_reboot_restart_the_log(demo, clock):
    server = launch(demo, clock)
    clock.tick(BOOT)
    booted = lines_of(demo, server.id, lines=-1)

    demo.reboot_server(server.id)
    rebooting = lines_of(demo, server.id, lines=-1)
    assert rebooting[: len(booted)] == booted and rebooting[-1].endswith(
        "reboot: Restarting system"
    )
    clock.tick(ACTION)
    again = lines_of(demo, server.id, lines=-1)
    assert again[0].startswith("[    0.000000] Linux version")
    assert not any(FINAL_LINE.match(line) for line in again)
    clock.tick(BOOT)
    assert FINAL_LINE.match(lines_of(demo, server.id)[-1])

    demo.reboot_server(server.id, hard=True)  # a power cycle: no shutdown lines
    assert FINAL_LINE.match(lines_of(demo, server.id)[-1])

    clock.tick(ACTION + BOOT)
    demo.stop_server(server.id)
    clock.tick(ACTION + 100)
    log = lines_of(demo, server.id, lines=-1)
    assert log[-1].endswith("reboot: Power down") and FINAL_LINE.match(log[-3])


# -- floating IPs --------------------------------------------------------------------


def test_floating_ip_pools_are_not_networks_to_launch_on(demo):
    assert [p.name for p in demo.list_floating_ip_pools()] == ["public"]
    assert "public" not in {n.name for n in demo.list_networks()}
    with pytest.raises(InvalidRequest):
        demo.create_servers(request(networks=(Nic(network_id=PUBLIC),)))


def test_floating_ip_added_removed_and_reused(demo, clock):
    server = launch(demo, clock)
    fixed = server.ips[0]

    added = demo.add_floating_ip(server.id, pool_id=PUBLIC)

    assert (added.address, added.pool_name, added.status) == ("203.0.113.2", "public", "ACTIVE")
    assert added.fixed_address == fixed.address
    assert added.port_id == demo.server_ports(server.id)[0].id
    server = demo.get_server(server.id)
    assert [(ip.address, ip.kind) for ip in server.ips] == [
        (fixed.address, "fixed"),
        ("203.0.113.2", "floating"),
    ]
    assert server.addresses == (f"private: {fixed.address}", "private: 203.0.113.2")
    with pytest.raises(Conflict, match="already has a floating IP"):
        demo.add_floating_ip(server.id, pool_id=PUBLIC)

    demo.remove_floating_ip(added.id)

    (kept,) = demo.list_floating_ips()
    assert (kept.id, kept.status, kept.fixed_address, kept.port_id) == (
        added.id,
        "DOWN",
        None,
        None,
    )
    assert [ip.kind for ip in demo.get_server(server.id).ips] == ["fixed"]
    other = launch(demo, clock)
    assert demo.add_floating_ip(other.id, pool_id=PUBLIC).id == added.id  # reused
    assert demo.add_floating_ip(server.id, pool_id=PUBLIC).address == "203.0.113.3"

    demo.delete_server(other.id)

    assert {(f.address, f.status) for f in demo.list_floating_ips()} == {
        ("203.0.113.2", "DOWN"),
        ("203.0.113.3", "ACTIVE"),
    }


def test_floating_ips_refused(demo, sandbox, clock, monkeypatch):
    without = launch(demo, clock, networks="none")
    with pytest.raises(InvalidRequest, match="no fixed IP"):
        demo.add_floating_ip(without.id, pool_id=PUBLIC)
    server = launch(demo, clock)
    with pytest.raises(NotFound):
        demo.add_floating_ip(server.id, pool_id=PRIVATE)
    with pytest.raises(NotFound):
        sandbox.add_floating_ip(server.id, pool_id=PUBLIC)
    added = demo.add_floating_ip(server.id, pool_id=PUBLIC)
    with pytest.raises(NotFound):
        sandbox.remove_floating_ip(added.id)
    assert sandbox.list_floating_ips() == []

    # a pool of one address: the next server finds it taken
    small = Network(PUBLIC, "public", subnets=("203.0.113.0/30",))
    monkeypatch.setattr(demo_data, "FLOATING_POOLS", (small,))
    other = launch(sandbox, clock)
    with pytest.raises(
        QuotaExceeded, match=f"^No more IP addresses available on network {PUBLIC}.$"
    ):
        sandbox.add_floating_ip(other.id, pool_id=PUBLIC)

    monkeypatch.setitem(demo_data.FLOATING_IP_QUOTAS, "demo", 1)
    with pytest.raises(QuotaExceeded, match="floatingip"):
        demo.add_floating_ip(launch(demo, clock).id, pool_id=PUBLIC)


# -- pages of servers ----------------------------------------------------------------


def test_pages_follow_markers_and_filters(demo, clock):
    made = []
    for name in ("web-a", "db", "WEB-b", "cache", "my-web"):
        made.append(launch(demo, clock, name=name))
        clock.tick(1)
    newest_first = [s.id for s in reversed(made)]
    stopped(demo, clock, made[0])

    first = demo.list_servers_page(limit=2)
    assert [s.id for s in first.servers] == newest_first[:2]
    assert first.next_marker == newest_first[1]
    second = demo.list_servers_page(limit=2, marker=first.next_marker)
    assert [s.id for s in second.servers] == newest_first[2:4]
    last = demo.list_servers_page(limit=2, marker=second.next_marker)
    assert [s.id for s in last.servers] == newest_first[4:] and last.next_marker is None

    webs = demo.list_servers_page(name="Web")
    assert [s.name for s in webs.servers] == ["my-web", "WEB-b", "web-a"]
    assert webs.next_marker is None
    assert [s.name for s in demo.list_servers_page(name="web", limit=2).servers] == [
        "my-web",
        "WEB-b",
    ]
    assert [s.name for s in demo.list_servers_page(status="SHUTOFF").servers] == ["web-a"]
    assert demo.list_servers_page(name="web", status="ACTIVE", limit=2).next_marker == made[2].id
    assert demo.list_servers_page(name="%").servers == ()  # plain text, not a pattern
    with pytest.raises(InvalidRequest, match="marker"):
        demo.list_servers_page(marker="not-a-server")


# -- the state file ------------------------------------------------------------------

PREVIOUS_SCHEMA = """
CREATE TABLE servers (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, user_id TEXT NOT NULL,
    name TEXT NOT NULL, flavor_id TEXT NOT NULL, image_id TEXT NOT NULL,
    key_name TEXT, availability_zone TEXT, networks TEXT NOT NULL,
    security_groups TEXT NOT NULL, description TEXT, user_data TEXT,
    status TEXT NOT NULL, final_status TEXT NOT NULL, fault TEXT,
    created_at REAL NOT NULL, ready_at REAL NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE volumes (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL,
    size_gb INTEGER NOT NULL, status TEXT NOT NULL, bootable INTEGER NOT NULL,
    volume_type TEXT NOT NULL, availability_zone TEXT NOT NULL,
    image_min_disk_gb INTEGER NOT NULL, image_min_ram_mb INTEGER NOT NULL,
    server_id TEXT, delete_on_termination INTEGER NOT NULL DEFAULT 0
);
"""


def test_a_state_file_of_the_previous_version_is_upgraded(tmp_path, clock):
    path = str(tmp_path / "old.sqlite")
    project_id = demo_data.PROJECTS["demo"]["id"]
    with sqlite3.connect(path) as db:
        db.executescript(PREVIOUS_SCHEMA)
        db.execute(
            "INSERT INTO servers VALUES ('old', ?, 'u', 'old', '2', ?, NULL, 'nova', "
            "'[\"private: 10.0.0.10\"]', '[\"default\"]', NULL, NULL, 'ACTIVE', 'ACTIVE', "
            "NULL, 0, 10, '{}')",
            (project_id, CIRROS),
        )
        db.execute(
            "INSERT INTO volumes VALUES ('v', ?, 'v', 1, 'in-use', 0, 'standard', 'nova', "
            "0, 0, 'old', 0)",
            (project_id,),
        )
    provider = DemoProvider(path, build_seconds=0, action_seconds=1, boot_seconds=0)
    DemoProvider(path)  # a second worker starting on the upgraded file
    demo = provider.connect(provider.login("demo", "demo"))

    old = demo.get_server("old")
    assert (old.status, old.task_state, old.launched_at) == ("ACTIVE", None, "1970-01-01T00:00:10Z")
    assert FINAL_LINE.match(demo.console_output("old").splitlines()[-1])
    assert [v.id for v in demo.server_volumes("old")] == ["v"]
    assert demo.add_floating_ip("old", pool_id=PUBLIC).fixed_address == "10.0.0.10"
    demo.stop_server("old")
    clock.tick(1)
    assert state(demo, "old") == ("SHUTOFF", None)
    (server,) = demo.create_servers(request())
    assert demo.get_server(server.id).status == "ACTIVE"
