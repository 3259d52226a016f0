"""Steps: one Action each, and the contract of what it adds to the shared context."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar

from webapp.workflow.action import Action

if TYPE_CHECKING:
    from webapp.workflow.workflow import Workflow

__all__ = ["Step"]

#: an action class -> its field names (asked on every step swap: looked up once)
_FIELD_NAMES: dict[type[Action], tuple[str, ...]] = {}


def _field_names(action_class: type[Action]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(action_class)
    if names is None:
        names = tuple(
            name
            for name in dir(action_class)
            if hasattr(getattr(action_class, name, None), "field_class")
        )
        _FIELD_NAMES[action_class] = names
    return names


class Step:
    """Wraps one :class:`Action` and declares its place in the workflow.

    ``contributes`` names the context keys the step adds beyond its form fields
    (which are contributed automatically); ``depends_on`` names the keys that must
    be in the context before the step can be shown or validated.

    A ``hidden`` step is never shown: what it contributes must be in the
    workflow's initial context (e.g. the logged-in user's project). So must what a
    step contributes when its action's ``permissions`` are not all held.
    """

    action_class: ClassVar[type[Action]]
    contributes: ClassVar[tuple[str, ...]] = ()
    depends_on: ClassVar[tuple[str, ...]] = ()
    hidden: ClassVar[bool] = False

    def __init__(self, workflow: Workflow | None = None) -> None:
        #: the workflow this step belongs to (its ``resources`` are often useful)
        self.workflow = workflow

    @classmethod
    def slug(cls) -> str:
        """The step's slug, from its action."""
        return str(cls.action_class.describe("slug"))

    @classmethod
    def name(cls) -> str:
        """The step's display name, from its action."""
        return str(cls.action_class.describe("name"))

    @classmethod
    def help_text(cls) -> str:
        """The step's help text, from its action."""
        return str(cls.action_class.describe("help_text") or "")

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
        if cls.hidden:
            return False
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
