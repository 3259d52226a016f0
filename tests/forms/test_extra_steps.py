"""The operator's own launch steps without an app: LAUNCH_EXTRA_STEPS checked at
start, a declared step built as a real step (validated, contributing metadata and
tags to the one Nova request), and a step from an entry point working the same."""

from __future__ import annotations

import copy

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from tests.forms.test_launch_rules import CATALOG
from tests.helpers.extra_steps import COST_CENTRE
from tests.helpers.extra_steps import EXAMPLE_PACKAGE
from tests.helpers.extra_steps import OWNER_STEP
from tests.helpers.extra_steps import launch_wizard
from tests.helpers.launch_forms import VALID
from webapp.forms.launch import LaunchInstance
from webapp.forms.launch.extra_steps import ExtraStepError
from webapp.forms.launch.extra_steps import Localized
from webapp.forms.launch.extra_steps import launch_workflow
from webapp.forms.launch.server_request import server_request

LANGUAGES = ["en", "zh_CN"]


@pytest.fixture(autouse=True)
def request_context():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    with app.test_request_context():
        yield


@pytest.fixture
def example_package(monkeypatch):
    """The example package on sys.path, found by importlib.metadata (no install)."""
    monkeypatch.syspath_prepend(str(EXAMPLE_PACKAGE))


def owner(**changes):
    """:data:`OWNER_STEP` with some keys changed (None: removed)."""
    spec = copy.deepcopy(OWNER_STEP)
    for key, value in changes.items():
        if value is None:
            spec.pop(key, None)
        else:
            spec[key] = value
    return spec


def field(**changes):
    """The owner step with its first field changed (None: key removed)."""
    spec = copy.deepcopy(OWNER_STEP)
    for key, value in changes.items():
        if value is None:
            spec["fields"][0].pop(key, None)
        else:
            spec["fields"][0][key] = value
    return spec


def slugs(workflow) -> list[str]:
    return [step.slug() for step in workflow.default_steps]


def test_steps_are_placed_where_configured_and_launch_instance_is_untouched(example_package):
    workflow = launch_workflow([OWNER_STEP, COST_CENTRE], languages=LANGUAGES)
    assert slugs(workflow)[1:] == [
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
    assert "owner" not in slugs(LaunchInstance)
    assert issubclass(workflow, LaunchInstance) and workflow.slug == LaunchInstance.slug


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ({"slug": "x"}, r"LAUNCH_EXTRA_STEPS\[0\]: say where the step goes"),
        (owner(after=None, before="nowhere"), "no step 'nowhere'"),
        (owner(before="review"), "not both|say where"),
        (owner(colour="red"), r"unknown step keys \['colour'\]"),
        (field(size=3), r"fields\[0\]: unknown field keys \['size'\]"),
        (field(pattern="[a-z"), "the pattern '\\[a-z' is not valid"),
        (field(metadata="k" * 256), "is not one Nova takes"),
        (field(metadata="skiff:expires_at"), "Skiff's own"),
        (field(metadata=None), "say what it contributes"),
        (field(tag="x" * 60, metadata=None), "leaves no room"),
        (field(choices=["a"]), "a pattern or choices, not both"),
        (field(label={"fr": "Propriétaire"}), r"languages \['fr'\] are not in LANGUAGES"),
        (field(name="Owner"), "lower-case letters"),
        (field(name="name"), r"the names \['name'\] are taken"),
        (field(name="data"), "taken by the form itself"),
        (field(default="A1"), "does not match the pattern"),
        (owner(slug="details"), "two steps have the slug 'details'"),
        (owner(fields=[]), "fields must be a non-empty list"),
        (owner(name=None), "a name is required"),
        ({"entry_point": "nowhere", "after": "details"}, "no installed package offers"),
    ],
)
def test_a_bad_entry_stops_the_start_saying_which_and_why(steps, message):
    with pytest.raises(ExtraStepError, match=message):
        launch_workflow([steps], languages=LANGUAGES)


def test_two_steps_may_not_set_the_same_metadata_key():
    other = owner(slug="owner_again")
    for spec in other["fields"]:
        spec["name"] += "_2"
    with pytest.raises(ExtraStepError, match=r"\[1\]: metadata key 'owner' is already set"):
        launch_workflow([OWNER_STEP, other], languages=LANGUAGES)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not_a_step", "is not a Step class, nor makes one"),
        ("broken", "cannot be loaded"),
    ],
)
def test_an_entry_point_that_is_not_a_step_is_refused(example_package, name, message):
    with pytest.raises(ExtraStepError, match=message):
        launch_workflow([{"entry_point": name, "after": "details"}], languages=LANGUAGES)


def test_an_entry_point_may_name_a_callable_making_the_step(example_package):
    workflow = launch_workflow(
        [{"entry_point": "cost_centre_factory", "after": "flavor"}], languages=LANGUAGES
    )
    assert slugs(workflow)[3:5] == ["flavor", "cost_centre"]


def post(workflow, slug, **data):
    workflow.validate_step(workflow.get_step(slug), MultiDict(data))
    return workflow.errors.get(slug, {})


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"owner": ""}, "owner", "This field is required."),
        ({"owner": "Bob1"}, "owner", "Lower-case letters only, 2 to 20."),
        ({"owner": "bob", "purpose": "staging"}, "purpose", "Not a valid choice."),
        ({"owner": "bob", "ticket": "a,b"}, "ticket", "A tag has at most 60 characters"),
    ],
)
def test_a_declared_step_refuses_bad_values(data, field, error):
    workflow = launch_wizard(CATALOG, [OWNER_STEP])
    post(workflow, "details", **VALID["details"])
    errors = post(workflow, "owner", **data)
    assert error in " ".join(errors[field])
    assert "owner" not in workflow.state.done


def test_a_declared_step_reaches_the_request_as_metadata_and_tags():
    workflow = launch_wizard(CATALOG, [OWNER_STEP])
    for slug, data in VALID.items():
        assert post(workflow, slug, **data) == {}, slug
        if slug == "details":
            assert post(workflow, "owner", owner="alice", purpose="prod", ticket="T-7") == {}
    post(workflow, "config", metadata="owner=mallory\nrole=web", tags="web, T-7")
    request = server_request(CATALOG, workflow.context)
    # The operator's step wins over the same key typed in Configuration.
    assert request.metadata == {"owner": "alice", "role": "web", "ticket": "T-7"}
    assert request.tags == ("web", "T-7", "purpose:prod")


def test_an_empty_optional_field_contributes_nothing():
    workflow = launch_wizard(CATALOG, [OWNER_STEP])
    for slug, data in VALID.items():
        post(workflow, slug, **data)
    post(workflow, "owner", owner="alice", purpose="", ticket="")
    request = server_request(CATALOG, workflow.context)
    assert request.metadata == {"owner": "alice"} and request.tags == ()


def test_the_final_submit_validates_a_declared_step_from_its_saved_input():
    workflow = launch_wizard(CATALOG, [OWNER_STEP])
    for slug, data in VALID.items():
        post(workflow, slug, **data)
    workflow.save_input(workflow.get_step("owner"), MultiDict({"owner": "X"}))
    assert workflow.finalize() is False
    assert workflow.entry_point().slug() == "owner"


def test_an_entry_point_step_works_the_same(example_package):
    workflow = launch_wizard(CATALOG, [COST_CENTRE])
    for slug, data in VALID.items():
        post(workflow, slug, **data)
    step = workflow.get_step("cost_centre")
    # its choices come from its populate hook, which sees the context
    action = workflow.build_action(step)
    first = action.cost_centre.choices[0]
    assert (first.value, first.label) == ("", "Choose one for project p")
    assert (
        "Not a valid choice." in post(workflow, "cost_centre", cost_centre="cc-999")["cost_centre"]
    )
    assert post(workflow, "cost_centre", cost_centre="cc-200") == {}
    request = server_request(CATALOG, workflow.context)
    assert request.metadata == {"cost_centre": "cc-200"} and request.tags == ("cc:cc-200",)


def test_review_has_a_section_for_each_extra_step_in_step_order(example_package):
    workflow = launch_wizard(CATALOG, [OWNER_STEP, COST_CENTRE])
    for slug, data in VALID.items():
        post(workflow, slug, **data)
    post(workflow, "owner", owner="alice", purpose="prod")
    post(workflow, "cost_centre", cost_centre="cc-100")
    post(workflow, "config", metadata="owner=mallory")
    review = workflow.build_action(workflow.get_step("review"))
    entries = review.entries("demo", workflow.steps)
    terms = [entry.term for entry in entries]
    assert terms.index("Name") < terms.index("Owner's login") < terms.index("Boot source")
    assert terms.index("Metadata") < terms.index("Cost centre")
    owner_entry = entries[terms.index("Owner's login")]
    assert (owner_entry.values, owner_entry.step, owner_entry.change) == (
        ("alice",),
        "owner",
        "Owner",
    )
    assert entries[terms.index("Purpose")].values == ("Production",)
    assert entries[terms.index("Ticket")].values == ("none",)
    assert entries[terms.index("Cost centre")].values == ("Research (cc-100)",)
    assert entries[terms.index("Metadata")].values == (
        "owner = mallory (replaced by the value from Owner)",
    )


def test_localized_text_follows_the_request_and_falls_back_to_english():
    text = Localized({"zh_CN": "负责人", "en": "Owner"})
    assert str(text) == "Owner"  # a request without Flask-Babel: English
    assert str(Localized({"zh_CN": "负责人"})) == "负责人"  # else the one given
    assert str(Localized("Owner")) == "Owner"
    assert Localized("a < b").__html__() == "a &lt; b"
