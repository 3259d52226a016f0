"""Views of the launch wizard.

``GET /launch/`` opens a new wizard; ``GET /launch/<id>/<step>`` shows a step;
``POST /launch/<id>/<step>`` saves that step's input and, depending on the button
(``nav``), validates it and moves on, goes back, refreshes the lists, recomputes
the figures (``preview``), generates a key pair or launches.
"""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask import flash

from webapp.blueprints.launch import bp
from webapp.blueprints.launch import wizard
from webapp.cloud.errors import InvalidRequest
from webapp.identity import login_required
from webapp.keys import generate_keypair
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
    data = wizard.form_input()
    nav = data.get("nav", "next")
    target = workflow.get_step(nav.removeprefix("step:")) if nav.startswith("step:") else None
    try:
        if nav == "launch":
            return _launch(workflow, current, data)
        if nav in ("refresh", "preview", "generate_key"):
            return _stay(workflow, current, data, nav)
        going_back = nav == "back" or (
            target is not None and workflow.steps.index(target) < workflow.steps.index(current)
        )
        if going_back:
            # Back never validates: what was typed is kept for later.
            workflow.save_input(current, data)
            return wizard.go(workflow, target or workflow.previous_step(current) or current)
        action = workflow.validate_step(current, data)
        if action is None:
            return wizard.go(workflow, workflow.missing_dependencies(current)[0])
        if current.slug() in workflow.errors:
            return wizard.render(workflow, current, action)
        return wizard.go(workflow, target or workflow.next_step(current) or current)
    finally:
        # Also on the way out of an exception (an expired login, a cloud error),
        # so that nothing the user typed is lost.
        wizard.save(workflow)


def _stay(workflow, current, data, nav):
    """Stay on the step: new lists, new figures for the input so far, or a new
    key pair. What was typed is kept, not validated."""
    workflow.save_input(current, data)
    if nav == "preview":
        # The input is changing: last check's errors may no longer hold.
        workflow.errors.pop(current.slug(), None)
    if nav == "refresh":
        wizard.refresh(workflow)
    if nav == "generate_key":
        return _generate_key(workflow, current, data)
    return wizard.render(workflow, current)


def _generate_key(workflow, current, data):
    """Make a key pair for the user, import its public half, show the private
    half in this one response (it is not kept anywhere)."""
    name = (data.get("new_keypair_name") or "").strip() or f"{data.get('name') or 'skiff'}-key"
    if name in {k.name for k in workflow.resources.catalog.keypairs}:
        flash(f"A key pair named {name} exists already: choose another name.", "error")
        return wizard.render(workflow, current)
    private_key, public_key = generate_keypair(f"{name}@skiff")
    try:
        workflow.resources.connection.import_keypair(name, public_key)
    except InvalidRequest as error:
        flash(f"Could not create the key pair: {error}", "error")
        return wizard.render(workflow, current)
    wizard.add_keypair(workflow)
    saved = workflow.state.input.setdefault(current.slug(), {})
    saved.update(keypair=[name], new_keypair_name=[""], public_key=[""])
    response = wizard.render(workflow, current, private_key=private_key, private_key_name=name)
    response.headers["Cache-Control"] = "no-store"  # the private key must not be kept
    return response


def _launch(workflow, current, data):
    """The final submit: once per wizard, however often it is posted."""
    workflow.save_input(current, data)
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
    wizard.forget_input(workflow)
    return wizard.leave(url)


def _restart():
    flash("That launch form has expired or belongs to another project; here is a new one.", "info")
    return wizard.leave("/launch/")
