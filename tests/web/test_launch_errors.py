"""Bad input, refusals, expired logins and double submits: each gets a clear
message on the right step, and nothing the user typed is lost."""

import json
import re
import threading
import urllib.parse
from html import unescape as html_unescape

import pytest

from tests.helpers.wizard import Wizard


def test_post_without_csrf_token_is_refused(wizard):
    wizard.open()
    response = wizard.client.post(f"{wizard.url}/details", data={"name": "x", "nav": "next"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_htmx_post_without_csrf_token_shows_the_message_in_place(wizard):
    wizard.open()
    response = wizard.client.post(
        f"{wizard.url}/details", data={"name": "x"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#messages"
    assert "This form has expired" in response.get_data(as_text=True)


def test_csrf_token_in_the_htmx_header_is_accepted(wizard):
    wizard.open()
    response = wizard.client.post(
        f"{wizard.url}/details",
        data={"nav": "back"},
        headers={"HX-Request": "true", "X-CSRFToken": wizard.token},
    )
    assert response.status_code == 200


def test_login_post_without_csrf_token_is_refused(client):
    response = client.post("/auth/login", data={"username": "demo", "password": "demo"})
    assert response.status_code == 400


STEP_CASES = [
    ("details", {"name": ""}, "name", "This field is required."),
    ("details", {"name": "x" * 256}, "name", "Field cannot be longer than 255 characters."),
    (
        "details",
        {"description": "d" * 256},
        "description",
        "Field cannot be longer than 255 characters.",
    ),
    ("details", {"count": "0"}, "count", "Number must be between 1 and 100."),
    ("details", {"count": "many"}, "count", "Not a valid integer value."),
    ("details", {"availability_zone": "mars"}, "availability_zone", "Not a valid choice."),
    ("source", {"source_id": ""}, "source_id", "Choose what to boot from."),
    ("source", {"source_id": "not-an-image"}, "source_id", "Not a valid choice."),
    ("flavor", {"flavor": ""}, "flavor", "Choose a flavor."),
    (
        "flavor",
        {"flavor": "m1.tiny", "image": "ubuntu"},
        "flavor",
        "m1.tiny cannot be used: the source needs 1 GB of RAM; it has 512 MB.",
    ),
    (
        "flavor",
        {"flavor": "m1.nano", "image": "debian"},
        "flavor",
        "m1.nano cannot be used: the source needs 512 MB of RAM; it has 128 MB.",
    ),
    (
        "flavor",
        {"flavor": "m1.large", "count": "6"},
        "flavor",
        "m1.large cannot be used: 24 vCPUs for 6 servers would go over the project's limit "
        "of 20 vCPUs; 0 are in use.",
    ),
    (
        "details",
        {"count": "11"},
        "count",
        "11 instances would go over the project's limit of 10; 0 are in use.",
    ),
    (
        "flavor",
        {"flavor": "v1.volume-only"},
        "flavor",
        "v1.volume-only cannot be used: it has no root disk: boot from a volume (Source step).",
    ),
]


@pytest.mark.parametrize(("slug", "change", "field", "message"), STEP_CASES)
def test_each_bad_input_is_explained_beside_its_field_and_the_rest_kept(
    wizard, slug, change, field, message
):
    wizard.open()
    details = {
        "name": "keep-me",
        "description": "kept description",
        "count": change.pop("count", "1"),
        "availability_zone": "nova",
    }
    if slug == "details":
        details.update(change)
    response = wizard.post("details", **details)
    if slug != "details":
        assert response.status_code == 303
        image = change.pop("image", "cirros")
        source = {"source_id": wizard.option("source", image)}
        if slug == "source":
            source.update(change)
        response = wizard.post("source", **source)
    if slug == "flavor":
        assert response.status_code == 303
        wanted = change["flavor"]
        response = wizard.post("flavor", flavor=wizard.option("flavor", wanted) if wanted else "")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    errors = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    assert errors, f"no errors beside {field}"
    assert message in html_unescape(errors.group(1))
    if slug == "details":
        for key in ("name", "description"):
            if key != field:
                assert f'value="{details[key]}"' in html
    if field != "description":
        assert 'value="kept description"' in wizard.page("details")


def test_network_step_refuses_duplicates_and_auto_with_others(wizard):
    wizard.open()
    wizard.post("details", name="n", count="1")
    private = wizard.option("network", "private")
    html = wizard.post("network", nic_1=private, nic_2=private).get_data(as_text=True)
    assert "Each network or port can be chosen once." in html
    html = wizard.post("network", nic_1="none", nic_2=private).get_data(as_text=True)
    assert "Automatic or no network cannot be combined with other interfaces." in html
    html = wizard.post("network", nic_1="").get_data(as_text=True)
    assert "Choose a network." in html


def test_networks_without_a_subnet_are_not_offered(wizard):
    wizard.open()
    wizard.post("details", name="n", count="1")
    html = wizard.page("network")
    assert ">private<" in html and "shared-net (shared)" in html
    assert "isolated" not in html


def test_user_data_over_novas_limit_is_refused_before_submit(wizard):
    wizard.open()
    wizard.post("details", name="n", count="1")
    html = wizard.post("config", user_data="x" * 49_200).get_data(as_text=True)
    assert "The script is 49,200 bytes. At most 49,149 bytes (Nova&#39;s limit" in html
    ok = wizard.post("config", user_data="x" * 49_149)
    assert ok.status_code == 303


def test_uploaded_script_is_read_into_the_script_field(wizard):
    import io

    wizard.open()
    wizard.post("details", name="n", count="1")
    response = wizard.client.post(
        f"{wizard.url}/config",
        data={
            "csrf_token": wizard.token,
            "nav": "next",
            "user_data": "",
            "user_data_file": (io.BytesIO(b"#cloud-config\nfrom: a file\n"), "init.yaml"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert "from: a file" in wizard.page("config")


def test_keypair_and_security_groups_are_checked(wizard):
    wizard.open()
    wizard.fill_all()
    html = wizard.post("access", keypair="nope", security_groups=["default", "ghosts"]).get_data(
        as_text=True
    )
    keypair_errors = re.search(r'id="keypair-errors">(.*?)</ul>', html, re.S).group(1)
    assert "Not a valid choice." in keypair_errors
    assert "&#39;ghosts&#39; is not a valid choice for this field." in html


def test_launch_over_quota_lands_on_details_with_novas_message(wizard):
    with wizard.client.session_transaction() as session:
        projects = session["identity"]["projects"]
    sandbox = next(p["id"] for p in projects if p["name"] == "sandbox")  # 2 instances
    wizard.open()
    wizard.client.post("/auth/project", data={"project_id": sandbox, "csrf_token": wizard.token})
    wizard.open()
    wizard.fill_all(name="third")
    first_tab = wizard.url
    # Meanwhile another tab uses up the quota, after this wizard listed it.
    for name in ("a", "b"):
        wizard.open()
        wizard.fill_all(name=name)
        assert wizard.launch().status_code == 303
    wizard.url = first_tab
    response = wizard.launch(user_data="#!/bin/sh\necho kept\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ">Details</h2>" in html
    errors = re.search(r'<ul class="errors" id="count-errors">(.*?)</ul>', html, re.S).group(1)
    said = html_unescape(errors).strip()
    assert said.startswith(
        "<li>The cloud refused the launch over the project's instances quota: 1 instance would "
        "go over the project's limit of 2; 2 are in use. The cloud said: "
    )
    assert "Quota exceeded for instances: Requested 1, but already used 2 of 2 instances" in errors
    assert "(request req-" in errors
    assert "Could not launch &#34;third&#34;: see Details, marked &#34;!&#34;." in html
    assert 'value="third"' in html
    assert "echo kept" in wizard.page("config")


def test_expired_login_mid_wizard_keeps_everything(wizard, app):
    wizard.open()
    wizard.fill_all(name="survivor")
    with wizard.client.session_transaction() as session:
        identity = dict(session["identity"])
        identity["auth_state"] = json.dumps({"project_id": identity["project_id"], "expires_at": 0})
        session["identity"] = identity
    response = wizard.launch(user_data="#cloud-config\n# typed before expiry\n")
    assert response.status_code == 303
    login = urllib.parse.urlsplit(response.headers["Location"])
    assert login.path == "/auth/login"
    assert urllib.parse.parse_qs(login.query)["next"] == [f"{wizard.url}/config"]
    token = wizard.csrf()
    back = wizard.client.post(
        "/auth/login",
        data={
            "username": "demo",
            "password": "demo",
            "csrf_token": token,
            "next": f"{wizard.url}/config",
        },
    )
    assert back.headers["Location"] == f"{wizard.url}/config"
    page = wizard.page("config")
    assert "# typed before expiry" in page
    assert 'value="survivor"' in wizard.page("details")


def test_another_user_logging_in_does_not_inherit_wizards(client, monkeypatch):
    from webapp.cloud.demo import data as demo_data

    monkeypatch.setitem(
        demo_data.USERS, "eve", {"id": "eve-id", "password": "eve", "projects": ("demo",)}
    )
    first = Wizard(client)
    first.login()
    first.open()
    first.login("eve", "eve")
    assert client.get(f"{first.url}/details").headers["Location"] == "/launch/"


def test_double_submit_launches_once(wizard, app):
    wizard.open()
    wizard.fill_all(name="once")
    results = []

    def press_launch():
        results.append(wizard.launch())

    threads = [threading.Thread(target=press_launch) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    locations = {r.headers.get("Location") for r in results}
    assert len(locations) == 1 and None not in locations
    servers = [s for s in _servers(app) if s.name == "once"]
    assert len(servers) == 1


def test_back_button_after_launch_does_not_relaunch(wizard, app):
    wizard.open()
    wizard.fill_all(name="just-one")
    server_url = wizard.launch().headers["Location"]
    # The browser's back button: the step page again, then a resubmit.
    again = wizard.client.get(f"{wizard.url}/config")
    assert again.headers["Location"] == server_url
    resubmit = wizard.launch()
    assert resubmit.headers["Location"] == server_url
    assert [s.name for s in _servers(app)].count("just-one") == 1


def test_cloud_not_answering_keeps_the_wizard_and_a_retry_launches(wizard, app, monkeypatch):
    from webapp.cloud.demo import DemoConnection
    from webapp.cloud.errors import CloudUnavailable

    real_create = DemoConnection.create_servers

    def down(self, request):
        raise CloudUnavailable("The cloud did not answer.", request_id="req-42")

    wizard.open()
    wizard.fill_all(name="patient")
    monkeypatch.setattr(DemoConnection, "create_servers", down)
    response = wizard.launch(user_data="#!/bin/sh\necho retry\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The cloud did not answer. (request req-42) Nothing was launched" in html
    assert ">Review</h2>" in html
    assert "echo retry" in wizard.page("config")
    assert _servers(app) == []
    monkeypatch.setattr(DemoConnection, "create_servers", real_create)
    retry = wizard.launch(user_data="#!/bin/sh\necho retry\n")
    assert retry.status_code == 303
    assert [s.name for s in _servers(app)] == ["patient"]


def _servers(app):
    provider = app.extensions["skiff.cloud"]
    identity = provider.login("demo", "demo")
    return provider.connect(identity).list_servers()
