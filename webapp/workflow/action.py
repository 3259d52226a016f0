"""Actions: the form of one workflow step.

An :class:`Action` is a WTForms form that knows its step's name, slug, help text
and permissions (in its ``Meta``), fills its select fields from
``populate_<field>_choices(context)`` hooks when it is built, and does its share of
the work in :meth:`Action.handle` at the final submit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import wtforms

from webapp.workflow.inputs import InputLike

__all__ = ["Action", "ActionError"]

_UNKNOWN = object()
#: (action class, Meta key) -> its value
_DESCRIBED: dict[tuple[type, str], Any] = {}


class ActionError(Exception):
    """Raised by :meth:`Action.handle` (or a workflow's ``handle``) to fail the
    submit with a message attached to a step and, optionally, one of its fields.

    :param step: the slug of the step to blame; ``None`` means the raising action's.
    :param field: the field to show the message beside; ``None`` means the whole step.
    """

    def __init__(self, message: str, *, step: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.step = step
        self.field = field


class Action(wtforms.Form):
    """The form of one step.

    Subclasses declare fields as usual and describe themselves in ``Meta``::

        class Meta:
            name = "Details"          # shown in the step list
            slug = "details"          # used in URLs and error keys
            help_text = "..."
            permissions = ()          # all must be held to see the step

    An action has no CSRF field: the final submit re-validates steps from input
    saved earlier, so whoever serves the forms checks CSRF once per request.

    :param context: the workflow context so far; populate hooks read it.
    :param resources: whatever the hooks need to list choices (opaque to the engine).
    :param formdata: the user's input (anything with ``getlist``), or None for
        a form filled from ``data``.
    :param data: default values by field name (the context, usually).
    """

    class Meta:
        name = ""
        slug = ""
        help_text = ""
        permissions: tuple[str, ...] = ()

    def __init__(
        self,
        context: Mapping[str, Any],
        *,
        resources: Any = None,
        formdata: InputLike | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(formdata=formdata, data=dict(data) if data is not None else None)
        #: whether the form holds user input rather than defaults
        self.is_bound = formdata is not None
        self.context = context
        self.resources = resources
        # Choices always come from hooks, never from the class, so every build sees
        # the current cloud and what earlier steps contributed.
        for field in self:
            populate = getattr(self, f"populate_{field.name}_choices", None)
            if populate is not None:
                field.choices = populate(context)  # type: ignore[attr-defined]  # a choice field

    @classmethod
    def describe(cls, key: str) -> Any:
        """Read a ``Meta`` attribute at class level (the nearest definition wins)."""
        # Asked many times per request (step names, slugs): looked up once per class.
        found = _DESCRIBED.get((cls, key), _UNKNOWN)
        if found is _UNKNOWN:
            found = next(
                (
                    vars(meta)[key]
                    for meta in (klass.__dict__.get("Meta") for klass in cls.__mro__)
                    if meta is not None and key in vars(meta)
                ),
                None,
            )
            _DESCRIBED[(cls, key)] = found
        return found

    def handle(self, context: dict[str, Any]) -> dict[str, Any] | None:
        """Do this step's work at the final submit.

        Return values to merge into the context, or ``None``. Raise
        :class:`ActionError` to fail the submit with a message on this step.
        """
        return None
