"""The launch wizard: one URL per step, panels swapped over HTMX, whole pages without.

``views`` holds the routes; ``wizards`` opens and saves a wizard around a view;
``buttons`` says what each button of a step does; ``pages`` shows a step or moves
to another; ``uploads`` reads a step's posted input and files; ``again`` fills a
new wizard from a server (launch again like this); ``reuse`` fills one from input
typed before, ``profiles`` saves, lists and opens launch profiles (and has their
routes), ``stay`` opens the next wizard after "Launch and stay".
"""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from webapp.forms.launch.common import size_mb
from webapp.forms.launch.extra_steps import launch_workflow
from webapp.forms.launch.settings import LaunchSettings

bp = Blueprint("launch", __name__, url_prefix="/launch")


@bp.record_once
def read_settings(state: BlueprintSetupState) -> None:
    """Read the operator's launch settings and build the app's launch workflow
    (with ``LAUNCH_EXTRA_STEPS``) once, when the app is built."""
    app = state.app
    demo = app.extensions["skiff.cloud"].is_demo
    app.extensions["skiff.launch"] = LaunchSettings.from_config(app.config, demo=demo)
    # The app's own launch workflow: the operator's steps registered on a class
    # derived for this app (LaunchInstance itself is shared by every app).
    app.extensions["skiff.launch_workflow"] = launch_workflow(
        app.config["LAUNCH_EXTRA_STEPS"], languages=app.config["LANGUAGES"]
    )


@bp.app_template_filter("size_mb")
def size_mb_filter(value: int) -> str:
    """Megabytes in words in templates: 512 MB, 2 GB."""
    return size_mb(value)


@bp.app_template_global("preview_attrs")
def preview_attrs(step_url: str, trigger: str = "change") -> dict[str, str]:
    """The htmx attributes of a control whose change re-renders the step's figures
    (``nav=preview``), for ``render_field(**...)`` or ``|xmlattr``.

    ``hx-sync="closest form:abort"``: a button pressed meanwhile (Next, a step)
    aborts the preview rather than being swallowed; its post carries the same
    input. ``hx-disabled-elt="unset"``: so the step's buttons stay usable during a
    preview (the form disables them only for its own posts). Without JavaScript
    the figures follow on "Next" or the step's "Update" button.
    """
    return {
        "hx-post": step_url,
        "hx-trigger": trigger,
        "hx-vals": '{"nav": "preview"}',
        "hx-target": "#wizard-panel",
        "hx-swap": "outerHTML",
        "hx-sync": "closest form:abort",
        "hx-disabled-elt": "unset",
    }


from webapp.blueprints.launch import views  # noqa: E402,F401  (registers the routes)
