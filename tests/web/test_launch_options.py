"""Each boot source and option of the launch wizard, end to end on the demo cloud:
the server reaches ACTIVE with the chosen values read back."""

import re

import pytest

from tests.helpers.state import sqlite_bytes
from tests.helpers.state import wizard_record


def launched(wizard, app, **post):
    response = wizard.launch(**post)
    html = response.get_data(as_text=True)
    assert response.status_code == 303, re.findall(r"<li>([^<]+)</li>", html)
    server_id = response.headers["Location"].rsplit("/", 1)[1]
    provider = app.extensions["skiff.cloud"]
    return provider.connect(provider.login("demo", "demo")).get_server(server_id)


@pytest.mark.parametrize(
    ("source", "options", "image_id_empty"),
    [
        ("cirros", {}, False),
        ("web-01-snapshot", {}, False),
        ("debian-boot", {}, True),
        ("debian-boot-snapshot", {"volume_size": "12"}, True),
        (
            "cirros",
            {
                "create_volume": "y",
                "volume_size": "3",
                "volume_type": "ssd",
                "delete_on_termination": "y",
            },
            True,
        ),
        (
            "cirros",
            {"data_volume_size": "5", "data_volume_count": "2", "data_delete_on_termination": "y"},
            False,
        ),
    ],
)
def test_every_boot_source_reaches_active(wizard, app, source, options, image_id_empty):
    flavor = "m1.small" if "snapshot" in source or "debian" in source else "m1.tiny"
    wizard.open()
    wizard.fill_all(name="src", image=source, flavor=flavor, **options)
    server = launched(wizard, app)
    assert server.status == "ACTIVE", server.fault
    assert (server.image_id == "") is image_id_empty
    expected_volumes = int(image_id_empty) + int(options.get("data_volume_count", 0))
    assert len(server.volumes) == expected_volumes


def test_zero_disk_flavor_boots_from_a_new_volume(wizard, app):
    wizard.open()
    wizard.fill_all(name="zero", flavor="v1.volume-only", create_volume="y")
    assert launched(wizard, app).status == "ACTIVE"


def test_fixed_ip_and_a_port_in_order(wizard, app):
    wizard.open()
    wizard.post("details", name="n", count="1")
    port = wizard.option("network", "shared-net-port")
    wizard.fill_all(name="nics", ip_1="10.0.0.77", nic_2=port)
    server = launched(wizard, app)
    assert server.addresses[0] == "private: 10.0.0.77"
    assert server.addresses[1].startswith("shared-net: 192.168.100.50")


def test_imported_key_pair_is_used(wizard, app):
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPd3mVqLq1zX0m2o8mJ1m7QeUu3kYw1c0fJr0Xk7c9Qh me@host"
    wizard.open()
    wizard.fill_all(name="imp", keypair="", new_keypair_name="laptop", public_key=key)
    assert launched(wizard, app).key_name == "laptop"


def test_generated_key_pair_is_shown_once_and_not_kept(wizard, app):
    wizard.open()
    wizard.fill_all(name="gen")
    response = wizard.post("access", nav="generate_key", new_keypair_name="fresh")
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    private = re.search(
        r"(-----BEGIN OPENSSH PRIVATE KEY-----.*?-----END OPENSSH PRIVATE KEY-----)", html, re.S
    )
    assert private and 'hx-history="false"' in html
    assert re.search(
        r'<option selected value="fresh">fresh</option>|<option value="fresh" selected>', html
    )
    # Kept nowhere: not in the session, not on the page again.
    with wizard.client.session_transaction() as session:
        assert "PRIVATE KEY" not in repr(dict(session))
    assert "PRIVATE KEY" not in wizard.page("access")
    assert launched(wizard, app).key_name == "fresh"


def test_configuration_options_reach_the_server(wizard, app):
    wizard.open()
    wizard.fill_all(name="conf", admin_pass="s3cret-pass", confirm_admin_pass="s3cret-pass")
    wizard_id = wizard.url.rsplit("/", 1)[1]
    record = wizard_record(app, wizard.client, wizard_id)
    assert record["input"]["access"]["admin_pass"] == ["s3cret-pass"]  # kept until the launch
    assert b"s3cret-pass" not in sqlite_bytes(app)  # but sealed at rest
    wizard.post(
        "config",
        user_data="#!/bin/sh",
        config_drive="y",
        disk_config="MANUAL",
        server_group=wizard.option("config", "web-anti-affinity"),
        metadata="role=web\nteam=ops",
        tags="a, b",
        hostname="conf-host",
    )
    review = wizard.page("review")
    for term, value in (
        ("Name", "conf"),
        ("Boot source", "cirros-0.6.3 (image)"),
        ("Flavor", "m1.tiny"),
        ("Networks", "private"),
        ("Key pair", "demo-key"),
        ("Admin password", "set"),
        ("Config drive", "yes"),
        ("Disk partition", "manual"),
        ("Server group", "web-anti-affinity (anti-affinity)"),
        ("Tags", "a, b"),
        ("Hostname", "conf-host"),
        ("Metadata", "role = web<br>team = ops"),
    ):
        assert f"<dt>{term}</dt><dd>{value}" in review, (term, value)
    assert "s3cret-pass" not in review
    assert "Project quota with this launch" in review
    response = wizard.post("review", nav="launch")
    assert response.status_code == 303
    server_id = response.headers["Location"].rsplit("/", 1)[1]
    import json
    import sqlite3

    row = (
        sqlite3.connect(app.config["DEMO_DATABASE"])
        .execute("SELECT user_data, details FROM servers WHERE id = ?", (server_id,))
        .fetchone()
    )
    details = json.loads(row[1])
    assert row[0] == "#!/bin/sh"
    assert details["metadata"] == {"role": "web", "team": "ops"}
    assert details["tags"] == ["a", "b"]
    assert details["hostname"] == "conf-host"
    assert details["config_drive"] is True
    assert "s3cret-pass" not in repr(wizard_record(app, wizard.client, wizard_id))
    page = wizard.client.get(response.headers["Location"]).get_data(as_text=True)
    metadata = "<code>role=web</code>, <code>team=ops</code>"
    for shown in ("conf-host", "a, b", metadata, "Config drive"):
        assert shown in page, shown


def test_review_links_back_to_each_step(wizard):
    wizard.open()
    wizard.fill_all()
    review = wizard.page("review")
    for slug in ("details", "source", "flavor", "network", "access", "config"):
        assert f'name="nav" value="step:{slug}"' in review


def test_launch_prefilled_from_a_link(wizard):
    wizard.open()
    wizard.post("details", name="n", count="1")
    volume = wizard.option("source", "debian-boot")
    wizard.open(f"?volume={volume}&name=from-link")
    assert 'value="from-link"' in wizard.page("details")
    wizard.post("details", name="from-link", count="1")
    # the Volumes tab is shown, the volume's row chosen
    source = wizard.page("source")
    assert re.search(r'name="source_kind" id="[^"]+" value="volume" checked', source)
    assert re.search(rf'name="source_id" id="[^"]+" value="{volume}" checked', source)


def test_count_above_one_follows_every_server(wizard, app):
    wizard.open()
    wizard.fill_all(name="many", count="3")
    response = wizard.launch()
    assert response.headers["Location"].startswith("/servers/?ids=")
    page = wizard.client.get(response.headers["Location"]).get_data(as_text=True)
    assert all(f">many-{n}<" in page for n in (1, 2, 3))


def test_impossible_flavor_fault_is_explained(wizard, app):
    wizard.open()
    wizard.fill_all(name="huge", flavor="r1.huge")
    url = wizard.launch().headers["Location"]
    page = wizard.client.get(url).get_data(as_text=True)
    assert 'data-status="ERROR"' in page
    assert "No valid host was found." in page
    assert "No compute host had room for this server" in page
