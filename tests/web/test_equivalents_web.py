"""Review's equivalents of the launch, through the test client: the
``openstack server create`` command, the Nova API request and the OpenTofu
configuration are shown (page and panel) and downloadable, the same text both
ways, with the script they read; the admin password is in none of them."""

from __future__ import annotations

import gzip
import html as html_text
import io
import json
import re
import shlex

import pytest

from webapp.cloud.demo.data import IMAGES

HTMX = pytest.mark.parametrize("htmx", [False, True], ids=["page", "panel"])
PASSWORD = "s3cret-pass"
SCRIPT = "#!/bin/sh\necho 'it''s'\n"


def shown(page: str, kind: str) -> str:
    """The text of one equivalent as the page shows it (unescaped)."""
    found = re.search(rf'<code id="equivalent-{kind}">(.*?)</code>', page, re.S)
    assert found, f"no {kind} shown"
    return html_text.unescape(found.group(1))


@pytest.fixture
def at_review(wizard):
    """A wizard with every step done: an admin password, a script, metadata."""
    wizard.open()
    wizard.fill_all(name="eq web", admin_pass=PASSWORD, confirm_admin_pass=PASSWORD)
    done = wizard.post("config", user_data=SCRIPT, metadata="role=web", tags="a, b")
    assert done.status_code == 303
    return wizard


@HTMX
def test_review_shows_the_three_equivalents_and_their_downloads(at_review, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    page = at_review.page("review", **headers)
    assert PASSWORD not in page
    for kind, filename in (
        ("command", "launch-eq-web.sh"),
        ("api", "launch-eq-web.http"),
        ("terraform", "eq-web.tf"),
    ):
        download = at_review.client.get(f"{at_review.url}/review/{kind}")
        assert download.status_code == 200
        assert download.mimetype == "text/plain"
        assert download.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
        assert download.get_data(as_text=True) == shown(page, kind)
        assert PASSWORD not in download.get_data(as_text=True)
        assert f'href="{at_review.url}/review/{kind}" download' in page
    # the Copy buttons wait for JavaScript to show them
    assert re.search(
        r'<button type="button" class="secondary" data-copy="equivalent-command"[^>]*hidden>', page
    )
    script = at_review.client.get(f"{at_review.url}/review/user-data")
    assert script.data == SCRIPT.encode()
    assert script.headers["Content-Disposition"] == 'attachment; filename="user-data"'


def test_the_equivalents_say_what_was_chosen(at_review):
    page = at_review.page("review")
    cirros = next(image.id for image in IMAGES if image.name.startswith("cirros"))
    words = shlex.split(
        "\n".join(line for line in shown(page, "command").splitlines() if line[:1] != "#")
    )
    assert words[:3] == ["openstack", "server", "create"]
    assert words[words.index("--image") + 1] == cirros
    assert words[words.index("--property") + 1] == "role=web"
    assert words[words.index("--user-data") + 1] == "user-data"
    assert words[-1] == "eq web"
    assert "administrator password is set" in shown(page, "command")

    request, _, body = shown(page, "api").partition("\n\n")
    assert request.splitlines()[0] == "POST /servers"
    server = json.loads(body)["server"]
    assert server["imageRef"] == cirros and server["name"] == "eq web"
    assert server["adminPass"] != PASSWORD and server["tags"] == ["a", "b"]

    assert 'resource "openstack_compute_instance_v2"' in shown(page, "terraform")
    assert f'image_id          = "{cirros}"' in shown(page, "terraform")


def test_nothing_to_download_before_every_step_is_done_or_for_another_kind(wizard):
    wizard.open()
    wizard.post("details", name="half", count="1")
    assert wizard.client.get(f"{wizard.url}/review/command").status_code == 404
    wizard.fill_all(name="whole")
    assert wizard.client.get(f"{wizard.url}/review/command").status_code == 200
    assert wizard.client.get(f"{wizard.url}/review/nothing").status_code == 404
    assert wizard.client.get(f"{wizard.url}/details/command").status_code == 404
    assert wizard.client.get(f"{wizard.url}/review/user-data").status_code == 404  # no script


def test_a_binary_script_is_downloaded_byte_for_byte_not_shown(wizard):
    content = gzip.compress(b"#cloud-config\n")
    wizard.open()
    wizard.fill_all(name="gz")
    wizard.post("config", user_data="", user_data_file=(io.BytesIO(content), "ud.gz"))
    page = wizard.page("review")
    assert 'id="equivalent-user-data"' not in page
    script = wizard.client.get(f"{wizard.url}/review/user-data")
    assert script.data == content and script.mimetype == "application/octet-stream"
    assert "filebase64(" in shown(page, "terraform")
