"""Every failure answers in the portal's layout, or for htmx in its messages area,
with its status and a reference that the log line of the error names too; the demo
cloud's database going read-only or away is one of them."""

import io
import json
import logging
import os
import re

import pytest
import requests
from flask import abort
from werkzeug.exceptions import TooManyRequests

from tests.helpers.live_server import LiveServer
from webapp.cloud.errors import CloudUnavailable
from webapp.state import StoreUnavailable
from webapp.workflow import WizardConflict

TWO_MB = 2 * 1024 * 1024


def _raise(error):
    """A view that raises ``error``."""

    def view():
        raise error

    return view


#: test routes, registered on each test's app before its first request
ROUTES = {
    "/test/bad": lambda: abort(400),
    "/test/forbidden": lambda: abort(403),
    "/test/busy": _raise(TooManyRequests("Too many launches: wait 30 seconds.", retry_after=30)),
    "/test/boom": _raise(RuntimeError("secret internals")),
    "/test/store-down": _raise(StoreUnavailable("redis is gone")),
    "/test/cloud-down": _raise(CloudUnavailable("The cloud did not answer.", request_id="req-7")),
    "/test/conflict": _raise(WizardConflict("wizard w kept changing; not saved")),
}


@pytest.fixture
def app(app):
    """The conftest's app, with the test routes."""
    for path, view in ROUTES.items():
        app.add_url_rule(path, endpoint=path, view_func=view)
    return app


@pytest.fixture
def log(caplog):
    """The log, down to the INFO lines of the errors."""
    caplog.set_level(logging.INFO, logger="webapp.errors")
    return caplog


def big_file(field="user_data_file", size=TWO_MB, filename="; filename=big.sh"):
    """A file (or with ``filename=""`` a field) of ``size`` bytes in a multipart body,
    built here: the test client would spool it to a temporary file it never closes."""
    part = f'--b\r\nContent-Disposition: form-data; name="{field}"{filename}\r\n\r\n'
    body = part.encode() + b"x" * size + b"\r\n--b--\r\n"
    return {"data": body, "content_type": "multipart/form-data; boundary=b"}


# (method, path, what is posted, status, words of the message)
CASES = {
    "400": ("get", "/test/bad", None, 400, "The portal could not read this request."),
    "400-csrf": ("post", "/auth/login", {"data": {"username": "x"}}, 400, "This form has expired"),
    "403": ("get", "/test/forbidden", None, 403, "You are not allowed to do this."),
    "404": ("get", "/nowhere", None, 404, "There is nothing here."),
    "405": ("get", "/auth/logout", None, 405, "does not take that kind of request"),
    "409": ("get", "/test/conflict", None, 409, "changed in another tab at the same moment"),
    "413": ("post", "/launch/w/config", big_file, 413, "larger than the portal accepts (1 MB)"),
    "429": ("get", "/test/busy", None, 429, "Too many launches: wait 30 seconds."),
    "500": ("get", "/test/boom", None, 500, "The portal failed to answer. Try again"),
    "503-store": ("get", "/test/store-down", None, 503, "session store is not answering"),
    "503-cloud": ("get", "/test/cloud-down", None, 503, "(request req-7) Nothing you entered"),
}


def answered(response, log, status, words):
    """Check what every error answer has; its page and its log line."""
    html = response.get_data(as_text=True)
    assert response.status_code == status, html
    reference = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{8}", reference)
    assert f"Reference: {reference}" in html
    assert words in html
    assert "Traceback" not in html and "secret internals" not in html
    (line,) = [r for r in log.records if reference in r.getMessage()]
    if status == 500:
        assert line.levelno == logging.ERROR and line.exc_info
        assert "secret internals" in log.text
    else:
        assert line.levelno in (logging.INFO, logging.WARNING) and not line.exc_info
    return html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("case", CASES)
def test_every_error_is_answered_in_the_layout_with_a_logged_reference(client, log, case, htmx):
    method, path, data, status, words = CASES[case]
    headers = {"HX-Request": "true"} if htmx else {}
    posted = data() if callable(data) else data or {}
    response = getattr(client, method)(path, headers=headers, **posted)
    html = answered(response, log, status, words)
    if htmx:
        assert response.headers["HX-Retarget"] == "#messages"
        assert response.headers["HX-Reswap"] == "innerHTML"
        assert "<html" not in html and '<p class="message error"' in html
    else:
        assert '<header class="site">' in html and "<h1>" in html
        assert "Launch an instance</a>" in html
    if case == "405":
        assert "POST" in response.headers["Allow"]
    if case == "429":
        assert response.headers["Retry-After"] == "30"


def test_a_file_too_large_is_named_by_its_step(wizard, log):
    wizard.open()
    for slug, field, words in (
        ("config", "user_data_file", "the script"),
        ("access", "public_key_file", "the public key"),
    ):
        response = wizard.client.post(f"{wizard.url}/{slug}", **big_file(field))
        html = answered(response, log, 413, f"The file chosen for {words} is probably too large")
        assert "pick a smaller file" in html
    # Elsewhere, only the limit is named.
    html = wizard.client.post("/auth/login", **big_file()).get_data(as_text=True)
    assert "(1 MB)." in html and "file chosen" not in html
    # A typed field over Flask's MAX_FORM_MEMORY_SIZE, in a body within the limit.
    typed = wizard.client.post(f"{wizard.url}/config", **big_file("user_data", 600_000, ""))
    answered(typed, log, 413, "A field of this form is longer than the portal accepts")


def test_a_body_over_the_limit_is_answered_over_a_real_connection(app, tmp_path):
    server = LiveServer(app, str(tmp_path / "demo.sqlite")).start()
    try:
        for htmx in (False, True, False, True):
            response = requests.post(
                f"{server.url}/launch/w/config",
                files={"user_data_file": ("big.sh", b"x" * TWO_MB)},
                headers={"HX-Request": "true"} if htmx else {},
                timeout=30,
            )
            assert response.status_code == 413
            assert "The file chosen for the script is probably too large" in response.text
            assert f"Reference: {response.headers['X-Request-ID']}" in response.text
    finally:
        server.stop()


FIELD_TOO_LONG = big_file("user_data", 600_000, "")["data"]  # a body within the limit


@pytest.mark.parametrize(
    ("body", "read"),
    [(b"x" * TWO_MB, TWO_MB), (FIELD_TOO_LONG, len(FIELD_TOO_LONG)), (b"x" * 17_000_000, 0)],
    ids=["over-the-limit", "field-too-long", "huge"],
)
def test_a_refused_body_is_read_to_its_end_unless_huge(client, body, read):
    stream = io.BytesIO(body)
    response = client.post(
        "/launch/w/config",
        input_stream=stream,
        content_length=len(body),
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status_code == 413
    assert stream.tell() == read


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_an_error_whose_layout_fails_is_answered_in_plain_words(client, log, monkeypatch, htmx):
    def broken(*args, **kwargs):
        raise RuntimeError("the layout is broken")

    monkeypatch.setattr("webapp.errors.render_template", broken)
    response = client.get("/test/boom", headers={"HX-Request": "true"} if htmx else {})
    html = response.get_data(as_text=True)
    reference = response.headers["X-Request-ID"]
    assert response.status_code == 500
    assert "The portal failed to answer. Try again; if it fails again, tell" in html
    assert f"(Reference: {reference})" in html and "secret internals" not in html
    assert "the layout is broken" in log.text and "secret internals" in log.text


def test_every_answer_carries_its_own_request_id(client):
    first, second = client.get("/auth/login"), client.get("/auth/login")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_htmx_swaps_error_answers_into_the_messages_area(client):
    html = client.get("/auth/login").get_data(as_text=True)
    config = json.loads(re.search(r'name="htmx-config" content=\'([^\']+)\'', html).group(1))
    (errors,) = [rule for rule in config["responseHandling"] if rule["code"] == "[45].."]
    assert errors["swap"] is True and errors["error"] is True
    assert errors["target"] == "#messages" and errors["swapOverride"] == "innerHTML"


# -- the demo cloud's database ---------------------------------------------------


def test_a_read_only_demo_database_is_said_plainly_and_the_wizard_kept(app, wizard, log):
    store = app.extensions["skiff.cloud"].store
    wizard.open()
    wizard.fill_all(name="kept-ro")
    store.read_only = True
    launch = wizard.launch(user_data="#!/bin/sh\necho typed\n")
    html = launch.get_data(as_text=True)
    if launch.status_code == 303:  # shown on the step the launch went back to
        html = wizard.client.get(launch.headers["Location"]).get_data(as_text=True)
    assert "The demo cloud cannot write its database" in html
    assert "attempt to write a readonly database" in html
    assert "echo typed" in wizard.page("config")
    assert 'value="kept-ro"' in wizard.page("details")
    # Making a key pair, and the server list: the cloud-down answer, with a reference.
    key = wizard.post(
        "access", nav="generate_key", htmx=True, new_keypair_name="typed-key", keypair="demo-key"
    )
    answered(key, log, 503, "The demo cloud cannot write its database")
    assert key.headers["HX-Retarget"] == "#messages"
    assert 'value="typed-key"' in wizard.page("access")
    answered(wizard.client.get("/servers/"), log, 503, "cannot write its database")
    store.read_only = False
    assert wizard.launch(user_data="#!/bin/sh\necho typed\n").status_code == 303
    assert [s.name for s in _servers(app)] == ["kept-ro"]


def test_a_deleted_demo_database_is_made_again_and_launch_works(app, wizard, tmp_path):
    wizard.open()
    wizard.fill_all(name="after-delete")
    os.remove(tmp_path / "demo.sqlite")
    assert wizard.launch().status_code == 303
    assert [s.name for s in _servers(app)] == ["after-delete"]
    assert wizard.client.get("/servers/").status_code == 200


def test_a_demo_database_that_cannot_be_opened_is_the_cloud_down_answer(wizard, tmp_path, log):
    database = tmp_path / "demo.sqlite"
    os.remove(database)
    database.mkdir()
    response = wizard.client.get("/servers/")
    answered(response, log, 503, f"The demo cloud cannot open its database ({database})")
    database.rmdir()
    assert wizard.client.get("/servers/").status_code == 200


def _servers(app):
    provider = app.extensions["skiff.cloud"]
    return provider.connect(provider.login("demo", "demo")).list_servers()
