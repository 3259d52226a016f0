"""The cloud-init helper on the Configuration step, through the portal, with and
without htmx: "Make the cloud-config" shows the document to edit, what was typed
is kept, the edited document (with a script: one MIME multi-part) is what Review
counts, the equivalents carry and the server gets, within Nova's limit."""

from __future__ import annotations

import base64
import email
import json
import re

import pytest
import yaml

from tests.helpers.cloud_init import schema_errors
from tests.helpers.config_step import as_posted
from tests.helpers.config_step import field_errors
from tests.helpers.config_step import hidden
from tests.helpers.config_step import stored_user_data
from tests.helpers.config_step import textarea
from webapp.forms.launch.cloud_config import fingerprint
from webapp.forms.launch.cloud_config import multipart
from webapp.forms.launch.config import USER_DATA_MAX_BYTES

HTMX = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx7lI1h5J9Ckq6y7Qm3m1r1b2Q8d0h0Yk3Zr7m9oU1V a@b"
#: the helper's fields as a browser posts them
HELPER = {
    "init_updates": "y",
    "init_packages": "nginx git",
    "init_user": "alice",
    "init_ssh_keys": KEY,
    "init_sudo": "y",
    "init_timezone": "Europe/Paris",
    "init_commands": "echo 'it''s: here' # really\r\nsystemctl enable --now nginx\r\n",
}
LOADED = {
    "package_update": True,
    "package_upgrade": True,
    "packages": ["nginx", "git"],
    "timezone": "Europe/Paris",
    "users": [
        "default",
        {"name": "alice", "sudo": "ALL=(ALL) NOPASSWD:ALL", "ssh_authorized_keys": [KEY]},
    ],
    "runcmd": ["echo 'it''s: here' # really", "systemctl enable --now nginx"],
}
SCRIPT = "#!/bin/sh\necho from the script\n"


@pytest.fixture
def at_config(wizard):
    wizard.open()
    wizard.fill_all()
    return wizard


def make(wizard, htmx=False, **fields):
    """Press "Make the cloud-config" with the helper's fields (and ``fields``)."""
    return wizard.post("config", nav="cloud_config", htmx=htmx, **{"user_data": "", **fields})


def step_fields(page: str) -> dict[str, str]:
    """The document's fields of a page, as a browser posts them back."""
    return {
        "cloud_config": as_posted(textarea(page, "cloud_config")),
        "cloud_config_made": hidden(page, "cloud_config_made"),
    }


@HTMX
def test_make_shows_the_document_to_edit_and_keeps_it(at_config, htmx):
    response = make(at_config, htmx, **HELPER)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ("<html" in page) is not htmx  # a panel for htmx, else the whole page
    document = textarea(page, "cloud_config")
    assert document.startswith("#cloud-config\n")
    assert yaml.safe_load(document) == LOADED
    assert schema_errors(yaml.safe_load(document)) == []
    assert hidden(page, "cloud_config_made") == fingerprint(document)
    assert re.search(r'<textarea[^>]* autofocus [^>]*name="cloud_config"', page)
    assert '<details class="group cloud-init-helper" open>' in page
    # Saved with the step: the step's page shows it all again.
    again = at_config.page("config")
    assert textarea(again, "cloud_config") == document
    assert textarea(again, "init_commands") == HELPER["init_commands"].replace("\r\n", "\n")
    assert re.search(r'<input[^>]*name="init_user"[^>]*value="alice"', again)
    assert re.search(r'<input checked id="init_sudo"', again)


@HTMX
def test_a_wrong_helper_field_is_said_and_nothing_typed_is_lost(at_config, htmx):
    typed = {**HELPER, "init_timezone": "Europe/Pari", "cloud_config": "#cloud-config\nmine: 1\n"}
    response = make(at_config, htmx, **typed)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Did you mean Europe/Paris?" in field_errors(page, "init_timezone")
    assert textarea(page, "cloud_config") == typed["cloud_config"]  # not replaced
    assert 'value="Europe/Pari"' in at_config.page("config")


@HTMX
def test_make_with_an_empty_helper_says_so(at_config, htmx):
    response = make(at_config, htmx, cloud_config="#cloud-config\nmine: 1\n")
    page = response.get_data(as_text=True)
    assert "Choose something in the helper first" in page
    assert textarea(page, "cloud_config") == "#cloud-config\nmine: 1\n"


def test_the_edited_document_is_what_the_server_gets(at_config, app):
    page = make(at_config, **HELPER).get_data(as_text=True)
    fields = step_fields(page)
    edited = textarea(page, "cloud_config") + "write_files:\n- path: /etc/motd\n  content: héllo\n"
    fields["cloud_config"] = as_posted(edited)
    assert at_config.post("config", user_data="", **HELPER, **fields).status_code == 303
    review = at_config.page("review")
    assert f"cloud-config of {len(edited.encode()):,} bytes" in review
    assert at_config.client.get(f"{at_config.url}/review/user-data").data == edited.encode()
    assert stored_user_data(app, at_config.post("review", nav="launch")) == edited.encode()


@HTMX
def test_with_a_script_everything_shows_and_sends_one_multipart(at_config, app, htmx):
    page = make(at_config, **HELPER).get_data(as_text=True)
    fields = step_fields(page)
    step = at_config.post("config", htmx=htmx, user_data=as_posted(SCRIPT), **HELPER, **fields)
    assert step.status_code == (200 if htmx else 303)
    expected = multipart(textarea(page, "cloud_config"), SCRIPT)
    headers = {"HX-Request": "true"} if htmx else {}
    review = at_config.page("review", **headers)
    assert f"cloud-config and script, one MIME multi-part of {len(expected):,} bytes" in review
    # The equivalents read the same user data: the file they name, the API's body.
    assert at_config.client.get(f"{at_config.url}/review/user-data").data == expected.encode()
    api = at_config.client.get(f"{at_config.url}/review/api").get_data(as_text=True)
    server = json.loads(api.partition("\n\n")[2])["server"]
    assert base64.b64decode(server["user_data"]) == expected.encode()
    sent = stored_user_data(app, at_config.post("review", nav="launch"))
    assert sent == expected.encode()
    config, script = email.message_from_bytes(sent).get_payload()
    assert config.get_content_type() == "text/cloud-config"
    assert yaml.safe_load(config.get_payload(decode=True)) == LOADED
    assert (script.get_content_type(), script.get_payload(decode=True)) == (
        "text/x-shellscript",
        SCRIPT.encode(),
    )


def test_the_config_page_sums_up_what_goes(at_config):
    page = make(at_config, **HELPER).get_data(as_text=True)
    at_config.post("config", user_data=SCRIPT, **HELPER, **step_fields(page))
    size = len(multipart(textarea(page, "cloud_config"), SCRIPT))
    assert f"Now: cloud-config and script, one MIME multi-part of {size:,} bytes." in (
        at_config.page("config")
    )


@HTMX
def test_together_over_novas_limit_stops_the_step(at_config, app, htmx):
    page = make(at_config, **HELPER).get_data(as_text=True)
    script = "#!/bin/sh\n" + "#" * (USER_DATA_MAX_BYTES - 200) + "\n"
    for nav in ("next", "launch"):
        response = at_config.post(
            "config", nav=nav, htmx=htmx, user_data=script, **HELPER, **step_fields(page)
        )
        assert response.status_code == 200
        errors = field_errors(response.get_data(as_text=True), "cloud_config")
        size = len(multipart(textarea(page, "cloud_config"), script))
        assert f"With the script, the user data is one MIME multi-part of {size:,} bytes." in errors
        assert "At most 49,149 bytes (Nova's limit, 65,535 once encoded)" in errors
    # Each alone would fit: only the helper's document, or only the script.
    assert at_config.post("config", user_data=script).status_code == 303
    assert at_config.post("config", user_data="", **HELPER, **step_fields(page)).status_code == 303


@HTMX
def test_a_helper_changed_after_making_is_not_left_out_silently(at_config, htmx):
    page = make(at_config, **HELPER).get_data(as_text=True)
    changed = {**HELPER, "init_packages": "nginx git curl"}
    response = at_config.post("config", htmx=htmx, user_data="", **changed, **step_fields(page))
    assert response.status_code == 200
    assert "The helper changed after this cloud-config was made" in field_errors(
        response.get_data(as_text=True), "cloud_config"
    )
    remade = make(at_config, htmx, **changed).get_data(as_text=True)
    assert yaml.safe_load(textarea(remade, "cloud_config"))["packages"] == ["nginx", "git", "curl"]
    done = at_config.post("config", user_data="", **changed, **step_fields(remade))
    assert done.status_code == 303
