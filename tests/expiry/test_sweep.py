"""The expire run over an operator's cloud: which servers it acts on, how, and
its one log line per expired server."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.helpers.expiry import NOW
from tests.helpers.expiry import FakeOperator
from tests.helpers.expiry import expiring
from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.errors import Conflict
from webapp.cloud.errors import NotFound
from webapp.cloud.models import Server
from webapp.cloud.operator import ProjectServer
from webapp.expiry.lease import EXPIRES_AT
from webapp.expiry.sweep import sweep

PAST = NOW - timedelta(minutes=1)
FUTURE = NOW + timedelta(minutes=1)


def found(
    server_id, metadata, status="ACTIVE", task_state=None, name=None, project="p-1", region=""
):
    server = Server(
        server_id,
        name or server_id,
        status,
        metadata=metadata,
        task_state=task_state,
        launched_at="2026-12-01T10:00:00Z",
    )
    return ProjectServer(server, project, region)


@pytest.fixture
def lines(caplog):
    """The lines the run logs."""
    caplog.set_level(logging.INFO, logger="webapp.expiry")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "webapp.expiry"]


def test_only_expired_servers_are_acted_on_and_logged(lines):
    cloud = FakeOperator(
        [
            found("never", {"role": "web"}),
            found("later", expiring(FUTURE)),
            found("now", expiring(NOW)),
            found("stop", expiring(PAST), name='odd "name"\nhere', project="p-2"),
            found("delete", expiring(PAST, "delete")),
        ]
    )
    outcomes = sweep(cloud, now=NOW)
    assert cloud.calls == [("stop", "now"), ("stop", "stop"), ("delete", "delete")]
    assert [(o.found.server.id, o.action, o.outcome) for o in outcomes] == [
        ("now", "stop", "stop requested"),
        ("stop", "stop", "stop requested"),
        ("delete", "delete", "delete requested"),
    ]
    assert lines() == [
        'server=now name="now" project=p-1 action=stop outcome="stop requested"',
        'server=stop name="odd \\"name\\"\\nhere" project=p-2 action=stop outcome="stop requested"',
        'server=delete name="delete" project=p-1 action=delete outcome="delete requested"',
    ]


def test_a_dry_run_changes_nothing_and_says_what_it_would_do(lines):
    cloud = FakeOperator(
        [found("a", expiring(PAST)), found("b", expiring(PAST, "delete")), found("c", {})]
    )
    outcomes = sweep(cloud, now=NOW, dry_run=True)
    assert cloud.calls == []
    assert [o.outcome for o in outcomes] == ["would stop (dry run)", "would delete (dry run)"]
    assert len(lines()) == 2


@pytest.mark.parametrize(
    ("status", "task_state", "action", "outcome"),
    [
        ("SHUTOFF", None, "stop", "already stopped"),
        ("ACTIVE", "powering-off", "stop", "already stopping"),
        ("ACTIVE", "deleting", "delete", "already being deleted"),
        ("ACTIVE", "deleting", "stop", "already being deleted"),
        ("BUILD", "spawning", "stop", "not possible in state BUILD/spawning; tried again next run"),
        ("ERROR", None, "stop", "not possible in state ERROR; tried again next run"),
    ],
)
def test_servers_left_as_they_are(status, task_state, action, outcome, lines):
    cloud = FakeOperator([found("s", expiring(PAST, action), status, task_state)])
    for dry_run in (True, False):
        (result,) = sweep(cloud, now=NOW, dry_run=dry_run)
        assert (result.outcome, result.failed) == (outcome, False)
    assert cloud.calls == []
    assert len(lines()) == 2


def test_a_stopped_server_to_delete_is_deleted():
    cloud = FakeOperator([found("s", expiring(PAST, "delete"), "SHUTOFF")])
    (result,) = sweep(cloud, now=NOW)
    assert cloud.calls == [("delete", "s")] and result.outcome == "delete requested"


def test_unreadable_metadata_is_reported_and_skipped(lines):
    cloud = FakeOperator([found("s", {EXPIRES_AT: "tomorrow"})])
    (result,) = sweep(cloud, now=NOW)
    assert cloud.calls == []
    assert result.action == "?"
    assert result.outcome == "skipped: skiff:expires_at is 'tomorrow', not an ISO 8601 time"
    assert lines() == [
        'server=s name="s" project=p-1 action=? '
        "outcome=\"skipped: skiff:expires_at is 'tomorrow', not an ISO 8601 time\""
    ]


def test_refusals_and_failures_are_one_line_each_and_the_run_goes_on(caplog):
    caplog.set_level(logging.INFO, logger="webapp.expiry")
    cloud = FakeOperator(
        [
            found("gone", expiring(PAST, "delete")),
            found("busy", expiring(PAST)),
            found("down", expiring(PAST, "delete")),
            found("fine", expiring(PAST)),
        ],
        failing={
            "gone": NotFound("Instance gone could not be found."),
            "busy": Conflict("Cannot 'stop' instance busy while it is in task_state rebooting"),
            "down": CloudUnavailable("The compute service did not answer."),
        },
    )
    outcomes = sweep(cloud, now=NOW)
    assert [(o.outcome, o.failed) for o in outcomes] == [
        ("already gone", False),
        ("failed: Cannot 'stop' instance busy while it is in task_state rebooting", True),
        ("failed: The compute service did not answer.", True),
        ("stop requested", False),
    ]
    levels = [r.levelname for r in caplog.records if r.name == "webapp.expiry"]
    assert levels == ["INFO", "WARNING", "WARNING", "INFO"]


def test_a_region_that_cannot_be_listed_is_said_and_the_others_swept(lines):
    cloud = FakeOperator(
        [
            found("one", expiring(PAST), region="RegionOne"),
            found("three", expiring(PAST, "delete"), region="RegionThree"),
        ],
        unlisted={"RegionTwo": CloudUnavailable("Nova did not answer (503).")},
    )
    with pytest.raises(CloudUnavailable):
        sweep(cloud, now=NOW)
    assert cloud.calls == [("stop", "one"), ("delete", "three")]
    assert lines() == [
        'server=one name="one" project=p-1 region="RegionOne" action=stop outcome="stop requested"',
        'server=three name="three" project=p-1 region="RegionThree" action=delete'
        ' outcome="delete requested"',
        'region="RegionTwo" outcome="not listed: Nova did not answer (503)."',
    ]
