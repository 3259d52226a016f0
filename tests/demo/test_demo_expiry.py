"""The demo cloud honours expiry: server metadata changed as Nova changes it, and
an operator's view of every project that stops and deletes."""

from __future__ import annotations

import pytest

from tests.helpers.demo import request
from tests.helpers.expiry import all_servers
from webapp.cloud.demo import DemoProvider
from webapp.cloud.demo import data
from webapp.cloud.demo.operator import DemoOperator
from webapp.cloud.errors import Conflict
from webapp.cloud.errors import NotFound
from webapp.cloud.errors import QuotaExceeded


@pytest.fixture
def provider(tmp_path):
    return DemoProvider(str(tmp_path / "demo.sqlite"), build_seconds=0)


def test_metadata_items_are_set_and_deleted_the_others_kept(demo):
    (server,) = demo.create_servers(request(metadata={"role": "web", "skiff:expires_at": "x"}))
    demo.set_server_metadata(server.id, {"skiff:expires_at": "2026-12-02T12:00:00Z", "team": "ops"})
    assert demo.get_server(server.id).metadata == {
        "role": "web",
        "skiff:expires_at": "2026-12-02T12:00:00Z",
        "team": "ops",
    }
    demo.set_server_metadata(server.id, {"skiff:expires_at": None, "missing": None})
    assert demo.get_server(server.id).metadata == {"role": "web", "team": "ops"}


def test_what_nova_refuses(provider, demo, sandbox):
    many = {f"k{n}": "v" for n in range(data.MAX_SERVER_META)}
    (server,) = demo.create_servers(request(metadata=many))
    with pytest.raises(QuotaExceeded, match="Maximum number of metadata items exceeds 128"):
        demo.set_server_metadata(server.id, {"one": "more"})
    with pytest.raises(NotFound):
        sandbox.set_server_metadata(server.id, {"k0": "w"})  # another project's
    provider.build_seconds = 3600
    (building,) = demo.create_servers(request(name="b"))
    with pytest.raises(Conflict) as raised:
        demo.set_server_metadata(building.id, {"a": "b"})
    assert raised.value.message == (
        f"Cannot 'update_instance_metadata' instance {building.id} while it is in vm_state building"
    )


def test_a_busy_server_is_refused_by_its_task(provider, demo):
    (server,) = demo.create_servers(request())
    provider.store.action_seconds = 3600
    demo.stop_server(server.id)
    with pytest.raises(Conflict, match="while it is in task_state powering-off"):
        demo.set_server_metadata(server.id, {"a": "b"})


def test_the_operator_sees_and_acts_in_every_project(provider, demo, sandbox):
    (mine,) = demo.create_servers(request(name="mine"))
    (theirs,) = sandbox.create_servers(request(name="theirs"))
    operator = DemoOperator(provider.store)
    found = {f.server.id: f for f in all_servers(operator)}
    assert found[mine.id].project_id == data.PROJECTS["demo"]["id"]
    assert found[theirs.id].project_id == data.PROJECTS["sandbox"]["id"]
    operator.stop_server(found[mine.id])
    assert demo.get_server(mine.id).status == "SHUTOFF"
    operator.delete_server(found[theirs.id])
    with pytest.raises(NotFound):
        sandbox.get_server(theirs.id)
    with pytest.raises(NotFound):
        operator.delete_server(found[theirs.id])
    assert sandbox.get_limits().used_instances == 0  # its quota freed
