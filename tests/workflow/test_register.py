"""Workflow.register and Workflow.derive: Horizon's extension point, placed by
slug or class, checked by the same contract as the built-in steps, and never
changing the class it was derived from."""

from __future__ import annotations

import pytest
from wtforms import StringField

from webapp.workflow import Action
from webapp.workflow import Step
from webapp.workflow import StepInput
from webapp.workflow import Workflow
from webapp.workflow import WorkflowError


def make_step(slug: str, *, depends_on=(), field: str | None = None) -> type[Step]:
    """A step ``slug`` with one text field (named ``field``, default the slug)."""
    meta = type("Meta", (), {"name": slug.title(), "slug": slug})
    action = type(f"{slug}Action", (Action,), {"Meta": meta, field or slug: StringField(slug)})
    return type(f"{slug}Step", (Step,), {"action_class": action, "depends_on": tuple(depends_on)})


First = make_step("first")
Second = make_step("second", depends_on=("first",))
Last = make_step("last", depends_on=("second",))


class Base(Workflow):
    slug = "base"
    name = "Base"
    default_steps = (First, Second, Last)


def slugs(workflow: type[Workflow]) -> list[str]:
    return [step.slug() for step in workflow.default_steps]


def test_derive_copies_the_steps_and_keeps_the_name():
    derived = Base.derive()
    assert issubclass(derived, Base)
    assert derived.__name__ == "Base" and derived.slug == "base"
    assert derived.default_steps == Base.default_steps


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"before": "second"}, ["first", "extra", "second", "last"]),
        ({"after": "second"}, ["first", "second", "extra", "last"]),
        ({"before": First}, ["extra", "first", "second", "last"]),
        ({"after": Last}, ["first", "second", "last", "extra"]),
        ({}, ["first", "second", "last", "extra"]),  # Horizon's rule: appended
    ],
)
def test_register_places_the_step_and_leaves_the_original_untouched(where, expected):
    derived = Base.derive()
    derived.register(make_step("extra"), **where)
    assert slugs(derived) == expected
    assert slugs(Base) == ["first", "second", "last"]


def test_a_registered_step_may_depend_on_an_earlier_one():
    derived = Base.derive()
    derived.register(make_step("extra", depends_on=("second",)), after="second")
    assert derived.get_initial({"extra": "x", "other": "y"}) == {"extra": "x"}


@pytest.mark.parametrize(
    ("step", "where", "message"),
    [
        (make_step("extra"), {"before": "nowhere"}, "no step 'nowhere'"),
        (make_step("second"), {"after": "last"}, "two steps have the slug 'second'"),
        (make_step("extra", depends_on=("last",)), {"before": "last"}, "depends on \\['last'\\]"),
        (make_step("extra", depends_on=("unknown",)), {}, "depends on \\['unknown'\\]"),
        (make_step("extra"), {"before": "first", "after": "last"}, "not both"),
        (object, {}, "is not a Step class"),
    ],
    ids=["unknown anchor", "duplicate slug", "later dependency", "unknown key", "both", "no step"],
)
def test_a_bad_registration_is_refused_and_changes_nothing(step, where, message):
    derived = Base.derive()
    derived.register(make_step("kept"), after="first")
    before = derived.default_steps
    with pytest.raises(WorkflowError, match=message):
        derived.register(step, **where)
    assert derived.default_steps == before
    assert slugs(Base) == ["first", "second", "last"]


def test_two_derived_classes_do_not_share_registrations():
    one, two = Base.derive(), Base.derive()
    one.register(make_step("only_one"), after="first")
    two.register(make_step("only_two"), before="last")
    assert slugs(one) == ["first", "only_one", "second", "last"]
    assert slugs(two) == ["first", "second", "only_two", "last"]


def test_a_registered_step_is_validated_like_the_others():
    from webapp.workflow import WizardState

    derived = Base.derive()
    derived.register(make_step("extra", depends_on=("first",)), after="first")
    workflow = derived(WizardState(id="w", workflow="base"))
    extra = workflow.get_step("extra")
    assert extra is not None and workflow.next_step(workflow.get_step("first")) is extra
    blocked = workflow.validate_step(extra, StepInput({"extra": ["x"]}))
    assert blocked is None and "Complete First first." in workflow.errors["extra"]["__all__"]
    workflow.validate_step(workflow.get_step("first"), StepInput({"first": ["a"]}))
    workflow.validate_step(extra, StepInput({"extra": ["x"]}))
    assert workflow.context["extra"] == "x" and "extra" in workflow.state.done
