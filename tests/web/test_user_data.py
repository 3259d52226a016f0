"""User data as Nova takes it: typed text with LF, uploaded files byte for byte
(text, gzip or other binary), sizes in bytes, and uploads that cannot be taken
keeping the user on the step."""

from __future__ import annotations

import base64
import gzip
import html
import io
import re
import sqlite3

from novaclient import api_versions
from novaclient.v2.servers import ServerManager

from webapp.cloud.models import ServerRequest
from webapp.cloud.openstack.boot import create_arguments

CLOUD_CONFIG = b"#cloud-config\r\nruncmd:\r\n  - [sh, -c, 'echo h\xc3\xa9llo > /tmp/skiff']\r\n"
BINARY = bytes(range(256)) * 4  # not UTF-8, not gzip


def stored_user_data(app, response) -> bytes | None:
    """The user data the demo cloud stored for the server just launched."""
    assert response.status_code == 303, re.findall(r"<li>([^<]+)</li>", response.text)
    server_id = response.headers["Location"].rsplit("/", 1)[1]
    with sqlite3.connect(app.config["DEMO_DATABASE"]) as db:
        (value,) = db.execute("SELECT user_data FROM servers WHERE id = ?", (server_id,)).fetchone()
    return value.encode() if isinstance(value, str) else value


def upload(wizard, content: bytes, nav="next", name="user-data", **fields):
    """Post the Configuration step with a file, as a browser would."""
    data = {"user_data": "", **fields, "user_data_file": (io.BytesIO(content), name)}
    return wizard.post("config", nav=nav, **data)


def as_browser_posts(page: str) -> dict[str, str]:
    """The script fields of a Configuration page, posted back as a browser would:
    the textarea's line ends as CRLF, a ticked upload with its value."""
    shown = re.search(r'<textarea[^>]*name="user_data"[^>]*>(.*?)</textarea>', page, re.S)
    assert shown, "no script field"
    text = html.unescape(shown.group(1)).replace("\r\n", "\n").replace("\r", "\n")
    fields = {"user_data": text.removeprefix("\n").replace("\n", "\r\n")}
    ticked = re.search(r'name="user_data_upload" value="([^"]*)" checked', page)
    if ticked:
        fields["user_data_upload"] = ticked.group(1)
    return fields


def field_errors(page: str, field: str) -> str:
    found = re.search(rf'id="{field}-errors">(.*?)</ul>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def test_a_typed_script_gets_unix_line_ends(wizard, app):
    wizard.open()
    wizard.fill_all()
    response = wizard.launch(user_data="#!/bin/sh\r\necho hi\r\n")
    assert stored_user_data(app, response) == b"#!/bin/sh\necho hi\n"


def test_an_uploaded_text_file_keeps_its_crlf_through_a_second_post(wizard, app):
    wizard.open()
    wizard.fill_all()
    assert upload(wizard, CLOUD_CONFIG, name="init.yaml").status_code == 303
    page = wizard.page("config")
    assert "echo héllo" in html.unescape(page)
    assert f"Now: script of {len(CLOUD_CONFIG)} bytes." in page
    # Back on the step, Next again: the textarea comes back with CRLF everywhere,
    # the file's own bytes with it.
    fields = as_browser_posts(page)
    assert base64.b64decode(fields["user_data_upload"]) == CLOUD_CONFIG
    assert wizard.post("config", **fields).status_code == 303
    assert f"script of {len(CLOUD_CONFIG)} bytes" in wizard.page("review")
    assert stored_user_data(app, wizard.post("review", nav="launch")) == CLOUD_CONFIG


def test_editing_an_uploaded_text_file_makes_it_typed_text(wizard, app):
    wizard.open()
    wizard.fill_all()
    upload(wizard, CLOUD_CONFIG)
    fields = as_browser_posts(wizard.page("config"))
    fields["user_data"] += "\r\nbootcmd: []\r\n"
    response = wizard.post("config", nav="launch", **fields)
    expected = CLOUD_CONFIG.replace(b"\r\n", b"\n") + b"\nbootcmd: []\n"
    assert stored_user_data(app, response) == expected


def test_a_gzipped_cloud_config_is_launched_byte_for_byte(wizard, app):
    packed = gzip.compress(CLOUD_CONFIG)
    wizard.open()
    wizard.fill_all()
    assert upload(wizard, packed, name="user-data.gz").status_code == 303
    page = wizard.page("config")
    assert f"Now: binary user data of {len(packed)} bytes (gzip)." in page
    assert as_browser_posts(page)["user_data"] == ""
    assert f"binary user data of {len(packed)} bytes (gzip)" in wizard.page("review")
    # Posted again with the step's fields as shown: the file is kept.
    assert wizard.post("config", **as_browser_posts(page)).status_code == 303
    assert stored_user_data(app, wizard.post("review", nav="launch")) == packed


def test_any_binary_file_is_launched_byte_for_byte(wizard, app):
    wizard.open()
    wizard.fill_all()
    response = upload(wizard, BINARY, nav="launch")
    assert stored_user_data(app, response) == BINARY


def test_a_typed_script_or_an_unticked_box_drops_a_binary_file(wizard):
    wizard.open()
    wizard.fill_all()
    upload(wizard, BINARY)
    kept = as_browser_posts(wizard.page("config"))
    assert kept["user_data_upload"] == base64.b64encode(BINARY).decode()
    wizard.post("config", **{**kept, "user_data": "#!/bin/sh\r\n"})
    assert "script of 10 bytes" in wizard.page("review")
    upload(wizard, BINARY)
    wizard.post("config", user_data="")  # the box unticked: not posted
    assert "no script" in wizard.page("review")


def test_an_upload_field_that_is_not_base64_holds_no_upload(wizard):
    wizard.open()
    wizard.fill_all()
    for forged in ("é not even ASCII", "not base64!"):
        response = wizard.post("config", user_data="", user_data_upload=forged)
        assert response.status_code == 303
        assert "no script" in wizard.page("review")


def test_review_counts_the_bytes_of_a_non_ascii_script(wizard):
    script = "#!/bin/sh\necho 'héllo from Skiff ✓'\n"
    wizard.open()
    wizard.fill_all()
    wizard.post("config", user_data=script)
    review = wizard.page("review")
    assert f"script of {len(script.encode())} bytes" in review
    assert len(script.encode()) != len(script)


def test_a_file_over_novas_limit_stops_the_step_with_the_other_fields_kept(wizard, app):
    wizard.open()
    wizard.fill_all()
    other = {"metadata": "role=web", "tags": "a, b", "hostname": "kept-host"}
    for nav in ("next", "launch"):
        response = upload(wizard, BINARY[:250] * 196 + b"\xff" * 150, nav=nav, **other)
        assert response.status_code == 200
        errors = field_errors(response.text, "user_data")
        assert "The file is 49,150 bytes." in errors
        assert "At most 49,149 bytes (Nova's limit, 65,535 once encoded)." in errors
        assert ">\r\nrole=web</textarea>" in response.text
        assert 'value="kept-host"' in response.text
    with sqlite3.connect(app.config["DEMO_DATABASE"]) as db:
        assert db.execute("SELECT COUNT(*) FROM servers WHERE name = 'web-1'").fetchone() == (0,)


def test_a_file_over_the_upload_limit_is_a_413_with_the_rest_of_the_step_kept(wizard, app):
    wizard.open()
    wizard.fill_all()
    typed = {"user_data": "#!/bin/sh\necho typed\n", "metadata": "role=web"}
    too_big = b"#" * (app.config["MAX_UPLOAD_BYTES"] + 1)
    for nav in ("next", "launch", "back"):
        response = upload(wizard, too_big, nav=nav, name="huge.sh", **typed)
        assert response.status_code == 413, nav
        assert "huge.sh is over 65,536 bytes: not taken." in field_errors(
            response.text, "user_data"
        )
        assert "echo typed" in response.text
        assert "role=web</textarea>" in response.text
    with sqlite3.connect(app.config["DEMO_DATABASE"]) as db:
        assert db.execute("SELECT COUNT(*) FROM servers").fetchone() == (0,)
    # Kept on the server, not only in the answer: the step shows it again.
    again = wizard.page("config")
    assert "echo typed" in again and "role=web</textarea>" in again
    # Over HTMX the step comes back in its panel (not in the messages area).
    response = wizard.client.post(
        f"{wizard.url}/config",
        data={
            "csrf_token": wizard.token,
            "nav": "next",
            "user_data_file": (io.BytesIO(too_big), "huge.sh"),
            **typed,
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 413
    assert response.headers["HX-Retarget"] == "#wizard-panel"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert 'id="wizard-panel"' in response.get_data(as_text=True)


def test_a_public_key_file_that_is_not_text_is_an_error_beside_its_field(wizard):
    wizard.open()
    wizard.fill_all()
    response = wizard.post(
        "access",
        keypair="",
        new_keypair_name="laptop",
        public_key_file=(io.BytesIO(BINARY), "id.pub"),
    )
    assert response.status_code == 200
    assert "id.pub is not a text file." in field_errors(response.text, "public_key")
    assert 'value="laptop"' in response.text


def test_novaclient_gets_binary_user_data_as_it_is_and_encodes_it():
    request = ServerRequest(name="n", flavor_id="f", image_id="i", user_data=BINARY)
    _, options = create_arguments(request, api_versions.APIVersion("2.96"))
    assert base64.b64decode(ServerManager.transform_userdata(options["userdata"])) == BINARY
