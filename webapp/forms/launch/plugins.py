"""Launch steps from installed packages: the entry point group ``skiff.launch_steps``.

A package offers a step with an entry point in that group, e.g. in its
``pyproject.toml``::

    [project.entry-points."skiff.launch_steps"]
    cost_centre = "skiff_steps_example:CostCentreStep"

The object named is a Step class (usually an
:class:`~webapp.forms.launch.extra_steps.OperatorStep`), or a callable that
returns one; the operator places it with ``{"entry_point": "cost_centre",
"after": "details"}`` in ``LAUNCH_EXTRA_STEPS``.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from webapp.forms.launch.extra_steps import ExtraStepError
from webapp.workflow import Step

__all__ = ["GROUP", "entry_point_step"]

#: the entry point group of launch steps
GROUP = "skiff.launch_steps"


def entry_point_step(name: str) -> type[Step]:
    """The Step class the entry point ``name`` of :data:`GROUP` gives.

    Raises :class:`ExtraStepError` when no installed package offers it, when it
    cannot be loaded, or when it is not a Step class (nor makes one).
    """
    found = entry_points(group=GROUP, name=name)
    if not found:
        offered = sorted(point.name for point in entry_points(group=GROUP))
        raise ExtraStepError(
            f"no installed package offers the launch step {name!r} "
            f"(entry point group {GROUP!r}; offered: {offered or 'none'})"
        )
    point = next(iter(found))
    try:
        loaded = point.load()
    except Exception as error:  # an import error of the package, said at start
        raise ExtraStepError(
            f"the launch step {name!r} ({point.value}) cannot be loaded: {error!r}"
        ) from error
    step = loaded
    if not isinstance(loaded, type) and callable(loaded):
        step = loaded()
    if not (isinstance(step, type) and issubclass(step, Step)):
        raise ExtraStepError(
            f"the launch step {name!r} ({point.value}) is not a Step class, nor makes one"
        )
    return step
