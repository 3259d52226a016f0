"""Workflows: ordered steps sharing one context, validated step by step, then handled.

A :class:`Workflow` subclass lists its steps; the class checks when it is defined
that every ``depends_on`` is contributed by an earlier step. An instance works on
one :class:`~webapp.workflow.state.WizardState`: it validates one step at a time
while the user moves, every step at the final submit, and then runs every action's
``handle`` in step order and last its own :meth:`Workflow.handle`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import ClassVar

from webapp.workflow.action import Action
from webapp.workflow.action import ActionError
from webapp.workflow.inputs import InputLike
from webapp.workflow.inputs import StepInput
from webapp.workflow.state import WizardState
from webapp.workflow.step import Step

__all__ = ["Workflow", "WorkflowError"]

#: the error key for a message about a whole step rather than one field
STEP_ERRORS = "__all__"


class WorkflowError(Exception):
    """A workflow is declared or used in a way that cannot work."""


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


class Workflow:
    """Ordered :class:`Step` classes, their shared context and the final handle.

    :param state: the wizard this workflow works on (changed in place).
    :param permissions: what the user holds; steps needing more are hidden.
    :param resources: passed to every action's populate hooks.
    """

    slug: ClassVar[str]
    name: ClassVar[str]
    default_steps: ClassVar[tuple[type[Step], ...]] = ()
    finalize_button_name: ClassVar[str] = "Save"
    success_message: ClassVar[str] = "{name} done."
    failure_message: ClassVar[str] = "{name} failed."
    #: said on a step whose dependencies are not met (``{names}``: those steps).
    #: These messages may be lazy strings (translated when shown).
    blocked_message: ClassVar[str] = "Complete {names} first."

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.default_steps:
            cls.verify_contract()

    @classmethod
    def verify_contract(cls) -> None:
        """Raise :class:`WorkflowError` unless every ``depends_on`` key is
        contributed by an earlier step and every slug is unique."""
        contributed: set[str] = set()
        slugs: set[str] = set()
        for step in cls.default_steps:
            if step.slug() in slugs:
                raise WorkflowError(f"{cls.__name__}: two steps have the slug {step.slug()!r}")
            slugs.add(step.slug())
            missing = [key for key in step.depends_on if key not in contributed]
            if missing:
                raise WorkflowError(
                    f"{cls.__name__}: step {step.slug()!r} depends on {missing}, "
                    "which no earlier step contributes"
                )
            contributed.update(step.all_contributions())

    @classmethod
    def derive(cls, name: str | None = None) -> type[Workflow]:
        """A subclass with the same steps, on which :meth:`register` may add more
        without changing this class (nor any other app built in the process)."""
        namespace = {"default_steps": cls.default_steps, "__module__": cls.__module__}
        return type(name or cls.__name__, (cls,), namespace)

    @classmethod
    def register(
        cls,
        step: type[Step],
        *,
        before: str | type[Step] | None = None,
        after: str | type[Step] | None = None,
    ) -> None:
        """Add ``step`` to this class's steps, as Horizon's ``Workflow.register``.

        ``before`` or ``after`` names the step it goes next to (a slug or a Step
        class); with neither, it is appended (Horizon's rule: after the last step).
        The new list must keep :meth:`verify_contract`; if it does not, or the
        anchor is unknown, or both are given, :class:`WorkflowError` is raised and
        the class is left as it was. Use it on a class from :meth:`derive`: a class
        is shared by everything in the process that uses it.
        """
        if before is not None and after is not None:
            raise WorkflowError(
                f"{cls.__name__}: register {_slug_of(step)!r} before or after, not both"
            )
        if not (isinstance(step, type) and issubclass(step, Step)):
            raise WorkflowError(f"{cls.__name__}: {step!r} is not a Step class")
        steps = list(cls.default_steps)
        index = len(steps)
        anchor = before if before is not None else after
        if anchor is not None:
            slug = anchor if isinstance(anchor, str) else _slug_of(anchor)
            found = [i for i, known in enumerate(steps) if known.slug() == slug]
            if not found:
                known_slugs = ", ".join(known.slug() for known in steps)
                raise WorkflowError(
                    f"{cls.__name__}: no step {slug!r} to place {_slug_of(step)!r} next to "
                    f"(the steps: {known_slugs})"
                )
            index = found[0] if before is not None else found[0] + 1
        steps.insert(index, step)
        previous = cls.default_steps
        cls.default_steps = tuple(steps)
        try:
            cls.verify_contract()
        except WorkflowError:
            cls.default_steps = previous
            raise

    @classmethod
    def context_keys(cls) -> frozenset[str]:
        """Every key any step contributes or depends on."""
        keys: set[str] = set()
        for step in cls.default_steps:
            keys.update(step.all_contributions(), step.depends_on)
        return frozenset(keys)

    @classmethod
    def get_initial(cls, seed: Mapping[str, Any]) -> dict[str, Any]:
        """The initial context from the request's values (the logged-in user's
        ``project_id`` and ``user_id``, query arguments): only the workflow's keys."""
        keys = cls.context_keys()
        return {key: value for key, value in seed.items() if key in keys}

    def __init__(
        self,
        state: WizardState,
        *,
        permissions: frozenset[str] = frozenset(),
        resources: Any = None,
    ) -> None:
        self.state = state
        self.resources = resources
        self.steps = [step(self) for step in self.default_steps if step.allowed(permissions)]
        for unseen in self.default_steps:
            if unseen.allowed(permissions):
                continue
            absent = [k for k in unseen.all_contributions() if k not in state.initial]
            if absent:
                raise WorkflowError(
                    f"hidden step {unseen.slug()!r} contributes {absent}, "
                    "but the initial context does not hold them"
                )

    # -- navigation -----------------------------------------------------------

    @property
    def context(self) -> dict[str, Any]:
        """The context contributed so far."""
        return self.state.context

    @property
    def errors(self) -> dict[str, dict[str, list[str]]]:
        """Errors per step slug, then per field (``"__all__"`` for the whole step)."""
        return self.state.errors

    def get_step(self, slug: str) -> Step | None:
        """The visible step with this slug, or None."""
        return next((s for s in self.steps if s.slug() == slug), None)

    def next_step(self, step: Step) -> Step | None:
        """The step after ``step``, or None for the last one."""
        index = self.steps.index(step)
        return self.steps[index + 1] if index + 1 < len(self.steps) else None

    def previous_step(self, step: Step) -> Step | None:
        """The step before ``step``, or None for the first one."""
        index = self.steps.index(step)
        return self.steps[index - 1] if index else None

    def entry_point(self) -> Step:
        """Where to (re)open the wizard: the first step with errors, else the first
        one not yet completed, else the last."""
        for step in self.steps:
            if step.slug() in self.errors:
                return step
        for step in self.steps:
            if step.slug() not in self.state.done:
                return step
        return self.steps[-1]

    def missing_dependencies(self, step: Step) -> list[Step]:
        """The earlier steps that must be completed before ``step``."""
        needed = [key for key in step.depends_on if key not in self.context]
        return [
            earlier
            for earlier in self.steps[: self.steps.index(step)]
            if set(needed) & set(earlier.all_contributions())
        ]

    # -- one step -------------------------------------------------------------

    def build_action(self, step: Step, formdata: InputLike | None = None) -> Action:
        """The step's action, bound to ``formdata``, else to the input saved for
        the step, else unbound and filled from the context."""
        if formdata is None and step.slug() in self.state.input:
            formdata = StepInput(self.state.input[step.slug()])
        return step.action_class(
            self.context,
            resources=self.resources,
            formdata=formdata,
            data=self.context,
        )

    def save_input(self, step: Step, formdata: InputLike) -> None:
        """Keep what the user typed in ``step``'s fields, without validating it."""
        self.state.input[step.slug()] = dict(StepInput.of(formdata, step.field_names()))

    def set_input(self, step: Step, values: Mapping[str, str]) -> None:
        """Change some of ``step``'s saved input, as if the user had typed ``values``."""
        saved = self.state.input.setdefault(step.slug(), {})
        saved.update({key: [value] for key, value in values.items()})

    def clear_errors(self, step: Step) -> None:
        """Forget the errors of ``step`` (its input is changing, they may not hold)."""
        self.errors.pop(step.slug(), None)

    def reject(self, step: Step, field: str | None, message: str) -> None:
        """Show ``message`` beside ``field`` of ``step`` (None: the whole step),
        which is then not completed: input the request could not take (a file)."""
        self._fail(step, message, field)

    def validate_step(self, step: Step, formdata: InputLike) -> Action | None:
        """Save, validate and (when valid) contribute one step's input.

        Returns the bound action, whose ``errors`` say what is wrong, or None when
        earlier steps must be completed first (said in the step's errors).
        """
        self.save_input(step, formdata)
        self.clear_errors(step)
        blockers = self.missing_dependencies(step)
        if blockers:
            names = ", ".join(b.name() for b in blockers)
            self._fail(step, str(self.blocked_message).format(names=names))
            return None
        action = self.build_action(step, formdata)
        self._mark(step, done=self._validate(step, action, self.context))
        return action

    # -- the final submit -----------------------------------------------------

    def validate_all(self) -> dict[str, Action]:
        """Validate every step in order from its saved input, rebuilding the
        context from scratch; errors land on their steps. Returns the actions."""
        self.state.errors = {}
        self.state.context = dict(self.state.initial)
        actions: dict[str, Action] = {}
        for step in self.steps:
            if any(key not in self.context for key in step.depends_on):
                # An earlier step failed; its errors say what to fix first.
                self._mark(step, done=False)
                continue
            action = self.build_action(step)
            actions[step.slug()] = action
            self._mark(step, done=self._validate(step, action, self.state.context))
        return actions

    def finalize(self) -> bool:
        """Validate everything, then run every action's ``handle`` in step order
        and last :meth:`handle`. Returns True on success; on failure the errors
        are attached to their steps and the input is kept."""
        actions = self.validate_all()
        if self.errors or len(actions) < len(self.steps):
            return False
        for step in self.steps:
            try:
                result = actions[step.slug()].handle(self.context)
            except ActionError as error:
                self._fail_from(error, default=step)
                return False
            if result:
                self.context.update(result)
        try:
            result = self.handle(self.context)
        except ActionError as error:
            self._fail_from(error, default=self.steps[-1])
            return False
        self.context.update(result or {})
        self.state.result = result or {}
        return True

    def handle(self, context: dict[str, Any]) -> dict[str, Any] | None:
        """The workflow's own work, after every action's; raise ActionError to fail.

        What it returns is merged into the context and kept as the wizard's result.
        """
        return None

    @property
    def result(self) -> dict[str, Any] | None:
        """What the successful submit returned (None before)."""
        return self.state.result

    def forget_input(self) -> None:
        """After a successful submit: drop what was typed (passwords, scripts) and
        the context built from it; only the result is kept."""
        self.state.input.clear()
        self.state.context = {}

    def format_message(self, template: str) -> str:
        """Fill ``template`` (``str.format`` fields) from the context."""
        return str(template).format_map(_Blank(self.context))

    # -- helpers --------------------------------------------------------------

    def _validate(self, step: Step, action: Action, context: dict[str, Any]) -> bool:
        if not action.validate():
            self.errors[step.slug()] = {k: _plain(v) for k, v in action.errors.items()}
            return False
        step.contribute(action.data, context)
        return True

    def _mark(self, step: Step, *, done: bool) -> None:
        slug = step.slug()
        if done and slug not in self.state.done:
            self.state.done.append(slug)
        if not done and slug in self.state.done:
            self.state.done.remove(slug)

    def _fail(self, step: Step, message: str, field: str | None = None) -> None:
        errors = self.errors.setdefault(step.slug(), {})
        # Kept in the wizard's state as JSON: a lazy (translatable) message becomes
        # its text in the language of this request.
        errors.setdefault(field or STEP_ERRORS, []).append(str(message))
        self._mark(step, done=False)

    def _fail_from(self, error: ActionError, *, default: Step) -> None:
        step = self.get_step(error.step) if error.step else None
        self._fail(step or default, error.message, error.field)


def _slug_of(step: Any) -> str:
    """A step's slug for a message, also of something that is not a step."""
    try:
        return str(step.slug())
    except Exception:  # not a Step: said as it is
        return repr(step)


def _plain(messages: Any) -> list[Any]:
    """A field's error messages as JSON can hold them: lazy strings as text
    (nested forms' errors, dicts and lists, as they are)."""
    return [m if isinstance(m, (dict, list)) else str(m) for m in messages]
