"""Showing a step and moving between steps, for HTMX and for plain browsers.

HTMX gets the step's panel (with the step list and messages out of band) and the
step's URL for its history; a plain browser gets the whole wizard page, or a 303
to the step's page so that a reload never posts again.
"""

from __future__ import annotations

from typing import Any

from flask import flash
from flask import get_flashed_messages
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.wrappers import Response

from webapp.blueprints.launch.loading import without_wait
from webapp.htmx import htmx_redirect
from webapp.htmx import is_htmx
from webapp.htmx import push_url
from webapp.htmx import vary_on_htmx
from webapp.workflow import STEP_ERRORS
from webapp.workflow import Action
from webapp.workflow import Step
from webapp.workflow import Workflow

__all__ = ["DRAFT", "at_own_url", "go", "go_with_errors", "leave", "render", "step_url"]

#: the id of the wizard ``GET /launch/`` shows, before it is made by its first post
DRAFT = "new"


def step_url(workflow: Workflow, step: Step) -> str:
    """The URL of one step of this wizard; for the page of a wizard not yet made,
    the URL that makes it (with the query that pre-fills it)."""
    if workflow.state.id == DRAFT:
        query: dict[str, Any] = without_wait(request.args.to_dict())
        return url_for("launch.create", **query)
    return url_for("launch.step", wizard_id=workflow.state.id, slug=step.slug())


def render(
    workflow: Workflow,
    step: Step,
    action: Action | None = None,
    *,
    keep_focus: bool = False,
    **extra: Any,
) -> Response:
    """Show ``step``, with the errors the wizard holds for it, as a panel for
    HTMX (plus the step list, out of band) or as a whole page.

    :param action: the step's form as just validated (default: built from the
        saved input).
    :param keep_focus: leave the focus where the user is (a figure was just
        recomputed) instead of moving it to the new panel's heading.
    :param extra: goes to the template as it is (e.g. a private key shown once).
    """
    action = action or workflow.build_action(step)
    errors = dict(workflow.errors.get(step.slug(), {}))
    step_errors = errors.pop(STEP_ERRORS, [])
    for name, messages in errors.items():
        if name in action:
            action[name].errors = list(messages)
        else:
            step_errors.extend(messages)
    fragment = is_htmx()
    values = {
        "workflow": workflow,
        "step": step,
        "form": action,
        "step_errors": step_errors,
        "catalog": workflow.resources.catalog,
        "step_url": step_url(workflow, step),
        "fragment": fragment,
        "keep_focus": keep_focus and fragment,
        **extra,
    }
    template = "launch/_panel.html" if fragment else "launch/wizard.html"
    return vary_on_htmx(render_template(template, **values))


def go(workflow: Workflow, step: Step) -> Response:
    """Move to ``step``: the new panel for HTMX (and its URL in the history), a
    303 redirect to its page otherwise (so reload never re-posts)."""
    if not is_htmx():
        return redirect(step_url(workflow, step), code=303)
    return push_url(render(workflow, step), step_url(workflow, step))


def go_with_errors(workflow: Workflow) -> Response:
    """After a failed final submit: the first step with errors, errors shown."""
    target = workflow.entry_point()
    response = render(workflow, target)
    return push_url(response, step_url(workflow, target)) if is_htmx() else response


def at_own_url(workflow: Workflow, response: Response) -> Response:
    """The answer to a new wizard's first post, moved to the wizard's own URL when
    it shows a step again (with its errors), so that a reload shows that step
    rather than posting again and making another wizard."""
    if is_htmx():
        if not {"HX-Push-Url", "HX-Redirect"} & set(response.headers.keys()):
            push_url(response, step_url(workflow, workflow.entry_point()))
        return response
    if response.status_code != 200:
        return response
    # Flask types both forms of the list as one.
    shown: list[tuple[str, str]] = get_flashed_messages(with_categories=True)  # type: ignore[assignment]
    for category, message in shown:
        flash(message, category)  # shown again on the page the browser goes to
    return redirect(step_url(workflow, workflow.entry_point()), code=303)


def leave(url: str) -> Response:
    """Go to a page outside the wizard (a whole page, also for HTMX)."""
    return htmx_redirect(url) if is_htmx() else redirect(url, code=303)
