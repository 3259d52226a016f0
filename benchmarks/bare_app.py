"""The yardsticks of ``step_swap.py``: a plain Flask app,
``gunicorn "benchmarks.bare_app:make_app('/tmp/folder')"``.

It has no session interface of its own (no secret key: Flask's null session),
no CSRF extension, no store and no login. Two routes:

- ``GET /`` answers a short text: what Flask, Werkzeug and gunicorn cost for any
  request (Flask-Compress only looks at it: too short, and not a type it compresses).
- ``GET /panel`` answers the Source panel that a step swap from Details answers,
  rendered as the portal renders it (``webapp/blueprints/launch/pages.py``,
  ``render`` for HTMX): the portal's templates, template filter and context
  processor, its Launch Instance forms, and Flask-Compress with the portal's
  settings. Its wizard (Details done), lists (the demo cloud's catalog) and launch
  settings are made once, with the app; a request builds the Source step's form
  and renders the panel. That is what any Flask app showing that panel must pay,
  without the portal's per-request machinery (session, CSRF check, state store,
  wizard load and save, validation, form parsing).
"""

from __future__ import annotations

import os

from flask import Flask
from flask import render_template
from flask import url_for
from flask_compress import Compress
from werkzeug.datastructures import MultiDict

from benchmarks.portal_client import DETAILS
from webapp.blueprints.launch import preview_attrs
from webapp.cloud.catalog import fetch_catalog
from webapp.cloud.demo import DemoProvider
from webapp.cloud.models import Identity
from webapp.config import DEFAULTS
from webapp.config import fixed_settings
from webapp.factory import _asset_url
from webapp.forms.launch import LaunchInstance
from webapp.forms.launch import LaunchResources
from webapp.forms.launch.common import size_mb
from webapp.forms.launch.settings import LaunchSettings
from webapp.workflow import MemoryWizardRecords
from webapp.workflow import WizardStore

#: what ``GET /`` answers
TEXT = "ok\n"
#: what the CSRF extension would put in the form: a token of the same length
CSRF_TOKEN = (
    "IjBhZmQ4ZTc2NTk4ZDQ3YTk0YzU5ZjQ2YmM4ZDQxOWYwYzQ3NWU2YjYi.aAbBcC.dDeEfFgGhHiIjJkKlLmMnNoOpPq"
)


def launch_workflow(provider: DemoProvider, identity: Identity) -> LaunchInstance:
    """A Launch Instance wizard of ``identity`` whose Details step is done, on
    the demo cloud's lists (fetched once), with the launch settings the portal
    has on the demo cloud."""
    connection = provider.connect(identity)
    settings = LaunchSettings.from_config(DEFAULTS, demo=True)
    resources = LaunchResources(
        catalog=fetch_catalog(connection), connect=lambda: connection, settings=settings
    )
    store = WizardStore(MemoryWizardRecords())
    seed = {"project_id": identity.project_id, "user_id": identity.user_id}
    state = store.create(LaunchInstance.slug, LaunchInstance.get_initial(seed))
    workflow = LaunchInstance(state, resources=resources, permissions=settings.permissions())
    details = workflow.get_step("details")
    assert details is not None
    workflow.validate_step(details, MultiDict(DETAILS))
    if workflow.errors or "details" not in state.done:
        raise SystemExit(f"the Details step did not validate: {workflow.errors}")
    store.save(state)
    return workflow


def make_app(folder: str) -> Flask:
    """The bare app; the demo cloud it reads its lists from lives in ``folder``."""
    # "webapp": the portal's package, so its templates and static files are found.
    app = Flask("webapp")
    fixed = fixed_settings(DEFAULTS["SESSION_LIFETIME_HOURS"])
    app.config.update({k: v for k, v in fixed.items() if k.startswith("COMPRESS_")})
    Compress(app)
    # Only built by url_for, as the portal builds a step's URL; never served here.
    app.add_url_rule("/launch/<wizard_id>/<slug>", "launch.step", build_only=True)
    app.add_template_filter(size_mb, "size_mb")
    app.add_template_global(lambda: CSRF_TOKEN, "csrf_token")
    app.add_template_global(preview_attrs, "preview_attrs")
    provider = DemoProvider(os.path.join(folder, "demo.sqlite"), build_seconds=0, latency=0)
    identity = provider.login("demo", "demo")
    workflow = launch_workflow(provider, identity)
    source = workflow.get_step("source")
    assert source is not None

    @app.context_processor
    def portal():
        # the portal's (webapp/factory.py), the login being the same for every request
        return {"identity": identity, "cloud": provider, "asset": _asset_url}

    @app.get("/")
    def hello():
        """A short text."""
        return TEXT, 200, {"Content-Type": "text/plain; charset=utf-8"}

    @app.get("/panel")
    def panel():
        """The Source panel, as a step swap from Details answers it."""
        step_url = url_for("launch.step", wizard_id=workflow.state.id, slug=source.slug())
        return render_template(
            "launch/_panel.html",
            workflow=workflow,
            step=source,
            form=workflow.build_action(source),
            step_errors=[],
            catalog=workflow.resources.catalog,
            step_url=step_url,
            fragment=True,
            keep_focus=False,
        )

    return app
