"""The workflow engine on a small toy workflow: contracts, hidden steps, hooks,
contributions, validation, error attribution and the order of handle()."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from wtforms import IntegerField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import DataRequired

from webapp.workflow import Action
from webapp.workflow import ActionError
from webapp.workflow import MemoryWizardRecords
from webapp.workflow import Step
from webapp.workflow import StepInput
from webapp.workflow import WizardConflict
from webapp.workflow import WizardStore
from webapp.workflow import Workflow
from webapp.workflow import WorkflowError
from webapp.workflow.state import merge_changes

CALLS: list[str] = []


class OwnerAction(Action):
    class Meta:
        name = "Owner"
        slug = "owner"
        permissions = ("admin",)

    def handle(self, context):
        CALLS.append("owner")


class ColourAction(Action):
    class Meta:
        name = "Colour"
        slug = "colour"

    colour = SelectField("Colour", validators=[DataRequired()])

    def populate_colour_choices(self, context):
        CALLS.append(f"populate colour for {context.get('owner')}")
        return [SelectChoice(c, c) for c in ("red", "green")]

    def handle(self, context):
        CALLS.append("colour")
        return {"paint": f"{context['colour']} paint"}


class SizeAction(Action):
    class Meta:
        name = "Size"
        slug = "size"

    size = SelectField("Size")
    count = IntegerField("Count", default=1)
    label = StringField("Label")

    def populate_size_choices(self, context):
        # Earlier steps' contributions decide what is offered here.
        sizes = ["small", "large"] if context["colour"] == "red" else ["small"]
        return [SelectChoice(s, s) for s in sizes]

    def handle(self, context):
        CALLS.append(f"size with {context['paint']}")
        if context["label"] == "fail-in-action":
            raise ActionError("the label was refused", field="label")


class SetOwner(Step):
    action_class = OwnerAction
    contributes = ("owner",)


class SetColour(Step):
    action_class = ColourAction
    depends_on = ("owner",)
    contributes = ("shade",)

    def contribute(self, data, context):
        context = super().contribute(data, context)
        context["shade"] = "warm" if data["colour"] == "red" else "cool"
        return context


class SetSize(Step):
    action_class = SizeAction
    depends_on = ("colour", "shade")


class Paint(Workflow):
    slug = "paint"
    name = "Paint"
    default_steps = (SetOwner, SetColour, SetSize)

    def handle(self, context):
        CALLS.append("workflow")
        if context["label"] == "fail-in-workflow":
            raise ActionError("the cloud said no", step="colour", field="colour")
        return {"done": True}


@pytest.fixture
def store():
    CALLS.clear()
    return WizardStore(MemoryWizardRecords())


def open_paint(store, permissions=frozenset(), **initial):
    state = store.create("paint", Paint.get_initial({"owner": "ann", "ignored": 1, **initial}))
    return Paint(state, permissions=permissions)


def post(workflow, slug, **data):
    return workflow.validate_step(workflow.get_step(slug), StepInput.from_values(data))


def test_the_engine_is_a_library_on_wtforms_without_flask():
    code = "import webapp.workflow, sys; assert 'flask' not in sys.modules, 'flask imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_get_initial_keeps_only_the_workflows_keys():
    assert Paint.get_initial({"owner": "ann", "colour": "red", "nope": 1}) == {
        "owner": "ann",
        "colour": "red",
    }


def test_depends_on_that_nothing_contributes_fails_when_the_class_is_defined():
    with pytest.raises(WorkflowError, match=r"'size' depends on \['colour', 'shade'\]"):

        class Broken(Workflow):
            slug = "broken"
            default_steps = (SetOwner, SetSize)


def test_depends_on_a_later_step_is_an_error_too():
    with pytest.raises(WorkflowError, match="no earlier step contributes"):

        class Backwards(Workflow):
            slug = "backwards"
            default_steps = (SetOwner, SetSize, SetColour)


def test_duplicate_slugs_are_refused():
    with pytest.raises(WorkflowError, match="two steps have the slug 'colour'"):

        class Twice(Workflow):
            slug = "twice"
            default_steps = (SetOwner, SetColour, SetColour)


def test_step_contributes_its_fields_and_declared_keys():
    assert set(SetColour.all_contributions()) == {"colour", "shade"}
    assert set(SetSize.all_contributions()) == {"size", "count", "label"}


def test_hidden_step_is_not_shown_but_its_contribution_comes_from_initial(store):
    workflow = open_paint(store)
    assert [s.slug() for s in workflow.steps] == ["colour", "size"]
    assert workflow.context["owner"] == "ann"


def test_hidden_step_without_its_values_in_initial_is_an_error(store):
    state = store.create("paint", {})
    with pytest.raises(WorkflowError, match="hidden step 'owner' contributes"):
        Paint(state)


def test_step_is_shown_to_users_with_its_permissions(store):
    workflow = open_paint(store, permissions=frozenset({"admin"}))
    assert [s.slug() for s in workflow.steps] == ["owner", "colour", "size"]


def test_populate_hooks_fill_choices_and_see_earlier_contributions(store):
    workflow = open_paint(store)
    colour = workflow.build_action(workflow.get_step("colour"))
    assert [c.value for c in colour.colour.choices] == ["red", "green"]
    assert "populate colour for ann" in CALLS
    post(workflow, "colour", colour="green")
    size = workflow.build_action(workflow.get_step("size"))
    assert [c.value for c in size.size.choices] == ["small"]
    post(workflow, "colour", colour="red")
    size = workflow.build_action(workflow.get_step("size"))
    assert [c.value for c in size.size.choices] == ["small", "large"]


def test_contribute_adds_values_that_are_not_fields(store):
    workflow = open_paint(store)
    post(workflow, "colour", colour="red")
    assert workflow.context["colour"] == "red"
    assert workflow.context["shade"] == "warm"
    assert workflow.state.done == ["colour"]


def test_invalid_step_keeps_input_and_attributes_errors_to_the_field(store):
    workflow = open_paint(store)
    action = post(workflow, "colour", colour="purple")
    assert "colour" in action.errors
    assert workflow.errors == {"colour": {"colour": ["Not a valid choice."]}}
    assert workflow.state.input["colour"] == {"colour": ["purple"]}
    assert "colour" not in workflow.context
    assert workflow.state.done == []
    # Shown again, the step holds what was typed.
    assert workflow.build_action(workflow.get_step("colour")).colour.data == "purple"


def test_step_cannot_be_validated_before_its_dependencies(store):
    workflow = open_paint(store)
    assert post(workflow, "size", size="small") is None
    assert workflow.errors["size"]["__all__"] == ["Complete Colour first."]
    assert workflow.state.input["size"] == {"size": ["small"]}
    assert [s.slug() for s in workflow.missing_dependencies(workflow.get_step("size"))] == [
        "colour"
    ]


def test_saved_input_is_not_validated(store):
    workflow = open_paint(store)
    workflow.save_input(
        workflow.get_step("colour"), StepInput.from_values({"colour": "purple", "nav": "back"})
    )
    assert workflow.state.input == {"colour": {"colour": ["purple"]}}
    assert workflow.errors == {}


def test_rejected_input_is_an_error_of_its_field_and_the_step_is_not_done(store):
    workflow = open_paint(store)
    colour = workflow.get_step("colour")
    post(workflow, "colour", colour="red")
    assert workflow.state.done == ["colour"]
    workflow.reject(colour, "colour", "That file was not taken.")
    workflow.reject(colour, None, "Nothing else was either.")
    assert workflow.errors == {
        "colour": {"colour": ["That file was not taken."], "__all__": ["Nothing else was either."]}
    }
    assert workflow.state.done == []
    assert workflow.entry_point() is colour


def test_finalize_runs_every_handle_in_step_order_then_the_workflows(store):
    workflow = open_paint(store)
    post(workflow, "colour", colour="red")
    post(workflow, "size", size="large", label="x", count="2")
    CALLS.clear()
    assert workflow.finalize() is True
    assert CALLS[-3:] == ["colour", "size with red paint", "workflow"]
    assert workflow.state.result == {"done": True}
    assert workflow.result == {"done": True}
    assert workflow.context["count"] == 2


def test_finalize_validates_every_step_again_from_saved_input(store):
    workflow = open_paint(store)
    post(workflow, "colour", colour="red")
    post(workflow, "size", size="large")
    # Green offers no large size: the size step's saved input is now invalid.
    workflow.state.input["colour"] = {"colour": ["green"]}
    CALLS.clear()
    assert workflow.finalize() is False
    assert workflow.errors == {"size": {"size": ["Not a valid choice."]}}
    assert workflow.context["shade"] == "cool"
    assert not any(call in CALLS for call in ("colour", "workflow"))
    assert workflow.entry_point().slug() == "size"


def test_finalize_stops_at_a_broken_step_without_building_the_ones_after(store):
    workflow = open_paint(store)
    post(workflow, "colour", colour="red")
    post(workflow, "size", size="large")
    workflow.state.input["colour"] = {"colour": ["purple"]}
    assert workflow.finalize() is False
    assert set(workflow.errors) == {"colour"}
    assert workflow.state.done == []
    assert workflow.entry_point().slug() == "colour"


def test_failing_action_stops_the_submit_with_the_error_on_its_step(store):
    workflow = open_paint(store)
    post(workflow, "colour", colour="red")
    post(workflow, "size", size="small", label="fail-in-action")
    assert workflow.finalize() is False
    assert workflow.errors == {"size": {"label": ["the label was refused"]}}
    assert "workflow" not in CALLS
    assert workflow.state.result is None


def test_failing_workflow_handle_blames_the_step_it_names(store):
    workflow = open_paint(store)
    post(workflow, "colour", colour="red")
    post(workflow, "size", size="small", label="fail-in-workflow")
    assert workflow.finalize() is False
    assert workflow.errors == {"colour": {"colour": ["the cloud said no"]}}
    assert "colour" not in workflow.state.done
    assert workflow.entry_point().slug() == "colour"


def test_unvisited_steps_are_validated_from_their_defaults(store):
    workflow = open_paint(store, colour="red")
    # Colour was pre-filled by the initial context and never posted.
    workflow.save_input(workflow.get_step("size"), StepInput.from_values({"size": "small"}))
    assert workflow.finalize() is True
    assert workflow.context["shade"] == "warm"


def test_two_wizards_in_one_session_are_independent(store):
    first, second = open_paint(store), open_paint(store)
    post(first, "colour", colour="red")
    post(second, "colour", colour="green")
    store.save(first.state)
    store.save(second.state)
    again = store.get(first.state.id, "paint")
    assert again.context["colour"] == "red"
    assert store.get(second.state.id, "paint").context["colour"] == "green"
    assert store.get(first.state.id, "other-workflow") is None


def test_a_save_that_changed_nothing_writes_nothing(store):
    workflow = open_paint(store)
    post(workflow, "colour", colour="red")
    store.save(workflow.state)
    version = store.records.load(workflow.state.id)[1]
    again = WizardStore(store.records)
    state = again.get(workflow.state.id, "paint")
    again.save(state)
    assert store.records.load(workflow.state.id)[1] == version


def test_an_older_copy_never_overwrites_a_newer_save():
    records = MemoryWizardRecords()
    state = WizardStore(records).create("paint", {"owner": "ann"})
    # Two requests read the same version of the wizard...
    first, second = WizardStore(records), WizardStore(records)
    mine, theirs = first.get(state.id, "paint"), second.get(state.id, "paint")
    # ...one saves the colour step, the other the size step, after it.
    mine.input["colour"] = {"colour": ["red"]}
    mine.done.append("colour")
    first.save(mine)
    theirs.input["size"] = {"size": ["large"]}
    theirs.done.append("size")
    second.save(theirs)
    kept, version = records.load(state.id)
    assert kept["input"] == {"colour": {"colour": ["red"]}, "size": {"size": ["large"]}}
    assert kept["done"] == ["colour", "size"]
    assert version == 3


def test_the_later_save_of_the_same_field_wins_and_untouched_fields_stay():
    base = {"input": {"a": ["1"], "b": ["1"]}, "done": ["a", "b"], "result": None}
    mine = {"input": {"a": ["2"], "b": ["1"]}, "done": ["b"], "result": {"ok": 1}}
    theirs = {"input": {"a": ["3"], "b": ["9"]}, "done": ["a", "b", "c"], "result": None}
    assert merge_changes(base, mine, theirs) == {
        "input": {"a": ["2"], "b": ["9"]},
        "done": ["b", "c"],
        "result": {"ok": 1},
    }


def test_concurrent_saves_of_one_wizard_lose_nothing():
    records = MemoryWizardRecords()
    state = WizardStore(records).create("paint", {})

    def save(n):
        store = WizardStore(records)
        copy = store.get(state.id, "paint")
        copy.context[f"key-{n}"] = n
        store.save(copy)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kept = records.load(state.id)[0]["context"]
    assert kept == {f"key-{n}": n for n in range(20)}


class AlwaysLosing(MemoryWizardRecords):
    def store(self, wizard_id, record, *, version):
        if version == 0:
            return super().store(wizard_id, record, version=version)
        return None


def test_a_save_that_always_loses_says_so():
    store = WizardStore(AlwaysLosing(), attempts=3)
    state = store.create("paint", {})
    state.context["x"] = 1
    with pytest.raises(WizardConflict, match="kept changing"):
        store.save(state)
