"""The audit log on the demo cloud: one line per login, logout, project switch,
launch and server action, as JSON lines or key=value text, or none; each with
who, where, what, the outcome and Skiff's request id; never a secret."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import shlex
import stat
from pathlib import Path

import pytest

from tests.helpers.audit import assert_no_secret
from tests.helpers.audit import audit_app
from tests.helpers.audit import only
from tests.helpers.audit import read_lines
from tests.helpers.servers import Servers
from tests.helpers.wizard import Wizard
from webapp.cloud.demo import data as demo_data
from webapp.i18n import LANGUAGE_COOKIE
from webapp.ops.audit import AppendingFile

PASSWORD = "Tr0ub4dor&3-audit"
ADMIN_PASSWORD = "Adm1n-pass-for-audit"
USER_DATA = "#!/bin/sh\necho user-data-that-must-stay-out-of-logs\n"


@pytest.fixture
def log(tmp_path):
    return tmp_path / "audit.log"


@pytest.fixture
def app(tmp_path):
    return audit_app(tmp_path)


@pytest.fixture
def auditor(monkeypatch):
    """A demo user with a password found nowhere else."""
    user = {"id": "auditor-id", "password": PASSWORD, "projects": ("demo", "sandbox")}
    monkeypatch.setitem(demo_data.USERS, "auditor", user)
    return user


def test_login_success_and_wrong_password_each_write_one_line(client, log):
    wizard = Wizard(client)
    wrong = wizard.login("demo", "not-the-password")
    assert wrong.status_code == 200
    right = wizard.login("demo", "demo")
    assert right.status_code == 303

    lines = read_lines(log)
    assert [(line["event"], line["outcome"]) for line in lines] == [
        ("login", "refused"),
        ("login", "success"),
    ]
    refused, success = lines
    assert refused["user"] == {"name": "demo", "id": None}
    assert refused["project"] == {"name": None, "id": None}
    assert refused["error"] == "Invalid user name or password."
    assert refused["request_id"] == wrong.headers["X-Request-ID"]
    assert success["user"] == {"name": "demo", "id": demo_data.USERS["demo"]["id"]}
    assert success["project"] == {"name": "demo", "id": demo_data.PROJECTS["demo"]["id"]}
    assert success["request_id"] == right.headers["X-Request-ID"]
    assert success["client"] == "127.0.0.1"
    assert success["error"] is None
    assert success["openstack_request_ids"] == []  # the demo cloud makes no HTTP call


def test_the_client_address_is_the_connections(client, log):
    Wizard(client).login()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    Wizard(client).login()
    assert [line["client"] for line in read_lines(log)] == ["127.0.0.1", "192.0.2.7"]


def test_logout_and_project_switch(wizard, log):
    with wizard.client.session_transaction() as session:
        sandbox = next(p["id"] for p in session["identity"]["projects"] if p["name"] == "sandbox")
    token = wizard.csrf(wizard.client.get("/launch/").get_data(as_text=True))
    switched = wizard.client.post(
        "/auth/project", data={"project_id": sandbox, "csrf_token": token}
    )
    wizard.client.post("/auth/project", data={"project_id": "nowhere", "csrf_token": token})
    assert wizard.client.post("/auth/logout", data={"csrf_token": token}).status_code == 303

    lines = read_lines(log)
    success = only(lines, "project_switch", "success")
    assert success["project"] == {"name": "sandbox", "id": sandbox}
    assert success["request_id"] == switched.headers["X-Request-ID"]
    refused = only(lines, "project_switch", "refused")
    assert refused["project"]["name"] == "sandbox"  # still there
    assert refused["error"]
    logout = only(lines, "logout")
    assert logout["outcome"] == "success"
    assert logout["user"]["name"] == "demo" and logout["project"]["name"] == "sandbox"


def test_a_launch_writes_its_server_ids_and_what_was_asked(wizard, log):
    wizard.open()
    wizard.fill_all(name="audited", flavor="m1.small")
    flavor = wizard.option("flavor", "m1.small")
    source = wizard.option("source", "cirros")
    response = wizard.launch()
    assert response.status_code == 303
    server_id = response.headers["Location"].rsplit("/", 1)[1]

    line = only(read_lines(log), "launch")
    assert line["outcome"] == "launched"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["user"]["name"] == "demo" and line["project"]["name"] == "demo"
    what = line["what"]
    assert what["server_ids"] == [server_id]
    assert what["name"] == "audited" and what["count"] == 1
    assert what["flavor"] == flavor
    assert (what["source_type"], what["source_id"]) == ("image", source)
    assert isinstance(what["networks"], list) and len(what["networks"]) == 1
    assert 0 <= what["seconds"] < 30
    assert line["error"] is None


def test_a_launch_a_step_refuses_is_invalid(wizard, log):
    wizard.open()
    wizard.fill_all(name="half")
    wizard.post("details", nav="back", name="")  # the name is gone, unchecked
    response = wizard.launch()
    assert response.status_code == 200
    line = only(read_lines(log), "launch")
    assert line["outcome"] == "invalid"
    assert line["what"]["server_ids"] == []
    assert "Could not launch" in line["error"]


def test_a_launch_over_quota_is_refused_with_the_clouds_words(wizard, log):
    with wizard.client.session_transaction() as session:
        projects = session["identity"]["projects"]
    sandbox = next(p["id"] for p in projects if p["name"] == "sandbox")  # 2 instances
    wizard.open()
    wizard.client.post("/auth/project", data={"project_id": sandbox, "csrf_token": wizard.token})
    wizard.open()
    wizard.fill_all(name="third")
    first_tab = wizard.url
    for name in ("a", "b"):  # another tab uses the quota up meanwhile
        wizard.open()
        wizard.fill_all(name=name)
        assert wizard.launch().status_code == 303
    wizard.url = first_tab
    assert wizard.launch().status_code == 200

    launches = [line for line in read_lines(log) if line["event"] == "launch"]
    assert [line["outcome"] for line in launches] == ["launched", "launched", "refused"]
    refused = launches[-1]
    assert refused["project"]["name"] == "sandbox"
    assert refused["what"]["name"] == "third" and refused["what"]["server_ids"] == []
    assert "Quota exceeded for instances" in refused["error"]


def test_a_server_action_writes_one_line_once_done(app, wizard, log):
    servers = Servers(wizard)
    server_id = servers.launch(name="acted")
    asked = servers.act(server_id, "stop")  # the confirmation: nothing done yet
    assert asked.status_code == 200
    assert [line["event"] for line in read_lines(log)] == ["login", "launch"]
    done = servers.act(server_id, "stop", confirmed=True)
    refused = servers.act(server_id, "reboot")  # not possible once stopped

    actions = [line for line in read_lines(log) if line["event"] == "server_action"]
    assert [(a["what"]["action"], a["outcome"]) for a in actions] == [
        ("stop", "success"),
        ("reboot", "refused"),
    ]
    assert actions[0]["what"]["server_ids"] == [server_id]
    assert actions[0]["request_id"] == done.headers["X-Request-ID"]
    assert actions[1]["request_id"] == refused.headers["X-Request-ID"]
    assert "not possible now" in actions[1]["error"]


@pytest.mark.parametrize(
    ("languages", "wrong_password", "not_possible", "invalid"),
    [
        (["en", "zh_CN"], "Invalid user name or password.", "not possible now", "Could not launch"),
        (["zh_CN", "en"], "用户名或密码无效。", "现在无法", "无法创建"),
    ],
    ids=["english operator", "chinese operator"],
)
def test_lines_are_in_the_operators_language_whatever_the_users(
    tmp_path, languages, wrong_password, not_possible, invalid
):
    """The first of LANGUAGES is the operator's: a user reading the portal in the
    other language leaves lines the operator can search."""
    users_language = languages[1]
    client = audit_app(tmp_path, LANGUAGES=languages).test_client()
    client.set_cookie(LANGUAGE_COOKIE, users_language)
    wizard = Wizard(client)
    wizard.login("demo", "not-the-password")
    wizard.login()
    servers = Servers(wizard)
    server_id = servers.launch(name="acted")
    servers.act(server_id, "stop", confirmed=True)
    servers.act(server_id, "reboot")  # refused: stopped
    wizard.open()
    wizard.fill_all(name="half")
    wizard.post("details", nav="back", name="")
    wizard.launch()  # invalid: no name

    errors = [line["error"] for line in read_lines(tmp_path / "audit.log") if line["error"]]
    assert len(errors) == 3, errors
    assert errors[0] == wrong_password
    assert not_possible in errors[1]
    assert invalid in errors[2]


def test_text_format_is_one_line_of_key_value_pairs(tmp_path):
    app = audit_app(tmp_path, AUDIT_FORMAT="text")
    wizard = Wizard(app.test_client())
    wizard.login("demo", "wrong")
    wizard.login()
    wizard.open()
    wizard.fill_all(name="two words")
    launched = wizard.launch()

    text = (tmp_path / "audit.log").read_text()
    lines = text.splitlines()
    assert len(lines) == 3
    pairs = [dict(item.split("=", 1) for item in shlex.split(line)) for line in lines]
    assert pairs[0]["event"] == "login" and pairs[0]["outcome"] == "refused"
    assert pairs[0]["user_id"] == "-"
    assert pairs[0]["error"] == "Invalid user name or password."
    assert pairs[1]["user"] == "demo" and pairs[1]["project"] == "demo"
    launch = pairs[2]
    assert launch["event"] == "launch" and launch["outcome"] == "launched"
    assert launch["name"] == "two words"  # quoted: one pair, not two
    assert launch["server_ids"] == launched.headers["Location"].rsplit("/", 1)[1]
    assert launch["request_id"] == launched.headers["X-Request-ID"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", launch["time"])


def test_a_line_break_typed_in_a_name_cannot_forge_a_line(client, log):
    wizard = Wizard(client)
    wizard.login('x\n{"event":"login","outcome":"success"}', "wrong")
    lines = read_lines(log)
    assert len(lines) == 1 and lines[0]["outcome"] == "refused"


def test_off_writes_nothing_anywhere(tmp_path, capsys):
    app = audit_app(tmp_path, AUDIT_LOG="")
    wizard = Wizard(app.test_client())
    wizard.login()
    wizard.open()
    wizard.fill_all()
    assert wizard.launch().status_code == 303
    assert not (tmp_path / "audit.log").exists()
    assert '"event"' not in capsys.readouterr().err


def test_by_default_lines_go_to_stderr(tmp_path, capsys):
    app = audit_app(tmp_path, AUDIT_LOG="-")
    Wizard(app.test_client()).login()
    err = capsys.readouterr().err.splitlines()
    lines = [json.loads(line) for line in err if line.startswith('{"time"')]
    assert [(line["event"], line["outcome"]) for line in lines] == [("login", "success")]


def test_two_apps_write_each_to_its_own_file(tmp_path):
    first = audit_app(tmp_path / "a")
    second = audit_app(tmp_path / "b")
    Wizard(first.test_client()).login()
    Wizard(second.test_client()).login("demo", "wrong")
    assert [line["outcome"] for line in read_lines(tmp_path / "a" / "audit.log")] == ["success"]
    assert [line["outcome"] for line in read_lines(tmp_path / "b" / "audit.log")] == ["refused"]


def test_the_file_is_private_and_follows_a_rotation(client, log):
    Wizard(client).login()
    assert stat.S_IMODE(os.stat(log).st_mode) & 0o037 == 0  # 0640 at most
    os.rename(log, f"{log}.1")  # logrotate's move
    Wizard(client).login("demo", "wrong")
    assert [line["outcome"] for line in read_lines(log)] == ["refused"]
    assert len(read_lines(log.with_name("audit.log.1"))) == 1


def test_an_unknown_format_is_refused_at_start(tmp_path):
    with pytest.raises(ValueError, match="AUDIT_FORMAT"):
        audit_app(tmp_path, AUDIT_FORMAT="xml")


def test_no_password_key_admin_password_or_user_data_reaches_the_log(client, log, auditor):
    wizard = Wizard(client)
    wizard.login("auditor", PASSWORD[:-1])  # a wrong one, close to the right one
    assert wizard.login("auditor", PASSWORD).status_code == 303
    wizard.open()
    wizard.fill_all(name="secretive", admin_pass=ADMIN_PASSWORD, confirm_admin_pass=ADMIN_PASSWORD)
    generated = wizard.post("access", nav="generate_key", new_keypair_name="audit-key")
    private_key = re.search(
        r"-----BEGIN OPENSSH PRIVATE KEY-----.*?-----END OPENSSH PRIVATE KEY-----",
        generated.get_data(as_text=True),
        re.S,
    ).group(0)
    response = wizard.launch(user_data=USER_DATA)
    assert response.status_code == 303
    servers = Servers(wizard)
    server_id = response.headers["Location"].rsplit("/", 1)[1]
    servers.act(server_id, "delete", confirmed=True)

    text = log.read_text()
    lines = read_lines(log)
    assert [line["event"] for line in lines] == ["login", "login", "launch", "server_action"]
    assert_no_secret(
        text,
        password=PASSWORD,
        wrong_password=PASSWORD[:-1],
        private_key=private_key,
        admin_password=ADMIN_PASSWORD,
        user_data=USER_DATA,
    )


def _append_lines(path: str, worker: int) -> None:
    # Lines longer than a file buffer (8 KiB): written in parts, they would mix.
    handler = AppendingFile(path)
    for number in range(200):
        record = logging.LogRecord("skiff.audit", logging.INFO, "", 0, "", None, None)
        record.msg = json.dumps({"worker": worker, "n": number, "pad": "x" * 20000})
        handler.handle(record)
    handler.close()


def test_workers_appending_at_once_never_mix_their_lines(tmp_path):
    path = str(tmp_path / "shared.log")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_lines, args=(path, w)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    lines = [json.loads(line) for line in Path(path).read_text().splitlines()]
    assert sorted((line["worker"], line["n"]) for line in lines) == [
        (w, n) for w in range(3) for n in range(200)
    ]
