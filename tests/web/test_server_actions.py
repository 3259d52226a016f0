"""Actions on a server, plain and over HTMX: start, stop, reboot, hard reboot,
delete (one, and several), floating IPs; their confirmations and refusals."""

from __future__ import annotations

import pytest

from tests.helpers.servers import HTMX
from tests.helpers.servers import Servers
from tests.helpers.servers import buttons
from tests.helpers.servers import demo_connection
from tests.helpers.servers import poll_trigger
from webapp.cloud.errors import Conflict
from webapp.cloud.errors import NotFound


@pytest.fixture
def servers(wizard):
    return Servers(wizard)


def status(app, server_id):
    server = demo_connection(app).get_server(server_id)
    return server.status, server.task_state


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_stop_asks_first_then_stops_and_start_starts(app, servers, htmx):
    server_id = servers.launch()
    asked = servers.act(server_id, "stop", htmx=htmx)
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert 'name="confirmed" value="1"' in html and "Stop web-1?" in html
    assert status(app, server_id) == ("ACTIVE", None)  # nothing done yet

    done = servers.act(server_id, "stop", htmx=htmx, confirmed=True)
    if htmx:
        html = done.get_data(as_text=True)
        assert done.status_code == 200
        assert poll_trigger(html) == "load delay:500ms"  # followed again, from the start
        assert "Stopping web-1." in html  # the message, out of band
    else:
        assert done.status_code == 303
        assert done.headers["Location"] == f"/servers/{server_id}"
    assert status(app, server_id)[0] == "SHUTOFF"  # the demo's transitions take 0 s here
    assert buttons(servers.page(server_id)) == ["Start", "Delete", "Launch again like this"]

    started = servers.act(server_id, "start", htmx=htmx)  # not destructive: no confirmation
    assert started.status_code == (200 if htmx else 303)
    assert status(app, server_id)[0] == "ACTIVE"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(("action", "confirm"), [("reboot", False), ("hard-reboot", True)])
def test_reboots(app, servers, monkeypatch, htmx, action, confirm):
    server_id = servers.launch()
    calls = []
    connection_class = type(demo_connection(app))
    original = connection_class.reboot_server

    def reboot(self, sid, *, hard=False):
        calls.append(hard)
        return original(self, sid, hard=hard)

    monkeypatch.setattr(connection_class, "reboot_server", reboot)
    response = servers.act(server_id, action, htmx=htmx, confirmed=confirm)
    assert response.status_code == (200 if htmx else 303)
    assert calls == [action == "hard-reboot"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_forbidden_action_is_refused_without_calling_the_cloud(app, servers, monkeypatch, htmx):
    server_id = servers.launch()
    connection_class = type(demo_connection(app))
    monkeypatch.setattr(connection_class, "start_server", lambda *a: pytest.fail("called"))
    response = servers.act(server_id, "start", htmx=htmx)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Start is not possible now: web-1 is Running." in html
    if htmx:
        assert response.headers["HX-Retarget"] == "#messages"


def test_stop_is_not_offered_while_stopped_and_refused(app, servers):
    server_id = servers.launch()
    servers.act(server_id, "stop", confirmed=True)
    assert "Stop" not in buttons(servers.page(server_id))
    response = servers.act(server_id, "stop", confirmed=True)
    assert response.status_code == 409
    assert "web-1 is Stopped" in response.get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_novas_conflict_becomes_a_clear_message(app, servers, monkeypatch, htmx):
    server_id = servers.launch()

    def conflict(self, sid, *, hard=False):
        raise Conflict("Cannot 'reboot' instance while it is in task_state powering-off")

    monkeypatch.setattr(type(demo_connection(app)), "reboot_server", conflict)
    response = servers.act(server_id, "reboot", htmx=htmx)
    assert response.status_code == 409
    assert "web-1 changed meanwhile, Nova says: Cannot" in response.get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_cancelled_confirmation_changes_nothing(app, servers, htmx):
    server_id = servers.launch()
    asked = servers.act(server_id, "delete", htmx=htmx).get_data(as_text=True)
    assert f'hx-get="/servers/{server_id}/actions"' in asked  # Cancel, over HTMX
    assert f'href="/servers/{server_id}"' in asked  # Cancel, without JavaScript
    back = servers.client.get(f"/servers/{server_id}/actions", headers=HTMX if htmx else {})
    if htmx:
        assert buttons(back.get_data(as_text=True))[:4] == [
            "Stop",
            "Reboot",
            "Hard reboot",
            "Delete",
        ]
    else:
        assert back.status_code == 303
    assert status(app, server_id) == ("ACTIVE", None)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_delete_goes_to_the_list_with_a_message(app, servers, htmx):
    server_id = servers.launch()
    response = servers.act(server_id, "delete", htmx=htmx, confirmed=True)
    location = response.headers["HX-Redirect" if htmx else "Location"]
    assert location == "/servers/"
    assert "Deleting web-1." in servers.client.get(location).get_data(as_text=True)
    with pytest.raises(NotFound):
        demo_connection(app).get_server(server_id)
    # again: already gone is not an error
    again = servers.act(server_id, "delete", htmx=htmx, confirmed=True)
    assert again.status_code == (200 if htmx else 303)
    assert "already gone" in servers.client.get("/servers/").get_data(as_text=True)


def test_delete_of_a_server_in_error_frees_the_quota(app, servers):
    server_id = servers.launch(name="huge", flavor="r1.huge")
    assert status(app, server_id)[0] == "ERROR"
    used = demo_connection(app).get_limits().used_ram_mb
    assert buttons(servers.page(server_id))[0] == "Delete"
    servers.act(server_id, "delete", confirmed=True)
    assert demo_connection(app).get_limits().used_ram_mb < used


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_delete_several(app, servers, htmx):
    ids = [servers.launch(name=f"vm-{n}") for n in range(3)]
    gone = servers.launch(name="gone")
    demo_connection(app).delete_server(gone)
    chosen = [*ids[:2], gone]
    asked = servers.post("/servers/delete", htmx=htmx, selected=chosen)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Delete 2 servers?" in html and "1 of the selected servers are gone already" in html
    assert len(demo_connection(app).list_servers()) == 3  # asked only

    names = {f"name-{i}": f"vm-{n}" for n, i in enumerate(ids[:2])}
    done = servers.post("/servers/delete", htmx=htmx, confirmed=True, selected=chosen, **names)
    assert done.headers["HX-Redirect" if htmx else "Location"] == "/servers/"
    page = servers.client.get("/servers/").get_data(as_text=True)
    assert "Deleting vm-0." in page and "Deleting vm-1." in page
    assert f"{gone} was already gone." in page
    assert [s.name for s in demo_connection(app).list_servers()] == ["vm-2"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_floating_ip_associate_then_remove_after_confirming(app, servers, htmx):
    server_id = servers.launch()
    pool = demo_connection(app).list_floating_ip_pools()[0]
    added = servers.post(f"/servers/{server_id}/floating-ips", htmx=htmx, pool_id=pool.id)
    assert added.status_code == (200 if htmx else 303)
    fips = [f for f in demo_connection(app).list_floating_ips() if f.port_id]
    assert len(fips) == 1
    page = servers.page(server_id)
    assert fips[0].address in page
    assert f"@{fips[0].address}" in page  # the SSH command uses it

    remove = f"/servers/{server_id}/floating-ips/{fips[0].id}/remove"
    asked = servers.post(remove, htmx=htmx, address=fips[0].address)
    assert f"Remove the floating IP {fips[0].address}" in asked.get_data(as_text=True)
    assert [f for f in demo_connection(app).list_floating_ips() if f.port_id]  # still there
    servers.post(remove, htmx=htmx, confirmed=True)
    assert not [f for f in demo_connection(app).list_floating_ips() if f.port_id]


def test_actions_need_the_csrf_token(servers):
    server_id = servers.launch()
    response = servers.client.post(f"/servers/{server_id}/reboot")
    assert response.status_code == 400


def test_an_unknown_action_is_a_404(servers):
    server_id = servers.launch()
    assert servers.act(server_id, "explode").status_code == 404
