"""Launch profiles and "Launch and stay" through the test client, plain and over
htmx: saving a profile on Review, the launch page's and the profiles page's lists,
launching from a profile (checked against today's cloud: an image or a flavor
gone is said on its step), renaming, deleting, the operator's read-only profiles,
and a launch that opens the next wizard at once, launching once."""

from __future__ import annotations

import re
import threading

import pytest

from tests.helpers.again import PRIVATE
from tests.helpers.again import SHARED
from tests.helpers.again import demo_connection
from tests.helpers.again import follow
from tests.helpers.again import landed
from tests.helpers.again import saved_errors
from tests.helpers.again import saved_input
from tests.helpers.profiles import PAGE
from tests.helpers.profiles import delete
from tests.helpers.profiles import listed
from tests.helpers.profiles import open_profile
from tests.helpers.profiles import rename
from tests.helpers.profiles import save
from tests.helpers.profiles import shown_messages
from tests.helpers.profiles import stored
from tests.helpers.wizard import Wizard
from webapp import create_app
from webapp.cloud.demo import data
from webapp.cloud.demo.connection import DemoConnection
from webapp.state import submit_guard

HTMX = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
DEMO_USER = data.USERS["demo"]["id"]
CIRROS = next(i.id for i in data.IMAGES if i.name.startswith("cirros"))
PASSWORD = "s3cret-pass"


def at_review(wizard: Wizard, name: str = "web", **options) -> Wizard:
    """A new wizard filled with many options, on Review."""
    wizard.open()
    wizard.fill_all(
        name=name,
        flavor="m1.small",
        description="front end",
        nic_2=SHARED,
        security_groups=["web", "ssh"],
        **options,
    )
    response = wizard.post(
        "config", metadata="role=web", tags="blue, green", config_drive="y", user_data="#!/bin/sh"
    )
    assert response.status_code == 303, response.status_code
    return wizard


def saved_profile(wizard: Wizard, name: str = "My web", **options) -> str:
    """Save the wizard on Review as profile ``name``; its id."""
    response = save(at_review(wizard, **options), name, "front ends")
    assert response.status_code == 303, shown_messages(response.get_data(as_text=True))
    return listed(wizard)[name]


def servers(app) -> list:
    return demo_connection(app).list_servers()


# -- saving on Review ---------------------------------------------------------------


@HTMX
def test_save_keeps_what_was_typed_without_the_admin_password(wizard, app, htmx):
    at_review(wizard, admin_pass=PASSWORD, confirm_admin_pass=PASSWORD)
    typed = saved_input(app, wizard)

    response = save(wizard, "My web", "  front ends ", htmx=htmx)

    if htmx:
        assert response.status_code == 200
        assert response.headers["HX-Push-Url"].endswith("/review")
        assert 'id="wizard-panel"' in response.get_data(as_text=True)
        page = response.get_data(as_text=True)
    else:
        assert response.status_code == 303
        assert response.headers["Location"] == f"{wizard.url}/review"
        page = wizard.page("review")
    assert 'Saved as the profile "My web". Manage profiles' in shown_messages(page)
    assert f'href="{PAGE}"' in page
    (profile,) = stored(app, DEMO_USER)
    assert (profile.name, profile.description) == ("My web", "front ends")
    assert "admin_pass" in typed["access"]
    assert profile.input["access"] == {
        k: v for k, v in typed["access"].items() if k not in ("admin_pass", "confirm_admin_pass")
    }
    for slug in ("details", "source", "flavor", "network", "config"):
        assert profile.input[slug] == typed[slug], slug
    assert profile.names[typed["flavor"]["flavor"][0]] == "m1.small"
    assert profile.names[CIRROS] == "cirros-0.6.3"
    # the wizard itself is untouched, still ready to launch
    assert saved_input(app, wizard) == typed
    assert saved_errors(app, wizard) == {}


@HTMX
@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "Name the profile."),
        ("   ", "Name the profile."),
        ("x" * 65, "Field cannot be longer than 64 characters."),
        ("MY  web", "You have a profile named MY  web already: choose another name."),
    ],
)
def test_a_name_is_needed_and_one_not_taken(wizard, app, htmx, name, error):
    saved_profile(wizard)
    response = save(wizard, name, htmx=htmx)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert error in page
    assert re.search(r'id="profile-name"[^>]*autofocus|autofocus[^>]*id="profile-name"', page)
    assert [p.name for p in stored(app, DEMO_USER)] == ["My web"]


def test_save_is_offered_on_review_only_and_launch_and_stay_beside_launch(wizard):
    at_review(wizard)
    review = wizard.page("review")
    assert 'value="save_profile"' in review and 'value="launch_stay"' in review
    assert "Launch and stay" in review
    for slug in ("details", "config"):
        page = wizard.page(slug)
        assert 'value="save_profile"' not in page and 'value="launch_stay"' not in page


# -- the lists -------------------------------------------------------------------------


def test_the_launch_page_offers_the_profiles_a_wizard_made_does_not(wizard):
    assert 'id="profile-start"' not in wizard.client.get("/launch/").get_data(as_text=True)
    first = saved_profile(wizard, "Zed")
    second = saved_profile(wizard, "alpha")
    page = wizard.client.get("/launch/").get_data(as_text=True)
    options = re.findall(r'<option value="([0-9a-f]+)">([^<]+)</option>', page)
    assert options == [(second, "alpha"), (first, "Zed")]
    assert '<optgroup label="Your profiles">' in page
    assert 'action="/launch/profiles/open"' in page
    assert 'id="profile-start"' not in wizard.page("details")


def test_the_profiles_page_lists_them_with_their_descriptions(wizard):
    saved_profile(wizard, "web one")
    page = wizard.client.get(PAGE).get_data(as_text=True)
    assert "front ends" in page
    assert "Rename" in page and "Delete" in page and "Launch from profile" in page
    assert "The operator’s profiles" not in page  # none set


def test_the_profiles_page_needs_a_login(client):
    response = client.get(PAGE)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")


def test_profiles_are_the_users_own(client, monkeypatch):
    monkeypatch.setitem(
        data.USERS, "eve", {"id": "eve-id", "password": "eve", "projects": ("demo",)}
    )
    demo = Wizard(client)
    demo.login()
    profile_id = saved_profile(demo, "Mine")
    eve = Wizard(client)
    eve.login("eve", "eve")
    eve.open()
    assert listed(eve) == {}
    assert open_profile(eve, profile_id).status_code == 404
    assert rename(eve, profile_id, "stolen").status_code == 404


# -- launching from one ------------------------------------------------------------------


@HTMX
def test_launch_from_a_profile_lands_on_review_and_launches_the_same(wizard, app, htmx):
    profile_id = saved_profile(wizard)
    profile = stored(app, DEMO_USER)[0]

    url = landed(open_profile(wizard, profile_id, htmx=htmx), htmx=htmx)

    assert re.fullmatch(r"/launch/[\w-]+/review", url)
    page = follow(wizard, url)
    assert 'The profile "My web", checked against the cloud as it is now.' in page
    assert saved_errors(app, wizard) == {}
    typed = saved_input(app, wizard)
    for slug in ("details", "source", "flavor", "network", "access", "config"):
        assert typed[slug] == profile.input[slug], slug
    assert typed["details"]["name"] == ["web"]  # the name saved in the profile

    response = wizard.post("review", nav="launch", htmx=htmx)
    server_id = response.headers["HX-Redirect" if htmx else "Location"].rsplit("/", 1)[1]
    server = demo_connection(app).get_server(server_id)
    assert (server.name, server.image_id, server.description) == ("web", CIRROS, "front end")
    assert server.flavor_id == next(f.id for f in data.FLAVORS if f.name == "m1.small")
    assert sorted(server.security_groups) == ["ssh", "web"]
    assert server.metadata == {"role": "web"} and server.tags == ("blue", "green")
    ports = demo_connection(app).server_ports(server_id)
    assert [p.network_id for p in ports] == [PRIVATE, SHARED]


@HTMX
def test_a_profile_whose_image_is_gone_says_so_on_source(wizard, app, monkeypatch, htmx):
    profile_id = saved_profile(wizard)
    monkeypatch.setattr(data, "IMAGES", tuple(i for i in data.IMAGES if i.id != CIRROS))

    url = landed(open_profile(wizard, profile_id, htmx=htmx), htmx=htmx)

    assert url.endswith("/source")
    page = follow(wizard, url)
    message = "The boot source cirros-0.6.3 is no longer available: choose another."
    assert message in page
    assert 'Not all of the profile "My web" can be launched now: see the steps marked' in page
    assert saved_errors(app, wizard) == {"source": {"source_id": [message]}}
    typed = saved_input(app, wizard)
    assert typed["source"]["source_id"] == [""]
    assert typed["network"] == {"nic_1": [PRIVATE], "nic_2": [SHARED]}
    # another image, and the rest as the profile has it
    ubuntu = wizard.option("source", "ubuntu")
    response = wizard.post("source", nav="launch", source_id=ubuntu)
    assert response.status_code == 303, shown_messages(response.get_data(as_text=True))
    server = demo_connection(app).get_server(response.headers["Location"].rsplit("/", 1)[1])
    assert (server.name, server.image_id, server.tags) == ("web", ubuntu, ("blue", "green"))


def test_a_profile_whose_flavor_is_gone_says_so_on_flavor(wizard, app, monkeypatch):
    profile_id = saved_profile(wizard)
    kept = [f for f in data.FLAVORS if f.name != "m1.small"]
    monkeypatch.setattr(DemoConnection, "list_flavors", lambda self: kept)

    url = landed(open_profile(wizard, profile_id), htmx=False)

    assert url.endswith("/flavor")
    message = "The flavor m1.small is no longer available: choose another."
    assert message in follow(wizard, url)
    assert saved_errors(app, wizard) == {"flavor": {"flavor": [message]}}


def test_gone_networks_groups_and_key_pairs_each_on_their_step(wizard, app, monkeypatch):
    profile_id = saved_profile(wizard)
    monkeypatch.setattr(data, "NETWORKS", tuple(n for n in data.NETWORKS if n.id != SHARED))
    groups = tuple(g for g in data.SECURITY_GROUPS if g.name != "web")
    monkeypatch.setattr(data, "SECURITY_GROUPS", groups)
    monkeypatch.setattr(DemoConnection, "list_keypairs", lambda self: [])

    follow(wizard, landed(open_profile(wizard, profile_id), htmx=False))

    errors = saved_errors(app, wizard)
    assert errors["network"] == {
        "nic_2": [
            "The network shared-net of interface 2 is no longer available: choose another, or none."
        ]
    }
    assert errors["access"]["security_groups"] == [
        "Security group web is no longer available: the others are ticked."
    ]
    assert errors["access"]["keypair"][0].startswith("The key pair demo-key no longer exists")
    assert saved_input(app, wizard)["access"]["security_groups"] == ["ssh"]


@HTMX
def test_an_unknown_profile_is_a_404(wizard, htmx):
    wizard.open()
    response = open_profile(wizard, "0123456789abcdef", htmx=htmx)
    assert response.status_code == 404
    assert "That profile no longer exists." in response.get_data(as_text=True)


def test_posts_need_the_csrf_token(wizard):
    profile_id = saved_profile(wizard)
    assert open_profile(wizard, profile_id, token=False).status_code == 400
    response = wizard.client.post(f"/launch/profiles/{profile_id}/delete", data={"confirmed": "1"})
    assert response.status_code == 400
    assert listed(wizard) == {"My web": profile_id}


def test_a_get_of_a_post_url_goes_to_the_profiles_page(wizard):
    profile_id = saved_profile(wizard)
    for url in ("open", f"{profile_id}/rename", f"{profile_id}/delete"):
        response = wizard.client.get(f"/launch/profiles/{url}")
        assert response.status_code == 303
        assert response.headers["Location"] == PAGE
    assert listed(wizard) == {"My web": profile_id}


# -- renaming and deleting -------------------------------------------------------------


def test_rename(wizard, app):
    profile_id = saved_profile(wizard)
    response = rename(wizard, profile_id, "Front", "  new words ")
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    page = wizard.client.get(PAGE).get_data(as_text=True)
    assert 'The profile "Front" is saved.' in shown_messages(page)
    (profile,) = stored(app, DEMO_USER)
    assert (profile.id, profile.name, profile.description) == (profile_id, "Front", "new words")


@pytest.mark.parametrize(
    ("name", "error"),
    [("", "Name the profile."), ("other", "You have a profile named other already")],
)
def test_rename_errors_are_shown_beside_the_name(wizard, app, name, error):
    profile_id = saved_profile(wizard)
    saved_profile(wizard, "other")
    response = rename(wizard, profile_id, name)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert error in page
    assert f'id="rename-{profile_id}-name"' in page
    assert "<details open>" in page  # its form shown, with the error
    assert sorted(p.name for p in stored(app, DEMO_USER)) == ["My web", "other"]


def test_delete_asks_first(wizard, app):
    profile_id = saved_profile(wizard)
    asked = delete(wizard, profile_id, confirmed=False)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert 'Delete the profile "My web"?' in page.replace("&#34;", '"')
    assert 'name="confirmed" value="1"' in page
    assert len(stored(app, DEMO_USER)) == 1

    done = delete(wizard, profile_id, confirmed=True)
    assert done.status_code == 303 and done.headers["Location"] == PAGE
    assert 'The profile "My web" is deleted.' in shown_messages(
        wizard.client.get(PAGE).get_data(as_text=True)
    )
    assert stored(app, DEMO_USER) == []
    assert delete(wizard, profile_id, confirmed=True).status_code == 404


# -- the operator's ------------------------------------------------------------------------

OPERATOR = [
    {
        "name": "Tiny cirros",
        "description": "For a quick test",
        "input": {
            "source": {"source_id": CIRROS},
            "flavor": {"flavor": "2"},
            "network": {"nic_1": PRIVATE},
            "access": {"keypair": "demo-key", "security_groups": ["default"], "admin_pass": "x"},
        },
    },
    {"name": "Old image", "input": {"source": {"source_id": "no-such-image"}}},
]


@pytest.fixture
def operator_app(tmp_path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DEMO_BUILD_SECONDS": 0,
            "DEMO_DATABASE": str(tmp_path / "demo.sqlite"),
            "LAUNCH_PROFILES": OPERATOR,
        },
        instance_path=str(tmp_path),
    )


@pytest.fixture
def operator_wizard(operator_app):
    wizard = Wizard(operator_app.test_client())
    wizard.login()
    wizard.open()
    return wizard


def test_operator_profiles_are_listed_marked_and_read_only(operator_wizard):
    wizard = operator_wizard
    page = wizard.client.get(PAGE).get_data(as_text=True)
    assert listed(wizard) == {"Tiny cirros": "operator-1", "Old image": "operator-2"}
    assert "For a quick test" in page and '<span class="badge">operator</span>' in page
    assert "/launch/profiles/operator-1/rename" not in page
    assert "/launch/profiles/operator-1/delete" not in page
    start = wizard.client.get("/launch/").get_data(as_text=True)
    assert '<optgroup label="The operator’s profiles">' in start
    for response in (
        rename(wizard, "operator-1", "mine"),
        delete(wizard, "operator-1", confirmed=True),
    ):
        assert response.status_code == 403
        assert "The operator&#39;s profiles cannot be renamed or deleted." in response.get_data(
            as_text=True
        )
    assert listed(wizard)["Tiny cirros"] == "operator-1"


@HTMX
def test_launch_from_an_operator_profile(operator_wizard, operator_app, htmx):
    wizard = operator_wizard
    url = landed(open_profile(wizard, "operator-1", htmx=htmx), htmx=htmx)
    assert url.endswith("/review")
    follow(wizard, url)
    typed = saved_input(operator_app, wizard)
    assert typed["details"]["name"] == ["Tiny cirros"]  # none in the profile: its name
    assert "admin_pass" not in typed["access"]
    assert saved_errors(operator_app, wizard) == {}
    response = wizard.post("review", nav="launch")
    server = demo_connection(operator_app).get_server(
        response.headers["Location"].rsplit("/", 1)[1]
    )
    assert (server.name, server.image_id, server.flavor_id) == ("Tiny cirros", CIRROS, "2")


def test_an_operator_profile_with_an_unknown_image_says_so(operator_wizard, operator_app):
    wizard = operator_wizard
    url = landed(open_profile(wizard, "operator-2"), htmx=False)
    assert url.endswith("/source")
    message = "The boot source no-such-image is no longer available: choose another."
    assert message in follow(wizard, url)
    assert saved_errors(operator_app, wizard)["source"] == {"source_id": [message]}


def test_a_malformed_setting_stops_the_app(tmp_path):
    with pytest.raises(ValueError, match="LAUNCH_PROFILES"):
        create_app(
            {"TESTING": True, "SECRET_KEY": "t", "LAUNCH_PROFILES": [{"name": "x"}]},
            instance_path=str(tmp_path),
        )


# -- launch and stay -------------------------------------------------------------------------


@HTMX
def test_launch_and_stay_launches_once_and_opens_the_next_wizard(wizard, app, htmx):
    at_review(wizard)
    first_wizard = wizard.url
    typed = saved_input(app, wizard)

    url = landed(wizard.post("review", nav="launch_stay", htmx=htmx), htmx=htmx)

    (server,) = servers(app)
    assert server.name == "web"
    assert re.fullmatch(r"/launch/[\w-]+/review", url)
    assert not url.startswith(first_wizard)
    page = follow(wizard, url)
    assert shown_messages(page) == [
        'Requested the server "web". Follow its build',
        "Here is a new launch like it, checked against the cloud as it is now.",
    ]
    assert f'<a href="/servers/{server.id}">Follow its build</a>' in page
    again = saved_input(app, wizard)
    assert again["details"]["name"] == ["web-2"]
    for slug in ("source", "flavor", "network", "access", "config"):
        assert again[slug] == typed[slug], slug
    assert saved_errors(app, wizard) == {}

    # the first wizard launched: posting it again launches nothing
    wizard.url = first_wizard
    repeat = wizard.post("review", nav="launch_stay", htmx=htmx)
    assert repeat.headers["HX-Redirect" if htmx else "Location"] == f"/servers/{server.id}"
    assert len(servers(app)) == 1

    # and the new one, launched and stayed again, numbers on
    wizard.url = url.rsplit("/", 1)[0]
    follow(wizard, landed(wizard.post("review", nav="launch_stay", htmx=htmx), htmx=htmx))
    assert sorted(s.name for s in servers(app)) == ["web", "web-2"]
    assert saved_input(app, wizard)["details"]["name"] == ["web-3"]


def test_launch_and_stay_pressed_three_times_at_once_launches_once(wizard, app):
    at_review(wizard, name="once")
    results = []

    def press() -> None:
        results.append(wizard.post("review", nav="launch_stay"))

    threads = [threading.Thread(target=press) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [s.name for s in servers(app)] == ["once"]
    (server,) = servers(app)
    locations = {r.headers["Location"] for r in results}
    wizards = {url for url in locations if url.startswith("/launch/")}
    assert len(wizards) == 1  # one new wizard, where the first press went
    assert locations - wizards <= {f"/servers/{server.id}"}


def test_a_second_press_follows_the_first_to_the_new_wizard(wizard, app):
    """A press that finds the launch under way waits for it and follows it: to
    the new wizard for "Launch and stay", to the server for "Launch"."""
    at_review(wizard, name="follow")
    key = f"{DEMO_USER}:{wizard.url.rsplit('/', 1)[1]}"
    with app.app_context():
        guard = submit_guard()
        assert guard.claim(key)
        guard.finish(key, {"url": "/servers/x", "next": "/launch/next/review"})
    assert wizard.post("review", nav="launch_stay").headers["Location"] == "/launch/next/review"
    assert wizard.post("review", nav="launch").headers["Location"] == "/servers/x"
    assert servers(app) == []


def test_launch_and_stay_that_fails_stays_on_the_wizard(wizard, app, monkeypatch):
    at_review(wizard, name="nope")
    monkeypatch.setattr(DemoConnection, "list_flavors", lambda self: [])
    wizard.post("review", nav="refresh")  # the lists without any flavor
    response = wizard.post("review", nav="launch_stay")
    assert response.status_code == 200
    messages = shown_messages(response.get_data(as_text=True))
    assert any(m.startswith('Could not launch "nope"') for m in messages), messages
    assert servers(app) == []


def test_launch_and_stay_when_the_next_wizard_cannot_open_goes_to_the_server(
    wizard, app, monkeypatch
):
    from webapp.blueprints.launch import stay
    from webapp.cloud.errors import CloudUnavailable

    def down(*args, **kwargs):
        raise CloudUnavailable("The cloud did not answer.")

    at_review(wizard, name="alone")
    monkeypatch.setattr(stay, "open_like", down)
    response = wizard.post("review", nav="launch_stay")
    (server,) = servers(app)
    assert response.headers["Location"] == f"/servers/{server.id}"
    page = wizard.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A new launch like it could not be opened: The cloud did not answer." in shown_messages(
        page
    )


def test_launch_and_stay_counts_against_the_launch_limit(tmp_path):
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
    at_review(wizard, name="limited")
    assert wizard.post("review", nav="launch_stay").status_code == 303
    assert wizard.post("review", nav="launch_stay").status_code == 429
