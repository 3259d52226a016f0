"""The header's region: always shown, a switcher with several regions; switching
(plain and htmx) sends every later call to that region, says so, refuses a region
the catalog does not have, and leaves the other region's wizards behind."""

from __future__ import annotations

import pytest

from tests.helpers.audit import read_lines
from tests.helpers.regions import TwoRegionCloud
from tests.helpers.regions import TwoRegionDemo
from tests.helpers.regions import header_region
from tests.helpers.regions import portal
from tests.helpers.regions import switch_region
from tests.helpers.wizard import Wizard
from webapp import create_app


@pytest.fixture
def make_app(tmp_path):
    def make(settings):
        return create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "DEMO_BUILD_SECONDS": 0,
                "DEMO_DATABASE": str(tmp_path / "demo.sqlite"),
                "RATE_LIMITS_ENABLED": False,
                **settings,
            },
            instance_path=str(tmp_path),
        )

    return make


@pytest.fixture
def two(requests_mock) -> TwoRegionCloud:
    cloud = TwoRegionCloud(requests_mock)
    cloud.keystone()
    cloud.lists()
    return cloud


def hosts_of(cloud, action) -> set[str]:
    """The hosts the cloud was asked while ``action()`` ran, and its result."""
    start = len(cloud.http.request_history)
    result = action()
    return {r.hostname for r in cloud.http.request_history[start:]}, result


def test_the_switcher_shows_the_regions_and_the_current_one(make_app, two):
    wizard = portal(make_app, two, CLOUD_REGION="RegionOne")

    hosts, page = hosts_of(two, lambda: wizard.client.get("/servers/").get_data(as_text=True))

    assert 'class="region-switch"' in page
    assert '<option value="RegionTwo" >RegionTwo</option>' in page
    assert header_region(page) == "RegionOne"
    assert "vm-one" in page and "cirros-one" in page
    assert hosts == {"nova.example.test", "glance.example.test"}


@pytest.mark.parametrize("htmx", [False, True])
def test_switching_sends_every_call_to_the_chosen_region(make_app, two, htmx):
    wizard = portal(make_app, two)
    wizard.client.get("/servers/")  # RegionOne's lists in the worker's cache

    response = switch_region(wizard, "RegionTwo", htmx=htmx)

    if htmx:
        assert response.status_code == 200
        assert response.headers["HX-Redirect"] == "/servers/"
    else:
        assert response.status_code == 303
        assert response.headers["Location"] == "/servers/"
    hosts, page = hosts_of(two, lambda: wizard.client.get("/servers/").get_data(as_text=True))
    assert "You are now working in region RegionTwo." in page
    assert header_region(page) == "RegionTwo"
    # the server and its image name are RegionTwo's: nothing from RegionOne's cache
    assert "vm-two" in page and "cirros-two" in page
    assert "vm-one" not in page and "cirros-one" not in page
    assert hosts == {"nova.two.example.test", "glance.two.example.test"}
    # and so it stays
    hosts, page = hosts_of(two, lambda: wizard.client.get("/servers/srv-two"))
    assert all(host.endswith(".two.example.test") for host in hosts), hosts


@pytest.mark.parametrize("htmx", [False, True])
def test_an_unknown_region_is_refused_and_nothing_changes(make_app, two, htmx):
    wizard = portal(make_app, two)

    response = switch_region(wizard, "RegionNine", htmx=htmx)

    assert response.status_code == (200 if htmx else 303)
    hosts, page = hosts_of(two, lambda: wizard.client.get("/servers/").get_data(as_text=True))
    assert "Could not switch region" in page and "RegionNine" in page
    assert header_region(page) == "RegionOne"
    assert "nova.example.test" in hosts  # (the images are cached since the switcher's page)
    assert hosts <= {"nova.example.test", "glance.example.test"}


def test_a_switch_without_the_csrf_token_is_refused(make_app, two):
    wizard = portal(make_app, two)

    response = wizard.client.post("/auth/region", data={"region": "RegionTwo", "next": "/servers/"})

    assert response.status_code == 400
    assert header_region(wizard.client.get("/servers/").get_data(as_text=True)) == "RegionOne"


def test_the_next_login_comes_back_to_the_region_chosen(make_app, two):
    wizard = portal(make_app, two)
    switch_region(wizard, "RegionTwo")

    wizard.login(two.user_name, two.password)  # e.g. after the token expired

    assert header_region(wizard.client.get("/servers/").get_data(as_text=True)) == "RegionTwo"


def test_the_demo_clouds_one_region_is_shown_without_a_switcher(wizard):
    page = wizard.client.get("/servers/").get_data(as_text=True)

    assert 'class="region-switch"' not in page
    assert '<span class="region-name">RegionOne</span>' in page
    assert header_region(page) == "RegionOne"


def test_the_demo_refuses_another_region(wizard):
    response = switch_region(wizard, "RegionTwo")

    page = wizard.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Could not switch region" in page
    assert header_region(page) == "RegionOne"


@pytest.fixture
def demo_two(make_app):
    """A demo portal whose catalog has two regions, logged in."""
    app = make_app({})
    app.extensions["skiff.cloud"] = TwoRegionDemo(app.extensions["skiff.cloud"])
    wizard = Wizard(app.test_client())
    wizard.login()
    return wizard


@pytest.mark.parametrize("htmx", [False, True])
def test_a_wizard_stays_in_its_region(demo_two, htmx):
    wizard = demo_two
    url = wizard.open()
    assert wizard.client.get(f"{url}/details").status_code == 200

    response = switch_region(wizard, "RegionTwo", htmx=htmx, page=f"{url}/details")

    # from a wizard, the way back is a new one (like a project switch)
    target = response.headers["HX-Redirect" if htmx else "Location"]
    assert target == "/launch/"
    old = wizard.client.get(f"{url}/details")
    assert old.status_code == 303 and old.headers["Location"] == "/launch/"
    # (?wait=1: the page with its lists, as without JavaScript; the new region's
    # lists are not cached yet)
    page = wizard.client.get("/launch/?wait=1").get_data(as_text=True)
    assert "belongs to another project or region" in page
    assert header_region(page) == "RegionTwo"
    # a new wizard opens in the new region, and back in RegionOne the old one works
    assert wizard.open() != url
    switch_region(wizard, "RegionOne")
    assert wizard.client.get(f"{url}/details").status_code == 200


def test_a_region_switch_and_its_refusal_are_in_the_audit_log(make_app, two, tmp_path):
    log = tmp_path / "audit.log"
    wizard = portal(make_app, two, CLOUD_REGION="RegionOne", AUDIT_LOG=str(log))

    switch_region(wizard, "RegionTwo")
    switch_region(wizard, "RegionNowhere")

    switches = [line for line in read_lines(log) if line["event"] == "project_switch"]
    assert [(s["outcome"], s["region"]) for s in switches] == [
        ("success", "RegionTwo"),
        ("refused", "RegionTwo"),
    ]
    assert "RegionNowhere" in switches[1]["error"]
