"""Per-request plumbing of the launch wizard: its saved state, lists, rendering.

The views stay thin by asking this module to open a wizard (state from the
session, lists from the catalog cache, the workflow around both), to show a step
(a panel for HTMX, a whole page otherwise) and to move to another step.
"""

from __future__ import annotations

import dataclasses

from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for

from webapp.cloud import get_connection
from webapp.cloud import get_provider
from webapp.cloud.catalog import CatalogCache
from webapp.cloud.catalog import fetch_catalog
from webapp.forms.launch import LaunchInstance
from webapp.forms.launch import LaunchResources
from webapp.htmx import htmx_redirect
from webapp.htmx import is_htmx
from webapp.htmx import vary_on_htmx
from webapp.workflow import STEP_ERRORS
from webapp.workflow import Step
from webapp.workflow import WizardStore
from webapp.workflow import Workflow

WORKFLOW = LaunchInstance

#: query arguments that pre-fill a new wizard -> context keys
PREFILL = {
    "image": "source_id",
    "snapshot": "source_id",
    "volume": "source_id",
    "volume_snapshot": "source_id",
    "name": "name",
    "flavor": "flavor",
}
#: steps the operator may hide (LAUNCH_HIDDEN_STEPS)
OPTIONAL_STEPS = ("config", "review")


def store() -> WizardStore:
    """The wizards of this session."""
    return WizardStore(session, limit=current_app.config["WIZARDS_PER_SESSION"])


def catalogs() -> CatalogCache:
    """The per-wizard cache of cloud lists."""
    return CatalogCache(
        current_app.extensions["skiff.cache"], ttl=current_app.config["CATALOG_TTL"]
    )


def guard():
    """The app's submit guard."""
    return current_app.extensions["skiff.guard"]


def submit_key(workflow: Workflow) -> str:
    """The submit guard's key for this wizard."""
    return f"{g.identity.user_id}:{workflow.state.id}"


def start() -> Workflow:
    """Open a new wizard and fetch everything it lists, all at once."""
    seed = {PREFILL[k]: v for k, v in request.args.items() if k in PREFILL}
    seed.update(project_id=g.identity.project_id, user_id=g.identity.user_id)
    state = store().create(WORKFLOW.slug, WORKFLOW.get_initial(seed))
    catalog = fetch_catalog(_connect())
    catalogs().put(state.id, catalog)
    return _workflow(state, catalog)


def open_wizard(wizard_id: str) -> Workflow | None:
    """The wizard with this id in this session and project, or None."""
    state = store().get(wizard_id, WORKFLOW.slug)
    if state is None or state.initial.get("project_id") != g.identity.project_id:
        return None
    catalog = catalogs().get_or_fetch(state.id, _connect)
    return _workflow(state, catalog)


def refresh(workflow: Workflow) -> None:
    """Fetch the wizard's lists again (the user asked for it)."""
    catalog = fetch_catalog(_connect())
    catalogs().put(workflow.state.id, catalog)
    workflow.resources.catalog = catalog


def save(workflow: Workflow) -> None:
    """Keep the wizard's state in the session."""
    store().save(workflow.state)


def _connect():
    return get_connection(g.identity)


def forget_input(workflow: Workflow) -> None:
    """After a launch: drop what was typed (passwords, scripts) from the session;
    the wizard only needs its result now."""
    workflow.state.input.clear()
    workflow.state.context = {}


def settings() -> dict:
    """The operator's launch settings, as the launch actions read them."""
    config = current_app.config
    return {
        "default_source": config["LAUNCH_DEFAULT_BOOT_SOURCE"],
        "disabled_sources": tuple(config["LAUNCH_DISABLED_SOURCES"]),
        "create_volume": bool(config["LAUNCH_CREATE_VOLUME"]),
        "delete_volume_on_termination": bool(config["LAUNCH_DELETE_VOLUME_ON_TERMINATION"]),
        "config_drive": bool(config["LAUNCH_CONFIG_DRIVE"]),
        "admin_password": bool(config["CLOUD_ADMIN_PASSWORD"]) or get_provider().is_demo,
    }


def permissions() -> frozenset[str]:
    """The optional steps the operator shows, as permissions of the workflow."""
    hidden = set(current_app.config["LAUNCH_HIDDEN_STEPS"])
    return frozenset(f"launch.step.{slug}" for slug in OPTIONAL_STEPS if slug not in hidden)


def _workflow(state, catalog) -> Workflow:
    # The connection is made only when a call needs it: a step swap makes none,
    # and an expired login is then noticed after the input has been saved.
    resources = LaunchResources(catalog=catalog, connect=_connect, settings=settings())
    return WORKFLOW(state, resources=resources, permissions=permissions())


def form_input():
    """The posted step input, with uploaded text files (field ``<name>_file``)
    read into their text field ``<name>``, so that they are saved like typed text."""
    data = request.form.copy()
    for key, upload in request.files.items():
        if not key.endswith("_file") or not upload.filename:
            continue
        content = upload.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)
        if len(content) > current_app.config["MAX_UPLOAD_BYTES"]:
            flash(f"{upload.filename} is too large.", "error")
            continue
        try:
            data[key.removesuffix("_file")] = content.decode("utf-8")
        except UnicodeDecodeError:
            flash(f"{upload.filename} is not a text file.", "error")
    return data


def add_keypair(workflow: Workflow) -> None:
    """Show a key pair created or imported just now in the wizard's lists."""
    keypairs = tuple(_connect().list_keypairs())
    catalog = dataclasses.replace(workflow.resources.catalog, keypairs=keypairs)
    catalogs().put(workflow.state.id, catalog)
    workflow.resources.catalog = catalog


def step_url(workflow: Workflow, step: Step) -> str:
    """The URL of one step of this wizard."""
    return url_for("launch.step", wizard_id=workflow.state.id, slug=step.slug())


def render(workflow: Workflow, step: Step, action=None, **extra):
    """Show ``step``, with the errors the wizard holds for it, as a panel for
    HTMX (plus the step list, out of band) or as a whole page. ``extra`` goes to
    the template as it is (e.g. a private key shown once)."""
    action = action or workflow.build_action(step)
    errors = dict(workflow.errors.get(step.slug(), {}))
    step_errors = errors.pop(STEP_ERRORS, [])
    for name, messages in errors.items():
        if name in action:
            action[name].errors = list(messages)
        else:
            step_errors.extend(messages)
    values = {
        "workflow": workflow,
        "step": step,
        "form": action,
        "step_errors": step_errors,
        "catalog": workflow.resources.catalog,
        "step_url": step_url(workflow, step),
        **extra,
    }
    template = "launch/_panel.html" if is_htmx() else "launch/wizard.html"
    return vary_on_htmx(render_template(template, **values))


def go(workflow: Workflow, step: Step):
    """Move to ``step``: the new panel for HTMX (and its URL in the history), a
    303 redirect to its page otherwise (so reload never re-posts)."""
    if not is_htmx():
        return redirect(step_url(workflow, step), code=303)
    response = render(workflow, step)
    response.headers["HX-Push-Url"] = step_url(workflow, step)
    return response


def leave(url: str):
    """Go to a page outside the wizard (a whole page, also for HTMX)."""
    return htmx_redirect(url) if is_htmx() else redirect(url, code=303)


def go_with_errors(workflow: Workflow):
    """After a failed final submit: the first step with errors, errors shown."""
    target = workflow.entry_point()
    response = render(workflow, target)
    if is_htmx():
        response.headers["HX-Push-Url"] = step_url(workflow, target)
    return response
