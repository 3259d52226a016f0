"""What each button of a step does.

Every button posts the step's whole form, with ``nav`` naming the button, so
what was typed is saved whichever was pressed. :data:`BUTTONS` maps ``nav`` to
its handler:

- ``next`` (also Enter, and any value not in the table): check the step, then
  the next one; a step with errors is shown again with them.
- ``back``: the step before; Back never checks anything.
- ``step:<slug>``: a step of the step list; backward like Back, forward like Next.
- ``refresh``, ``preview``, ``generate_key``: stay on the step with new lists,
  with the figures recomputed for the input so far, or with a new key pair.
- ``fit_count``: lower Count to the largest count the quotas take, and check the
  step again.
- ``cloud_config``: write the cloud-init helper's document into its field
  (Configuration), for the user to read and edit; nothing else is checked.
- ``launch``: the final submit, once per wizard however often it is posted; when
  it fails, the banner names the first step with errors, which is shown.
- ``launch_stay``: the same submit; then a new wizard typed in the same way
  opens at once (:mod:`.stay`).
- ``save_profile``: Review's "Save as profile" (its own form: the step's input
  is not posted, and stays as saved; :mod:`.profiles`).

Whatever the button, a posted file the step cannot take keeps the user on the
step, its reason beside its field, and what was typed kept.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable

from flask import current_app
from flask import flash
from flask import g
from flask import url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from webapp import events
from webapp.blueprints.launch import wizards
from webapp.blueprints.launch.pages import go
from webapp.blueprints.launch.pages import go_with_errors
from webapp.blueprints.launch.pages import leave
from webapp.blueprints.launch.pages import render
from webapp.blueprints.launch.profiles import save_profile
from webapp.blueprints.launch.stay import open_next
from webapp.blueprints.launch.uploads import PostedInput
from webapp.blueprints.launch.uploads import place_uploads
from webapp.cloud.errors import CloudError
from webapp.cloud.errors import InvalidRequest
from webapp.events import failure_outcome
from webapp.events import tell
from webapp.forms.launch import LaunchInstance
from webapp.htmx import is_htmx
from webapp.htmx import retarget
from webapp.i18n import LazyString
from webapp.i18n import gettext as _
from webapp.keys import generate_keypair
from webapp.state import submit_guard
from webapp.state.guard import wait_for_outcome
from webapp.workflow import Step

__all__ = ["BUTTONS", "press"]

Posted = MultiDict[str, str]
Handler = Callable[[LaunchInstance, Step, Posted, Step | None], Response]


def press(workflow: LaunchInstance, current: Step, data: PostedInput) -> Response:
    """Do what the pressed button asks, on the step ``current``, once its files
    are in its fields; a file it cannot take keeps the user on the step."""
    refused = place_uploads(data, current.field_names())
    if refused:
        response = refuse(workflow, current, data, refused)
        if data.too_large:
            # 413, as for any body too large; but here the rest of the step was
            # read and kept, and the step is shown again (over HTMX too: in its
            # panel, not in the messages where htmx puts other 4xx answers).
            response.status_code = 413
            if is_htmx():
                retarget(response, "#wizard-panel", "outerHTML")
        return response
    name, _colon, argument = data.get("nav", "next").partition(":")
    target = workflow.get_step(argument) if name == "step" else None
    return BUTTONS.get(name, forward)(workflow, current, data, target)


def refuse(
    workflow: LaunchInstance, current: Step, data: Posted, refused: dict[str, list[str]]
) -> Response:
    """Stay on the step with what was typed, each refused file's reason beside
    its field (the step is not completed)."""
    workflow.save_input(current, data)
    workflow.clear_errors(current)
    for field, messages in refused.items():
        for message in messages:
            workflow.reject(current, field, message)
    return render(workflow, current)


def forward(workflow: LaunchInstance, current: Step, data: Posted, target: Step | None) -> Response:
    """Check the step; then go on to ``target`` (default: the next step)."""
    action = workflow.validate_step(current, data)
    if action is None:
        return go(workflow, workflow.missing_dependencies(current)[0])
    if current.slug() in workflow.errors:
        return render(workflow, current, action)
    return go(workflow, target or workflow.next_step(current) or current)


def back(workflow: LaunchInstance, current: Step, data: Posted, target: Step | None) -> Response:
    """Go back to ``target`` (default: the step before), keeping what was typed."""
    # Back never validates: what was typed is kept for later.
    workflow.save_input(current, data)
    return go(workflow, target or workflow.previous_step(current) or current)


def to_step(workflow: LaunchInstance, current: Step, data: Posted, target: Step | None) -> Response:
    """A step of the step list: backward like Back, forward like Next."""
    if target is not None and workflow.steps.index(target) < workflow.steps.index(current):
        return back(workflow, current, data, target)
    return forward(workflow, current, data, target)


def refresh(
    workflow: LaunchInstance, current: Step, data: Posted, _target: Step | None
) -> Response:
    """Fetch the wizard's lists again; what was typed is kept, not checked."""
    workflow.save_input(current, data)
    wizards.refresh(workflow)
    return render(workflow, current)


def preview(
    workflow: LaunchInstance, current: Step, data: Posted, _target: Step | None
) -> Response:
    """Show the figures (quota, sizes) for the input so far, without checking it."""
    workflow.save_input(current, data)
    # The input is changing: last check's errors may no longer hold.
    workflow.clear_errors(current)
    return render(workflow, current, keep_focus=True)


def fit_count(
    workflow: LaunchInstance, current: Step, data: Posted, _target: Step | None
) -> Response:
    """Lower Count to the largest count that fits the project's quotas, then
    check the step again; it stays shown, with whatever still is wrong."""
    action = workflow.build_action(current, data)
    fit = getattr(action, "fit_count", None)
    count = fit() if fit else None
    if count is not None:
        data["count"] = str(count)
    checked = workflow.validate_step(current, data)
    if checked is None:
        return go(workflow, workflow.missing_dependencies(current)[0])
    return render(workflow, current, checked)


def make_cloud_config(
    workflow: LaunchInstance, current: Step, data: Posted, _target: Step | None
) -> Response:
    """Write the cloud-init helper's ``#cloud-config`` into the step's document
    field, replacing it; a helper field that is wrong is said beside it instead."""
    action = workflow.build_action(current, data)
    make = getattr(action, "make_cloud_config", None)
    document = make() if make else None
    workflow.clear_errors(current)
    if document is not None:
        data["cloud_config"] = action["cloud_config"].data
        data["cloud_config_made"] = action["cloud_config_made"].data
    workflow.save_input(current, data)
    wrong = {field.name: field.errors for field in action if field.errors}
    for name, messages in wrong.items():
        for message in messages:
            workflow.reject(current, name, str(message))
    if make and document is None and not wrong:
        flash(_("Choose something in the helper first: the cloud-config is as it was."), "info")
    # Made: the focus goes to the document (autofocus); wrong: to the first error.
    made = document is not None
    return render(workflow, current, keep_focus=not wrong, cloud_config_made=made)


def generate_key(
    workflow: LaunchInstance, current: Step, data: Posted, _target: Step | None
) -> Response:
    """Make a key pair for the user, import its public half, show the private
    half in this one response (it is not kept anywhere)."""
    workflow.save_input(current, data)
    name = (data.get("new_keypair_name") or "").strip() or f"{data.get('name') or 'skiff'}-key"
    if name in {k.name for k in workflow.resources.catalog.keypairs}:
        message = _("A key pair named %(name)s exists already: choose another name.", name=name)
        flash(message, "error")
        return render(workflow, current)
    private_key, public_key = generate_keypair(f"{name}@skiff")
    try:
        wizards.connect().import_keypair(name, public_key)
    except InvalidRequest as error:
        flash(_("Could not create the key pair: %(error)s", error=error), "error")
        return render(workflow, current)
    wizards.add_keypair(workflow)
    workflow.set_input(current, {"keypair": name, "new_keypair_name": "", "public_key": ""})
    response = render(workflow, current, private_key=private_key, private_key_name=name)
    response.headers["Cache-Control"] = "no-store"  # the private key must not be kept
    return response


def launch(workflow: LaunchInstance, current: Step, data: Posted, _target: Step | None) -> Response:
    """The final submit: once per wizard, however often it is posted."""
    return submit(workflow, current, data, stay=False)


def launch_and_stay(
    workflow: LaunchInstance, current: Step, data: Posted, _target: Step | None
) -> Response:
    """The final submit, as Launch (once per wizard); then, at once, a new wizard
    typed in the same way, the name numbered on (:mod:`.stay`)."""
    return submit(workflow, current, data, stay=True)


def submit(workflow: LaunchInstance, current: Step, data: Posted, *, stay: bool) -> Response:
    """Launch the wizard once, however often it is posted: the first request
    launches, the others wait for its outcome and follow it (``stay``: to the new
    wizard it opened, when it did)."""
    workflow.save_input(current, data)
    guard = submit_guard()
    key = wizards.submit_key(workflow)
    if not guard.claim(key):
        outcome = wait_for_outcome(guard, key, timeout=current_app.config["SUBMIT_WAIT"])
        if outcome:
            return leave((stay and outcome.get("next")) or outcome["url"])
        flash(_("This launch is already being submitted. Wait a moment."), "info")
        return render(workflow, current)
    started = time.perf_counter()
    try:
        launched = workflow.finalize()
    except Exception as error:
        guard.release(key)
        said = error if isinstance(error, CloudError) else type(error).__name__
        tell_launch(workflow, "error", started, error=said)
        raise
    except BaseException:
        guard.release(key)
        raise
    if not launched:
        guard.release(key)
        banner = failure_banner(workflow)
        flash(banner, "error")
        refusal = workflow.cloud_error
        if refusal is None:
            said = LazyString(failure_banner, workflow)  # in the operator's language
            tell_launch(workflow, "invalid", started, error=said)
        else:
            tell_launch(workflow, failure_outcome(refusal), started, error=refusal)
        return go_with_errors(workflow)
    tell_launch(workflow, "launched", started)
    url = wizards.launched_url(workflow) or url_for("servers.index")
    if not stay:
        guard.finish(key, {"url": url})
        flash(workflow.format_message(workflow.success_message), "success")
        workflow.forget_input()
        return leave(url)
    typed = {slug: dict(fields) for slug, fields in workflow.state.input.items()}
    workflow.forget_input()
    next_url = None
    try:
        # Launched: kept so at once, so that nothing failing from here on can
        # let the wizard launch again.
        wizards.save(workflow)
        next_url = open_next(workflow, typed, url)
    finally:
        # One outcome, with the new wizard when there is one: a second post (a
        # double click) follows the first one there.
        guard.finish(key, {"url": url, "next": next_url} if next_url else {"url": url})
    return leave(next_url or url)


def failure_banner(workflow: LaunchInstance) -> str:
    """A failed launch's message: the server's name (as typed, when its own step
    failed too) and the step the page shows, the first one with errors.

    ``workflow.failure_message`` (``{name}``, ``{step}``: ``str.format`` fields,
    possibly a lazy string) says it; without a name, ``failure_message_unnamed``.
    """
    typed = workflow.state.input.get("details", {}).get("name") or [""]
    name = workflow.context.get("name") or typed[0]
    template = str(workflow.failure_message)
    if not name:
        template = str(workflow.failure_message_unnamed)
    values = defaultdict(str, workflow.context, name=name, step=workflow.entry_point().name())
    return template.format_map(values)


def tell_launch(
    workflow: LaunchInstance, outcome: str, started: float, *, error: object = None
) -> None:
    """Tell :data:`webapp.events.launch` how the submit went, with what it asked
    for: names and ids only (never a password, a key or user data)."""
    context = workflow.context
    networks = context.get("networks")
    if isinstance(networks, list):
        networks = [nic.get("network_id") or nic.get("port_id") for nic in networks]
    tell(
        events.launch,
        identity=g.identity,
        outcome=outcome,
        server_ids=list((workflow.result or {}).get("server_ids") or []),
        details={
            "name": context.get("name"),
            "count": context.get("count"),
            "flavor": context.get("flavor"),
            "source_type": context.get("source_type"),
            "source_id": context.get("source_id"),
            "networks": networks,
        },
        seconds=time.perf_counter() - started,
        error=error,
    )


#: ``nav`` (before any ``:``) -> what the button does
BUTTONS: dict[str, Handler] = {
    "next": forward,
    "back": back,
    "step": to_step,
    "refresh": refresh,
    "preview": preview,
    "generate_key": generate_key,
    "fit_count": fit_count,
    "cloud_config": make_cloud_config,
    "launch": launch,
    "launch_stay": launch_and_stay,
    "save_profile": save_profile,
}
