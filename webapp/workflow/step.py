"""Steps: one Action each, and the contract of what it adds to the shared context."""

from __future__ import annotations

import functools
from typing import Any
from typing import ClassVar

from webapp.workflow.action import Action

__all__ = ["Step"]


@functools.cache
def _field_names(action_class: type[Action]) -> tuple[str, ...]:
    # Asked on every step swap (contributions, dependencies): look once per class.
    return tuple(
        name
        for name in dir(action_class)
        if hasattr(getattr(action_class, name, None), "field_class")
    )


class Step:
    """Wraps one :class:`Action` and declares its place in the workflow.

    ``contributes`` names the context keys the step adds beyond its form fields
    (which are contributed automatically); ``depends_on`` names the keys that must
    be in the context before the step can be shown or validated. A step whose
    action's ``permissions`` the user lacks is hidden, but what it contributes is
    still expected, from the workflow's initial context.
    """

    action_class: ClassVar[type[Action]]
    contributes: ClassVar[tuple[str, ...]] = ()
    depends_on: ClassVar[tuple[str, ...]] = ()

    def __init__(self, workflow: Any = None) -> None:
        #: the workflow this step belongs to (its ``resources`` are often useful)
        self.workflow = workflow

    @classmethod
    def slug(cls) -> str:
        """The step's slug, from its action."""
        return cls.action_class.describe("slug")

    @classmethod
    def name(cls) -> str:
        """The step's display name, from its action."""
        return cls.action_class.describe("name")

    @classmethod
    def help_text(cls) -> str:
        """The step's help text, from its action."""
        return cls.action_class.describe("help_text") or ""

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The names of the action's form fields (without building a form)."""
        return _field_names(cls.action_class)

    @classmethod
    def all_contributions(cls) -> tuple[str, ...]:
        """Every context key this step adds: declared keys and form fields."""
        return tuple(dict.fromkeys(cls.contributes + cls.field_names()))

    @classmethod
    def allowed(cls, permissions: frozenset[str]) -> bool:
        """Whether a user holding ``permissions`` may see this step."""
        return set(cls.action_class.describe("permissions") or ()) <= permissions

    def contribute(self, data: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        """Copy the step's cleaned form ``data`` into the ``context``.

        Override to reshape the data or to add values that are not form fields;
        call ``super().contribute`` first.
        """
        for key in self.all_contributions():
            if key in data:
                context[key] = data[key]
        return context
