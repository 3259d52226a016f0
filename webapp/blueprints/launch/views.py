"""Views of the launch wizard.

``GET /launch/`` opens a new wizard; ``GET /launch/<id>/<step>`` shows a step;
``POST /launch/<id>/<step>`` saves that step's input and, depending on the button
(``nav``), validates it and moves on, goes back, refreshes the lists or launches.
"""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask import flash
from flask import request

from webapp.blueprints.launch import bp
from webapp.blueprints.launch import wizard
from webapp.identity import login_required
from webapp.workflow.guard import wait_for_outcome


@bp.get("/")
@login_required
def index():
    """Open a new wizard: every tab gets its own."""
    workflow = wizard.start()
    return wizard.leave(wizard.step_url(workflow, workflow.steps[0]))


@bp.get("/<wizard_id>/<slug>")
@login_required
def step(wizard_id, slug):
    """Show one step (a panel for HTMX, the whole wizard otherwise)."""
    workflow = wizard.open_wizard(wizard_id)
    if workflow is None:
        return _restart()
    outcome = wizard.guard().outcome(wizard.submit_key(workflow))
    if outcome:
        flash("This launch has already been submitted.", "info")
        return wizard.leave(outcome["url"])
    current = workflow.get_step(slug) or abort(404)
    blockers = workflow.missing_dependencies(current)
    if blockers:
        flash(f"Complete {blockers[0].name()} first.", "info")
        return wizard.go(workflow, blockers[0])
    return wizard.render(workflow, current)


@bp.post("/<wizard_id>/<slug>")
@login_required
def submit(wizard_id, slug):
    """Save the step's input, then act on the button that was pressed."""
    workflow = wizard.open_wizard(wizard_id)
    if workflow is None:
        return _restart()
    current = workflow.get_step(slug) or abort(404)
    nav = request.form.get("nav", "next")
    target = workflow.get_step(nav.removeprefix("step:")) if nav.startswith("step:") else None
    try:
        if nav == "launch":
            return _launch(workflow, current)
        if nav == "refresh":
            workflow.save_input(current, request.form)
            wizard.refresh(workflow)
            return wizard.render(workflow, current)
        going_back = nav == "back" or (
            target is not None and workflow.steps.index(target) < workflow.steps.index(current)
        )
        if going_back:
            # Back never validates: what was typed is kept for later.
            workflow.save_input(current, request.form)
            return wizard.go(workflow, target or workflow.previous_step(current) or current)
        action = workflow.validate_step(current, request.form)
        if action is None:
            return wizard.go(workflow, workflow.missing_dependencies(current)[0])
        if current.slug() in workflow.errors:
            return wizard.render(workflow, current, action)
        return wizard.go(workflow, target or workflow.next_step(current) or current)
    finally:
        # Also on the way out of an exception (an expired login, a cloud error),
        # so that nothing the user typed is lost.
        wizard.save(workflow)


def _launch(workflow, current):
    """The final submit: once per wizard, however often it is posted."""
    workflow.save_input(current, request.form)
    guard = wizard.guard()
    key = wizard.submit_key(workflow)
    if not guard.claim(key):
        outcome = wait_for_outcome(guard, key, timeout=current_app.config["SUBMIT_WAIT"])
        if outcome:
            return wizard.leave(outcome["url"])
        flash("This launch is already being submitted. Wait a moment.", "info")
        return wizard.render(workflow, current)
    try:
        launched = workflow.finalize()
    except BaseException:
        guard.release(key)
        raise
    if not launched:
        guard.release(key)
        flash(workflow.format_message(workflow.failure_message), "error")
        return wizard.go_with_errors(workflow)
    url = workflow.get_success_url()
    guard.finish(key, {"url": url})
    flash(workflow.format_message(workflow.success_message), "success")
    return wizard.leave(url)


def _restart():
    flash("That launch form has expired or belongs to another project; here is a new one.", "info")
    return wizard.leave("/launch/")
