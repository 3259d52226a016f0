"""Launch again like this (``POST /launch/again/<server_id>``): a new wizard
pre-filled from a server, every step checked against today's cloud, landing on
Review or on the first step with an error; plain and over htmx."""

from __future__ import annotations

import re
import sqlite3
import uuid
from dataclasses import replace

import pytest

from tests.helpers.again import PRIVATE
from tests.helpers.again import SHARED
from tests.helpers.again import demo_connection
from tests.helpers.again import follow
from tests.helpers.again import landed
from tests.helpers.again import launch
from tests.helpers.again import launch_web
from tests.helpers.again import messages
from tests.helpers.again import press_again
from tests.helpers.again import saved_errors
from tests.helpers.again import saved_input
from tests.helpers.wizard import Wizard
from webapp import create_app
from webapp.blueprints.launch.again import NAME_MAX
from webapp.blueprints.launch.again import Original
from webapp.blueprints.launch.again import next_name
from webapp.blueprints.launch.again import seed
from webapp.cloud.catalog import Catalog
from webapp.cloud.demo import data
from webapp.cloud.demo.connection import DemoConnection
from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.models import Flavor
from webapp.cloud.models import Server
from webapp.forms.launch.common import LaunchResources
from webapp.forms.launch.settings import LaunchSettings

HTMX = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPd3mVqLq1zX0m2o8mJ1m7QeUu3kYw1c0fJr0Xk7c9Qh me@host"


@HTMX
def test_every_setting_is_copied_it_lands_on_review_and_launches_the_same(wizard, app, htmx):
    connection = demo_connection(app)
    first = connection.get_server(launch_web(wizard))
    assert first.status == "ACTIVE"

    url = landed(press_again(wizard, first.id, htmx=htmx), htmx=htmx)

    assert re.fullmatch(r"/launch/[\w-]+/review", url)
    assert url.rsplit("/", 2)[1] not in wizard.url  # a new wizard, not the first one
    review = follow(wizard, url)
    assert 'A launch like "web", checked against the cloud as it is now.' in review
    for words in ("web-2", "cirros-0.6.3", "m1.small", "private", "shared-net", "demo-key"):
        assert words in review, words
    typed = saved_input(app, wizard)
    assert typed["details"] == {
        "name": ["web-2"],
        "description": ["front end"],
        "availability_zone": [""],
        "count": ["1"],
        "expires": ["never"],  # as the first: it has no expiry
    }
    assert typed["source"] == {"source_id": [first.image_id]}  # no new volume
    assert typed["flavor"] == {"flavor": [first.flavor_id]}
    assert typed["network"] == {"nic_1": [PRIVATE], "nic_2": [SHARED]}
    assert typed["access"] == {"keypair": ["demo-key"], "security_groups": ["web", "ssh"]}
    assert typed["config"] == {
        "metadata": ["role=web\nteam=ops"],
        "tags": ["blue, green"],
        "config_drive": ["y"],
    }
    assert saved_errors(app, wizard) == {}
    # the steps show what was copied, as if typed
    assert 'value="web-2"' in wizard.page("details")
    assert re.search(r'value="ssh"[^>]*checked|checked[^>]*value="ssh"', wizard.page("access"))
    assert "role=web\nteam=ops" in wizard.page("config")

    response = wizard.post("review", nav="launch", htmx=htmx)
    target = response.headers["HX-Redirect" if htmx else "Location"]
    second = connection.get_server(target.rsplit("/", 1)[1])
    assert second.id != first.id
    assert second.name == "web-2"
    same = ("image_id", "flavor_id", "key_name", "description", "metadata", "tags")
    for attribute in (*same, "config_drive"):
        assert getattr(second, attribute) == getattr(first, attribute), attribute
    assert sorted(second.security_groups) == sorted(first.security_groups) == ["ssh", "web"]
    networks = [p.network_id for p in connection.server_ports(second.id)]
    assert networks == [p.network_id for p in connection.server_ports(first.id)]
    assert networks == [PRIVATE, SHARED]


def test_again_of_a_copy_numbers_on(wizard, app):
    follow(wizard, landed(press_again(wizard, launch_web(wizard)), htmx=False))
    second = wizard.post("review", nav="launch").headers["Location"].rsplit("/", 1)[1]
    follow(wizard, landed(press_again(wizard, second), htmx=False))
    assert saved_input(app, wizard)["details"]["name"] == ["web-3"]


NAMES = [("web", "web-2"), ("web-2", "web-3"), ("web-9", "web-10"), ("db-09", "db-10")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [*NAMES, ("my-app", "my-app-2"), ("x" * NAME_MAX, "x" * (NAME_MAX - 2) + "-2")],
)
def test_the_name_gets_a_suffix(name, expected):
    assert next_name(name) == expected


@HTMX
def test_an_image_gone_today_is_an_error_on_the_source_step_the_rest_is_kept(
    wizard, app, monkeypatch, htmx
):
    connection = demo_connection(app)
    wizard.open()
    wizard.fill_all(name="deb", image="debian-12", flavor="m1.small", nic_2=SHARED)
    first = connection.get_server(launch(wizard, tags="x"))
    monkeypatch.setattr(data, "IMAGES", tuple(i for i in data.IMAGES if i.id != first.image_id))

    url = landed(press_again(wizard, first.id, htmx=htmx), htmx=htmx)

    assert url.endswith("/source")
    page = follow(wizard, url)
    message = (
        f"The image this server booted from no longer exists (id {first.image_id}): "
        "choose another boot source."
    )
    assert message in page
    assert 'Not all of "deb" can be launched again: see the steps marked with "!".' in page
    # only this clear message on the field, not the wizard's "Choose what to boot from."
    assert saved_errors(app, wizard) == {"source": {"source_id": [message]}}
    typed = saved_input(app, wizard)
    assert typed["source"]["source_id"] == [""]
    assert typed["details"]["name"] == ["deb-2"]
    assert typed["flavor"] == {"flavor": [first.flavor_id]}
    assert typed["network"] == {"nic_1": [PRIVATE], "nic_2": [SHARED]}
    assert typed["access"]["keypair"] == ["demo-key"]
    assert typed["config"]["tags"] == ["x"]

    # another image, and everything else as it was
    response = wizard.post("source", nav="launch", source_id=wizard.option("source", "ubuntu"))
    assert response.status_code == 303, messages(response.get_data(as_text=True))
    second = connection.get_server(response.headers["Location"].rsplit("/", 1)[1])
    assert (second.name, second.flavor_id, second.tags) == ("deb-2", first.flavor_id, ("x",))
    assert second.image_id == next(i.id for i in data.IMAGES if i.name.startswith("ubuntu"))
    assert [p.network_id for p in connection.server_ports(second.id)] == [PRIVATE, SHARED]


def test_an_image_not_launchable_today_is_named(wizard, app, monkeypatch):
    first = launch_web(wizard)
    # Glance still has it, but it is no longer among the launchable images.
    monkeypatch.setattr(
        DemoConnection, "list_images", lambda self: [i for i in data.IMAGES if i.kind != "image"]
    )
    follow(wizard, landed(press_again(wizard, first), htmx=False))
    assert saved_errors(app, wizard)["source"] == {
        "source_id": [
            "The image cirros-0.6.3 this server booted from can no longer be launched: "
            "choose another boot source."
        ]
    }


def test_a_key_pair_gone_lands_on_its_step_the_first_with_an_error(wizard, app):
    wizard.open()
    wizard.fill_all(name="k", keypair="", new_keypair_name="laptop", public_key=KEY)
    server_id = launch(wizard)
    with sqlite3.connect(app.config["DEMO_DATABASE"]) as db:
        db.execute("DELETE FROM keypairs WHERE name = 'laptop'")

    url = landed(press_again(wizard, server_id), htmx=False)

    assert url.endswith("/access")
    assert "The key pair laptop no longer exists" in follow(wizard, url)
    errors = saved_errors(app, wizard)
    assert list(errors) == ["access"] and list(errors["access"]) == ["keypair"]
    assert saved_input(app, wizard)["access"]["keypair"] == [""]
    # the steps before it were checked and are done
    response = wizard.post("access", nav="launch", keypair="demo-key", security_groups="default")
    assert response.status_code == 303
    assert (
        demo_connection(app).get_server(response.headers["Location"].rsplit("/", 1)[1]).name
        == "k-2"
    )


def test_several_things_gone_each_on_its_step(wizard, app, monkeypatch):
    first = launch_web(wizard)
    # the shared network lost its subnet, the "web" group and m1.small are gone
    networks = tuple(replace(n, has_subnet=False) if n.id == SHARED else n for n in data.NETWORKS)
    monkeypatch.setattr(data, "NETWORKS", networks)
    groups = tuple(g for g in data.SECURITY_GROUPS if g.name != "web")
    monkeypatch.setattr(data, "SECURITY_GROUPS", groups)
    monkeypatch.setattr(
        DemoConnection,
        "list_flavors",
        lambda self: [f for f in data.FLAVORS if f.name != "m1.small"],
    )

    url = landed(press_again(wizard, first), htmx=False)

    assert url.endswith("/flavor")
    follow(wizard, url)
    errors = saved_errors(app, wizard)
    assert errors == {
        "flavor": {
            "flavor": ["The flavor m1.small of this server no longer exists: choose another."]
        },
        "network": {
            "nic_2": [
                "The network of this server's interface 2 (shared-net) has no subnet, so it "
                "cannot take servers now: choose another, or none."
            ]
        },
        "access": {
            "security_groups": [
                "Security group web of this server no longer exists: the others are ticked."
            ]
        },
    }
    typed = saved_input(app, wizard)
    assert typed["network"] == {"nic_1": [PRIVATE], "nic_2": [""]}
    assert typed["access"]["security_groups"] == ["ssh"]
    assert "m1.small of this server no longer exists" in wizard.page("flavor")


def test_a_failed_build_is_checked_against_today_s_quota_and_has_no_ports(wizard, app):
    wizard.open()
    wizard.fill_all(name="huge", flavor="r1.huge")
    server_id = launch(wizard)
    assert demo_connection(app).get_server(server_id).status == "ERROR"

    url = landed(press_again(wizard, server_id), htmx=False)

    # The failed server still holds its RAM: a second one is over quota today.
    assert url.endswith("/flavor")
    follow(wizard, url)
    errors = saved_errors(app, wizard)
    assert list(errors) == ["flavor", "network"]
    assert errors["flavor"]["flavor"][0].startswith(
        "r1.huge cannot be used: 48 GB of RAM would go over the project's limit of 50 GB; "
    )
    # A failed build gets no ports: the network step asks.
    assert errors["network"] == {"nic_1": ["Choose a network."]}
    assert saved_input(app, wizard)["flavor"]["flavor"] == ["6"]


# -- booted from a volume ----------------------------------------------------------


def test_booted_from_a_new_volume_copies_the_image_into_one_of_the_same_size(wizard, app):
    connection = demo_connection(app)
    wizard.open()
    wizard.fill_all(name="vol", create_volume="y", volume_size="3", volume_type="ssd")
    first = connection.get_server(launch(wizard))
    assert first.image_id == ""
    cirros = next(i.id for i in data.IMAGES if i.name.startswith("cirros"))

    url = landed(press_again(wizard, first.id, htmx=True), htmx=True)

    assert url.endswith("/review")
    follow(wizard, url)
    assert saved_input(app, wizard)["source"] == {
        "source_id": [cirros],
        "create_volume": ["y"],
        "volume_size": ["3"],
        "delete_on_termination": ["y"],
        "volume_type": ["ssd"],
    }
    response = wizard.post("review", nav="launch")
    second = response.headers["Location"].rsplit("/", 1)[1]
    (volume,) = connection.server_volumes(second)
    assert (volume.image_id, volume.size_gb, volume.volume_type) == (cirros, 3, "ssd")
    assert connection.get_server(second).image_id == ""


def test_booted_from_an_existing_volume_makes_a_new_one_from_its_image(wizard, app):
    wizard.open()
    wizard.fill_all(name="ev", image="debian-boot", flavor="m1.small")
    server_id = launch(wizard)

    url = landed(press_again(wizard, server_id), htmx=False)

    assert url.endswith("/review")
    follow(wizard, url)
    source = saved_input(app, wizard)["source"]
    debian = next(i.id for i in data.IMAGES if i.name.startswith("debian"))
    assert source["source_id"] == [debian]  # the volume itself is in use
    assert (source["create_volume"], source["volume_size"]) == (["y"], ["10"])


def test_a_boot_volume_not_made_from_an_image_leaves_the_source_to_choose(wizard, app):
    wizard.open()
    wizard.fill_all(name="blank", create_volume="y")
    server_id = launch(wizard)
    with sqlite3.connect(app.config["DEMO_DATABASE"]) as db:
        db.execute("UPDATE volumes SET image_id = '' WHERE server_id = ?", (server_id,))

    url = landed(press_again(wizard, server_id), htmx=False)

    assert url.endswith("/source")
    follow(wizard, url)
    assert saved_errors(app, wizard) == {
        "source": {
            "source_id": [
                "This server boots from a volume that cannot be copied here: "
                "choose what the new server boots from."
            ]
        }
    }
    assert saved_input(app, wizard)["flavor"]["flavor"] == ["2"]  # kept for later


# -- the flavor as Nova keeps it from 2.47: a name, no id ---------------------------


def resources(**lists) -> LaunchResources:
    def no_cloud():
        raise AssertionError("no cloud call expected")

    return LaunchResources(catalog=Catalog(**lists), connect=no_cloud, settings=LaunchSettings())


@pytest.mark.parametrize(
    ("name", "typed", "problems"),
    [
        ("m1.small", "id-small", []),
        ("m1.gone", "", ["The flavor m1.gone of this server no longer exists: choose another."]),
    ],
)
def test_a_flavor_known_by_name_only_is_matched_by_name(name, typed, problems):
    flavors = (Flavor("x", "m1.tiny", 1, 512, 1), Flavor("id-small", "m1.small", 1, 2048, 20))
    server = Server("s", "n", "ACTIVE", flavor=Flavor("", name, 1, 2048, 20))
    found = seed(Original(server), resources(flavors=flavors))
    assert found.inputs["flavor"] == {"flavor": typed}
    said = [p.message for p in found.problems if (p.step, p.field) == ("flavor", "flavor")]
    assert said == problems


# -- refusals ---------------------------------------------------------------------


@HTMX
def test_a_server_that_is_gone_is_404(wizard, htmx):
    wizard.open()
    response = press_again(wizard, str(uuid.uuid4()), htmx=htmx)
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "That server no longer exists, so it cannot be launched again." in text
    if htmx:
        assert response.headers["HX-Retarget"] == "#messages"


def test_a_cloud_error_takes_the_one_error_path(wizard, monkeypatch):
    server_id = launch_web(wizard)

    def down(self, server_id):
        raise CloudUnavailable("Neutron did not answer.")

    monkeypatch.setattr(DemoConnection, "server_ports", down)
    response = press_again(wizard, server_id)
    assert response.status_code == 503
    assert "Neutron did not answer. Nothing you entered is lost" in response.get_data(as_text=True)


def test_without_a_csrf_token_it_is_refused(wizard, app):
    server_id = launch_web(wizard)
    response = press_again(wizard, server_id, token=False)
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)
    assert "HX-Redirect" not in response.headers and "Location" not in response.headers


def test_a_get_makes_no_wizard_and_goes_to_the_server(wizard, app):
    server_id = launch_web(wizard)
    response = wizard.client.get(f"/launch/again/{server_id}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/servers/{server_id}"


def test_it_is_not_counted_as_a_launch(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DEMO_BUILD_SECONDS": 0,
            "DEMO_DATABASE": str(tmp_path / "demo.sqlite"),
            "LAUNCH_LIMIT": "1 per hour",
        },
        instance_path=str(tmp_path),
    )
    wizard = Wizard(app.test_client())
    wizard.login()
    server_id = launch_web(wizard)
    for _ in range(3):
        url = landed(press_again(wizard, server_id), htmx=False)
        assert url.endswith("/review")
    follow(wizard, url)
    assert wizard.post("review", nav="launch").status_code == 429  # the launch still is
