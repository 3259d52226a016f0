"""The operator's own launch steps in the wizard, on the demo cloud, as a page and
as an HTMX panel: a declared step and one from an entry point appear where they
were placed, refuse bad values, show on Review and reach the server."""

from __future__ import annotations

import re

import pytest

from tests.helpers import again
from tests.helpers import profiles
from tests.helpers.extra_steps import COST_CENTRE
from tests.helpers.extra_steps import EXAMPLE_PACKAGE
from tests.helpers.extra_steps import OWNER_STEP
from tests.helpers.extra_steps import extra_app
from tests.helpers.extra_steps import server_of
from tests.helpers.wizard import Wizard
from tests.web.test_review import terms
from webapp.forms.launch import LaunchInstance
from webapp.forms.launch.extra_steps import ExtraStepError

HTMX = pytest.mark.parametrize("htmx", [False, True], ids=["page", "panel"])


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE_PACKAGE))
    return extra_app(tmp_path, [OWNER_STEP, COST_CENTRE])


@pytest.fixture
def wizard(app):
    wizard = Wizard(app.test_client())
    wizard.login()
    wizard.open()
    return wizard


def step_list(html: str) -> list[str]:
    nav = html[html.index('id="wizard-steps"') :]
    nav = nav[: nav.index("</nav>")]
    return re.findall(r'value="step:([a-z_]+)"', nav)


def headers(htmx: bool) -> dict[str, str]:
    return {"HX-Request": "true"} if htmx else {}


def errors(response) -> list[str]:
    return re.findall(r'<ul class="errors" id="[^"]+">\s*<li>([^<]+)</li>', response.get_data(True))


@HTMX
def test_the_steps_appear_where_they_were_placed(wizard, htmx):
    html = wizard.page("owner", **headers(htmx))
    assert step_list(html) == [
        "details",
        "owner",
        "source",
        "flavor",
        "network",
        "access",
        "config",
        "cost_centre",
        "review",
    ]
    assert '<h2 id="panel-title"' in html and ">Owner</h2>" in html
    assert "Who answers for these servers." in html
    assert "Owner&#39;s login" in html and "Lower-case letters, 2 to 20." in html
    assert ("<html" in html) is not htmx


@HTMX
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"owner": ""}, "This field is required."),
        ({"owner": "Bob1"}, "Lower-case letters only, 2 to 20."),
        ({"owner": "bob", "purpose": "staging"}, "Not a valid choice."),
    ],
    ids=["required", "pattern", "choice"],
)
def test_a_bad_value_is_refused_with_the_steps_mark(wizard, htmx, data, expected):
    wizard.post("details", name="web", count="1", availability_zone="nova")
    response = wizard.post("owner", htmx=htmx, **data)
    assert response.status_code == 200  # the step again, with its errors
    html = response.get_data(as_text=True)
    assert expected in errors(response)
    assert re.search(r'<li class="current error">\s*<button[^>]*value="step:owner"', html)


def test_an_entry_point_step_refuses_what_its_hook_does_not_offer(wizard):
    wizard.fill_all()
    response = wizard.post("cost_centre", cost_centre="cc-999")
    assert "Not a valid choice." in errors(response)
    assert "Choose one for project" in wizard.page("cost_centre")


def fill(wizard, **owner):
    wizard.fill_all(name="ops-1")
    data = {"owner": "alice", "purpose": "prod", "ticket": "T-7", **owner}
    assert wizard.post("owner", **data).status_code == 303
    assert wizard.post("cost_centre", cost_centre="cc-200").status_code == 303


@HTMX
def test_review_shows_each_step_with_its_change_button(wizard, htmx):
    fill(wizard)
    wizard.post("config", metadata="owner=mallory\nrole=web")
    html = wizard.page("review", **headers(htmx))
    shown = terms(html)
    assert shown["Owner&#39;s login"] == ["alice"]
    assert shown["Purpose"] == ["Production"]
    assert shown["Ticket"] == ["T-7"]
    assert shown["Cost centre"] == ["Teaching (cc-200)"]
    assert shown["Metadata"] == ["owner = mallory (replaced by the value from Owner)", "role = web"]
    assert 'value="step:owner" class="link" formnovalidate>Change Owner</button>' in html
    assert 'value="step:cost_centre"' in html.split('<dl class="review">')[1]
    # the equivalents send what the launch sends
    assert "--property owner=alice" in html and "--tag purpose:prod" in html
    assert "--property cost_centre=cc-200" in html and "--tag cc:cc-200" in html


@HTMX
def test_the_launched_server_has_the_metadata_and_tags(app, wizard, htmx):
    fill(wizard)
    response = wizard.launch(htmx=htmx, metadata="owner=mallory\nrole=web", tags="web")
    if htmx:
        assert response.status_code == 200 and response.headers["HX-Redirect"]
        server_id = response.headers["HX-Redirect"].rsplit("/", 1)[1]
        provider = app.extensions["skiff.cloud"]
        server = provider.connect(provider.login("demo", "demo")).get_server(server_id)
    else:
        server = server_of(app, response)
    assert server.metadata == {
        "owner": "alice",
        "role": "web",
        "ticket": "T-7",
        "cost_centre": "cc-200",
    }
    assert list(server.tags) == ["web", "purpose:prod", "T-7", "cc:cc-200"]


def test_launching_early_lands_on_the_extra_step_marked(wizard):
    wizard.fill_all()
    response = wizard.launch()
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "see Owner, marked &#34;!&#34;" in html
    assert re.search(r'<li class="current error">\s*<button[^>]*value="step:owner"', html)


def test_the_chinese_labels_are_picked_with_zh_cn(app):
    client = app.test_client()
    client.set_cookie("skiff_language", "zh_CN")
    wizard = Wizard(client)
    wizard.login()
    wizard.open()
    html = wizard.page("owner")
    assert ">负责人</h2>" in html and "谁对这些实例负责。" in html
    assert "负责人的登录名" in html and ">生产</option>" in html
    wizard.post("details", name="web", count="1", availability_zone="nova")
    refused = wizard.post("owner", owner="Bob1")
    assert "仅限小写字母，2 到 20 个。" in errors(refused)


def test_launch_and_stay_keeps_the_extra_steps_input(wizard):
    fill(wizard)
    response = wizard.post("review", nav="launch_stay")
    assert response.status_code == 303
    wizard.url = response.headers["Location"].rsplit("/", 1)[0]
    html = wizard.page("owner")
    assert 'value="alice"' in html
    assert re.search(r'<option selected value="prod">|<option value="prod" selected>', html)


def test_a_missing_entry_point_stops_the_app(tmp_path):
    with pytest.raises(ExtraStepError, match="no installed package offers the launch step"):
        extra_app(tmp_path, [{"entry_point": "cost_centre", "after": "details"}])


def test_launch_again_reads_the_steps_values_back_from_the_server(app, wizard):
    fill(wizard, purpose="test")
    server_id = again.launch(wizard, metadata="role=web", tags="blue")
    response = again.press_again(wizard, server_id)
    landed = again.landed(response, htmx=False)
    assert landed.endswith("/review")  # nothing to fix: every step checked
    again.follow(wizard, landed)
    typed = again.saved_input(app, wizard)
    assert typed["owner"] == {"owner": ["alice"], "purpose": ["test"], "ticket": ["T-7"]}
    assert typed["cost_centre"] == {"cost_centre": ["cc-200"]}
    # the operator's items are that step's, not Configuration's too
    assert typed["config"]["metadata"] == ["role=web"]
    assert typed["config"]["tags"] == ["blue"]
    assert again.saved_errors(app, wizard) == {}


def test_a_profile_keeps_the_steps_input(wizard):
    fill(wizard)
    assert profiles.save(wizard, "ops").status_code == 303
    response = profiles.open_profile(wizard, profiles.listed(wizard)["ops"])
    assert response.status_code == 303
    wizard.url = response.headers["Location"].rsplit("/", 1)[0]
    assert 'value="alice"' in wizard.page("owner")
    shown = terms(wizard.page("review"))
    assert shown["Cost centre"] == ["Teaching (cc-200)"]


def test_another_app_in_the_process_has_only_its_own_steps(app, wizard, tmp_path):
    plain = extra_app(tmp_path / "plain", [])
    other = Wizard(plain.test_client())
    other.login()
    other.open()
    assert "owner" not in step_list(other.page("details"))
    assert plain.extensions["skiff.launch_workflow"] is not app.extensions["skiff.launch_workflow"]
    assert "owner" not in [step.slug() for step in LaunchInstance.default_steps]
    assert "owner" in step_list(wizard.page("details"))  # the first app keeps its own
