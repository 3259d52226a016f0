"""The operator's own launch steps (``LAUNCH_EXTRA_STEPS``), placed among the
built-in ones with the engine's :meth:`~webapp.workflow.Workflow.register`.

Each entry of the setting is a step found through an entry point of the group
``skiff.launch_steps`` (:mod:`webapp.forms.launch.plugins`) or one declared in
the configuration itself (:mod:`webapp.forms.launch.declarative`), and says
where it goes: ``"before"`` or ``"after"`` a step's slug. :func:`launch_workflow`
builds an app's own launch workflow class from them, once, at start: a class
derived from :class:`~webapp.forms.launch.workflow.LaunchInstance`, which is
left unchanged (other apps in the process do not see the steps). Anything wrong
stops the app with a message naming the entry.

An operator's step is an :class:`OperatorStep`: what its ``additions`` returns
(Nova metadata items and server tags) is kept in the context under
:data:`ADDITIONS`, one entry per step, and merged into the server request
(:func:`~webapp.forms.launch.server_request.server_request`): an operator's
metadata key wins over the same key typed in Configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import cast

import flask_babel
from babel import Locale
from markupsafe import escape

from webapp.forms.launch.common import LaunchAction
from webapp.forms.launch.workflow import LaunchInstance
from webapp.forms.launch.workflow import LaunchStep
from webapp.workflow import Step
from webapp.workflow import WorkflowError

__all__ = [
    "ADDITIONS",
    "Additions",
    "ExtraStepError",
    "Localized",
    "OperatorStep",
    "Recovered",
    "launch_workflow",
]

#: the context key of what the operator's steps add to the server:
#: step slug -> {"metadata": {key: value}, "tags": [tag, ...]}
ADDITIONS = "operator_additions"
#: names a step's field may not have: the wizard's own posted names
POSTED_NAMES = frozenset({"nav", "csrf_token"})


class ExtraStepError(ValueError):
    """``LAUNCH_EXTRA_STEPS`` asks for something that cannot work (the app stops)."""


class Localized:
    """A text given in several languages (``{"en": "Owner", "zh_CN": "负责人"}``),
    shown in the language of the request that shows it, else English, else the
    first one given. A plain string is the same in every language."""

    def __init__(self, text: str | Mapping[str, str]) -> None:
        self.texts: dict[str, str] = {"": text} if isinstance(text, str) else dict(text)

    def __str__(self) -> str:
        if "" in self.texts:
            return self.texts[""]
        chosen = _request_locale()
        if chosen is not None:
            for name, text in self.texts.items():
                if Locale.parse(name) == chosen:
                    return text
        return self.texts.get("en") or next(iter(self.texts.values()), "")

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __bool__(self) -> bool:
        return any(self.texts.values())

    def __repr__(self) -> str:
        return f"Localized({self.texts!r})"


def _request_locale() -> Locale | None:
    """The locale of the request being answered, or None (no request, no app)."""
    try:
        return flask_babel.get_locale()
    except (KeyError, RuntimeError):  # Flask-Babel not bound to this app
        return None


@dataclass(frozen=True)
class Additions:
    """What one step adds to the server: metadata items and tags."""

    metadata: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recovered:
    """A step's input read back from a server (for "launch again like this"), and
    which of the server's metadata keys and tags it accounts for (not copied into
    Configuration's)."""

    values: Mapping[str, str] = field(default_factory=dict)
    metadata_keys: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()


class OperatorStep(LaunchStep):
    """The base of an operator's step (a plugin's too): its form fields are
    contributed as any step's, and :meth:`additions` says what the server gets.

    Its panel is drawn by ``launch/steps/_declared.html`` (every field, its label,
    help and errors) unless a template ``launch/steps/<slug>.html`` exists. Review
    shows its fields with their values, under a "Change" button to the step.
    """

    contributes = (ADDITIONS,)

    def additions(self, data: Mapping[str, Any]) -> Additions:
        """What the server gets from this step's cleaned form ``data``: override."""
        return Additions()

    @classmethod
    def from_server(cls, metadata: Mapping[str, str], tags: Sequence[str]) -> Recovered:
        """What to type in this step to launch a server like one with this
        ``metadata`` and these ``tags``: override (by default, nothing)."""
        return Recovered()

    def contribute(self, data: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        context = super().contribute(data, context)
        found = self.additions(data)
        # A new dict rather than a change in place: the context's dicts may be
        # shared with a copy (the initial context, a saved state).
        context[ADDITIONS] = {
            **(context.get(ADDITIONS) or {}),
            self.slug(): {"metadata": dict(found.metadata), "tags": list(found.tags)},
        }
        return context


def launch_workflow(
    entries: Sequence[Mapping[str, Any]], *, languages: Sequence[str]
) -> type[LaunchInstance]:
    """An app's launch workflow: :class:`LaunchInstance` with the operator's steps
    (``LAUNCH_EXTRA_STEPS``) registered where each entry says.

    Raises :class:`ExtraStepError` naming the entry and what is wrong with it.
    """
    from webapp.forms.launch.declarative import declared_step
    from webapp.forms.launch.plugins import entry_point_step

    workflow = cast(type[LaunchInstance], LaunchInstance.derive())
    if not isinstance(entries, (list, tuple)):
        raise ExtraStepError("LAUNCH_EXTRA_STEPS must be a list of steps")
    metadata_keys: dict[str, str] = {}
    for number, entry in enumerate(entries):
        where = f"LAUNCH_EXTRA_STEPS[{number}]"
        try:
            if not isinstance(entry, Mapping):
                raise ExtraStepError("each step is a mapping (a JSON object)")
            place = _placement(entry)
            if "entry_point" in entry:
                unknown = set(entry) - {"entry_point", "before", "after"}
                if unknown:
                    raise ExtraStepError(f"unknown keys {sorted(unknown)}")
                step = entry_point_step(str(entry["entry_point"]))
            else:
                step = declared_step(entry, languages=languages)
                for key in getattr(step, "metadata_keys", ()):
                    if key in metadata_keys:
                        raise ExtraStepError(
                            f"metadata key {key!r} is already set by step {metadata_keys[key]!r}"
                        )
                    metadata_keys[key] = step.slug()
            _check_names(workflow, step)
            workflow.register(step, **place)
        except (ExtraStepError, WorkflowError) as error:
            raise ExtraStepError(f"{where}: {error}") from error
    return workflow


def _placement(entry: Mapping[str, Any]) -> dict[str, str]:
    """``{"before": slug}`` or ``{"after": slug}``: exactly one is required."""
    place = {key: entry[key] for key in ("before", "after") if key in entry}
    if len(place) != 1:
        raise ExtraStepError('say where the step goes: "before" or "after" a step\'s slug')
    ((key, slug),) = place.items()
    if not isinstance(slug, str):
        raise ExtraStepError(f'"{key}" is a step\'s slug, not {slug!r}')
    return {key: slug}


def _check_names(workflow: type[LaunchInstance], step: type[Step]) -> None:
    """A step's fields are context keys: none may be another step's."""
    if not issubclass(step.action_class, LaunchAction):
        raise ExtraStepError(
            f"step {step.slug()!r}: its action must be a "
            "webapp.forms.launch.common.LaunchAction (for the wizard's translations)"
        )
    taken = workflow.context_keys() - {ADDITIONS}
    clash = sorted((set(step.all_contributions()) - {ADDITIONS}) & (taken | POSTED_NAMES))
    if clash:
        raise ExtraStepError(
            f"step {step.slug()!r}: the names {clash} are taken by the wizard or another step"
        )
