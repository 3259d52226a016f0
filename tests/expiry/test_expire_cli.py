"""``flask skiff expire [--dry-run]`` on the demo cloud: every project's expired
servers stopped or deleted as their metadata says, one log line each; a dry run
changes nothing. Through Click's runner, and once as the real command line."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from tests.helpers.expiry import demo_server
from tests.helpers.expiry import demo_servers
from tests.helpers.expiry import expiring
from tests.helpers.expiry import expiry_app
from tests.helpers.expiry import log_lines
from tests.helpers.expiry import outcome_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(tmp_path):
    return expiry_app(tmp_path)


@pytest.fixture
def fleet(app):
    """Servers of both demo projects: expired ones to stop and to delete, one
    that expires later, one that never does; {name: id}."""
    past = datetime.now(UTC) - timedelta(minutes=1)
    later = datetime.now(UTC) + timedelta(hours=1)
    return {
        "to-stop": demo_server(app, name="to-stop", metadata=expiring(past, "stop")),
        "to-delete": demo_server(
            app, name="to-delete", metadata=expiring(past, "delete", role="web")
        ),
        "sandboxed": demo_server(
            app, name="sandboxed", metadata=expiring(past, "delete"), project="sandbox"
        ),
        "later": demo_server(app, name="later", metadata=expiring(later, "delete")),
        "forever": demo_server(app, name="forever", metadata={"role": "db"}),
    }


def expire(app, *args):
    result = app.test_cli_runner().invoke(args=["skiff", "expire", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_a_dry_run_changes_nothing_and_says_what_it_would_do(app, fleet):
    before = demo_servers(app)
    result = expire(app, "--dry-run")
    assert result.exit_code == 0, result.output
    assert demo_servers(app) == before
    assert all(s.status == "ACTIVE" for s in before.values())
    lines = result.stderr.splitlines()
    assert len(lines) == 3  # the expired ones, nothing else
    for name, action in (("to-stop", "stop"), ("to-delete", "delete"), ("sandboxed", "delete")):
        (line,) = log_lines(result.stderr, fleet[name])
        assert f'name="{name}" ' in line and f"action={action} " in line
        assert outcome_of(line) == f"would {action} (dry run)"
    assert result.stdout == ""


def test_expired_servers_are_stopped_or_deleted_in_every_project(app, fleet):
    result = expire(app)
    assert result.exit_code == 0, result.output
    servers = demo_servers(app)
    assert servers[fleet["to-stop"]].status == "SHUTOFF"
    assert fleet["to-delete"] not in servers and fleet["sandboxed"] not in servers
    assert servers[fleet["later"]].status == "ACTIVE"
    assert servers[fleet["forever"]].status == "ACTIVE"
    assert len(result.stderr.splitlines()) == 3
    (stopped,) = log_lines(result.stderr, fleet["to-stop"])
    assert outcome_of(stopped) == "stop requested"
    assert " INFO skiff expire: server=" in stopped
    (deleted,) = log_lines(result.stderr, fleet["sandboxed"])
    assert outcome_of(deleted) == "delete requested"
    # the next run leaves the stopped server as it is (and says so)
    again = expire(app)
    (line,) = again.stderr.splitlines()
    assert fleet["to-stop"] in line and outcome_of(line) == "already stopped"
    assert demo_servers(app)[fleet["to-stop"]].status == "SHUTOFF"


def test_the_project_in_each_line(app, fleet):
    from webapp.cloud.demo import data

    result = expire(app, "--dry-run")
    (line,) = log_lines(result.stderr, fleet["sandboxed"])
    assert f"project={data.PROJECTS['sandbox']['id']} " in line
    (line,) = log_lines(result.stderr, fleet["to-stop"])
    assert f"project={data.PROJECTS['demo']['id']} " in line


def test_nothing_expired_says_nothing(app):
    demo_server(app, name="fresh", metadata=expiring(datetime.now(UTC) + timedelta(days=1)))
    result = expire(app)
    assert (result.exit_code, result.output) == (0, "")


def test_the_command_line_of_a_systemd_timer(tmp_path, app, fleet):
    """``flask --app wsgi skiff expire``, run from the checkout as cron would."""
    env = {
        **os.environ,
        "SKIFF_DEMO_DATABASE": str(tmp_path / "demo.sqlite"),
        "SKIFF_DEMO_BUILD_SECONDS": "0",
    }
    env.pop("SKIFF_CLOUD_AUTH_URL", None)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "skiff", "expire"]
    dry = subprocess.run(
        [*command, "--dry-run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert dry.returncode == 0, dry.stderr
    assert len(dry.stderr.splitlines()) == 3, dry.stderr
    assert all(s.status == "ACTIVE" for s in demo_servers(app).values())
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert outcome_of(log_lines(done.stderr, fleet["to-delete"])[0]) == "delete requested"
    assert fleet["to-delete"] not in demo_servers(app)
    help_text = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "skiff", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "expire" in help_text.stdout
