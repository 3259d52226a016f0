"""Routes of the launch wizard.

``GET /launch/`` shows the first step of a new launch and makes nothing: the
wizard is made by ``POST /launch/``, that page's first post, so a link, a
prefetch or a cross-site navigation cannot make (or drop) wizards.
Both show the page at once, with a loading panel, while the cloud's lists are
not cached yet (:mod:`webapp.blueprints.launch.loading`).
``GET /launch/<id>/<step>`` shows a step; ``POST /launch/<id>/<step>`` saves that
step's input and does what the pressed button asks
(:mod:`webapp.blueprints.launch.buttons`). A wizard that has launched shows its
outcome and takes no more input.
``GET /launch/<id>/review/<kind>`` downloads one of Review's equivalents of the
launch (``command``, ``api``, ``terraform``, ``user-data``).
``POST /launch/again/<server_id>`` makes a new wizard pre-filled from a server
(:mod:`webapp.blueprints.launch.again`) and goes to its first step with an error,
else to its last.
"""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import make_response
from flask import redirect
from flask import url_for
from werkzeug.wrappers import Response

from webapp.blueprints.launch import again as like_server
from webapp.blueprints.launch import bp
from webapp.blueprints.launch import buttons
from webapp.blueprints.launch import loading
from webapp.blueprints.launch import wizards
from webapp.blueprints.launch.pages import at_own_url
from webapp.blueprints.launch.pages import go
from webapp.blueprints.launch.pages import leave
from webapp.blueprints.launch.pages import render
from webapp.blueprints.launch.pages import step_url
from webapp.blueprints.launch.uploads import posted_input
from webapp.cloud.errors import NotFound
from webapp.forms.launch import LaunchInstance
from webapp.forms.launch.review import ReviewAction
from webapp.i18n import gettext as _
from webapp.identity import login_required
from webapp.workflow import Step


@bp.get("/")
@login_required
def index() -> Response:
    """The first step of a new launch, pre-filled from the query; the loading page
    first when this login has no lists of the project yet."""
    if loading.may_defer() and not wizards.draft_has_lists():
        outline = wizards.draft(lists=False)
        return loading.page(outline, outline.steps[0])
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
@wizards.with_wizard(saves=False, shows=True)
def step(workflow: LaunchInstance, current: Step) -> Response:
    """Show one step (a panel for HTMX, the whole wizard otherwise)."""
    blockers = workflow.missing_dependencies(current)
    if blockers:
        # The wizard's own sentence, as when a step is posted (``{names}``).
        flash(str(workflow.blocked_message).format(names=blockers[0].name()), "info")
        return go(workflow, blockers[0])
    return render(workflow, current)


@bp.post("/<wizard_id>/<slug>")
@login_required
@wizards.with_wizard(saves=True)
def submit(workflow: LaunchInstance, current: Step) -> Response:
    """Save the step's input, then do what the pressed button asks."""
    return buttons.press(workflow, current, posted_input())


@bp.get("/<wizard_id>/<slug>/<kind>")
@login_required
@wizards.with_wizard(saves=False)
def equivalent(workflow: LaunchInstance, current: Step, kind: str) -> Response:
    """One of Review's equivalents of the launch (the command, the API request,
    the OpenTofu file, the script) as a file to download."""
    if current.slug() != "review" or workflow.missing_dependencies(current):
        abort(404)
    review = workflow.build_action(current)
    assert isinstance(review, ReviewAction)
    item = next((i for i in review.equivalents() if i.kind == kind), None) or abort(404)
    response = make_response(item.content)
    binary = not isinstance(item.content, str)
    response.mimetype = "application/octet-stream" if binary else "text/plain"
    response.headers["Content-Disposition"] = f'attachment; filename="{item.filename}"'
    return response


@bp.get("/again/<server_id>")
@login_required
def again_page(server_id: str) -> Response:
    """Only a POST makes the wizard: a GET (a link, a reload) goes to the server's
    page and its button (rather than to the step route, as a wizard named "again")."""
    return redirect(url_for("servers.detail", server_id=server_id), code=303)


@bp.post("/again/<server_id>")
@login_required
def again(server_id: str) -> Response:
    """Launch again like this: a new wizard pre-filled from the server, every step
    checked against the cloud as it is now; then its first step with an error, or
    its last step, ready to launch."""
    try:
        original = like_server.read_server(wizards.connect(), server_id)
    except NotFound:
        abort(404, _("That server no longer exists, so it cannot be launched again."))
    workflow = wizards.start_fresh()
    try:
        found = like_server.seed(original, workflow.resources, workflow.steps)
        like_server.prefill(workflow, found)
    finally:
        wizards.save(workflow)
    name = original.server.name
    if workflow.errors:
        message = _(
            'Not all of "%(name)s" can be launched again: see the steps marked with "!".',
            name=name,
        )
        flash(message, "error")
    else:
        message = _('A launch like "%(name)s", checked against the cloud as it is now.', name=name)
        flash(message, "info")
    return leave(step_url(workflow, workflow.entry_point()))
