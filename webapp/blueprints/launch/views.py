"""Routes of the launch wizard.

``GET /launch/`` shows the first step of a new launch and makes nothing: the
wizard is made by ``POST /launch/``, that page's first post, so a link, a
prefetch or a cross-site navigation cannot make (or drop) wizards.
``GET /launch/<id>/<step>`` shows a step; ``POST /launch/<id>/<step>`` saves that
step's input and does what the pressed button asks
(:mod:`webapp.blueprints.launch.buttons`). A wizard that has launched shows its
outcome and takes no more input.
"""

from __future__ import annotations

from flask import flash
from werkzeug.wrappers import Response

from webapp.blueprints.launch import bp
from webapp.blueprints.launch import buttons
from webapp.blueprints.launch import wizards
from webapp.blueprints.launch.pages import at_own_url
from webapp.blueprints.launch.pages import go
from webapp.blueprints.launch.pages import render
from webapp.blueprints.launch.uploads import posted_input
from webapp.forms.launch import LaunchInstance
from webapp.identity import login_required
from webapp.workflow import Step


@bp.get("/")
@login_required
def index() -> Response:
    """The first step of a new launch, pre-filled from the query."""
    workflow = wizards.draft()
    return render(workflow, workflow.steps[0])


@bp.post("/")
@login_required
def create() -> Response:
    """Make the wizard (every tab gets its own), then do what the pressed button
    asks with the first step's input, as on any step."""
    workflow = wizards.start()
    try:
        response = buttons.press(workflow, workflow.steps[0], posted_input())
    finally:
        wizards.save(workflow)
    return at_own_url(workflow, response)


@bp.get("/<wizard_id>/<slug>")
@login_required
@wizards.with_wizard(saves=False)
def step(workflow: LaunchInstance, current: Step) -> Response:
    """Show one step (a panel for HTMX, the whole wizard otherwise)."""
    blockers = workflow.missing_dependencies(current)
    if blockers:
        flash(f"Complete {blockers[0].name()} first.", "info")
        return go(workflow, blockers[0])
    return render(workflow, current)


@bp.post("/<wizard_id>/<slug>")
@login_required
@wizards.with_wizard(saves=True)
def submit(workflow: LaunchInstance, current: Step) -> Response:
    """Save the step's input, then do what the pressed button asks."""
    return buttons.press(workflow, current, posted_input())
