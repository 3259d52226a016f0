"""A wizard's life in one request: opened from its saved state, saved at the end.

:func:`with_wizard` wraps a step view: it opens the wizard named in the URL (its
state from its record, its lists from the catalog cache, the workflow around
both), answers a new wizard when that one is gone, 404 for an unknown step, the
launch's outcome for a wizard that has launched (it takes no more input), and
saves the state when the view is done, also when it failed. A view that only
shows a step gets the loading page instead while the wizard's lists are not
cached (:mod:`webapp.blueprints.launch.loading`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from collections.abc import Mapping

from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue

from webapp.blueprints.launch import loading
from webapp.blueprints.launch.pages import DRAFT
from webapp.blueprints.launch.pages import leave
from webapp.cloud import get_connection
from webapp.cloud.base import CloudConnection
from webapp.cloud.catalog import Catalog
from webapp.cloud.catalog import CatalogCache
from webapp.cloud.catalog import fetch_catalog
from webapp.forms.launch import LaunchInstance
from webapp.forms.launch import LaunchResources
from webapp.forms.launch.settings import LaunchSettings
from webapp.i18n import gettext as _
from webapp.state import add_wizard
from webapp.state import catalog_cache
from webapp.state import wizard_records
from webapp.workflow import WizardState
from webapp.workflow import WizardStore

#: query arguments that pre-fill a new wizard -> context keys
PREFILL = {
    "image": "source_id",
    "snapshot": "source_id",
    "volume": "source_id",
    "volume_snapshot": "source_id",
    "name": "name",
    "flavor": "flavor",
}

#: a view of one step: (workflow, step, **the URL's other parts)
StepView = Callable[..., ResponseReturnValue]


def with_wizard(
    *, saves: bool, shows: bool = False
) -> Callable[[StepView], Callable[..., ResponseReturnValue]]:
    """Give a view ``(workflow, step)`` for the URL's ``wizard_id`` and ``slug``.

    :param saves: keep the wizard's state when the view is done (views that
        only show a step save nothing).
    :param shows: the view only shows the step: while the wizard's lists are not
        cached, a plain page request gets the loading page instead, and the
        view runs for the request that page makes (:mod:`.loading`).
    """

    def decorator(view: StepView) -> Callable[..., ResponseReturnValue]:
        @functools.wraps(view)
        def wrapped(wizard_id: str, slug: str, **more: str) -> ResponseReturnValue:
            state = _saved_state(wizard_id)
            if state is None:
                return restart()
            catalogs = _catalogs()
            later = shows and loading.may_defer() and not catalogs.has(state.id)
            # Without its lists (later) the workflow only serves the step list.
            catalog = Catalog() if later else catalogs.get_or_fetch(state.id, connect)
            workflow = _workflow(state, catalog)
            step = workflow.get_step(slug) or abort(404)
            launched = launched_url(workflow)
            if launched:
                # Its outcome, whatever is asked of it: it takes no more input.
                flash(_("This launch has already been submitted."), "info")
                return leave(launched)
            if later:
                return loading.page(workflow, step)
            try:
                return view(workflow, step, **more)
            finally:
                # Also on the way out of an exception (an expired login, a cloud
                # error), so that nothing the user typed is lost.
                if saves:
                    save(workflow)

        return wrapped

    return decorator


def draft(*, lists: bool = True) -> LaunchInstance:
    """The wizard ``GET /launch/`` shows: pre-filled from the query, kept nowhere.

    Its lists are fetched now (a new launch shows the cloud as it is) and kept for
    the wizard :func:`start` makes when this page is first posted.

    :param lists: False for the loading page: nothing is fetched, and the
        workflow only serves the step list.
    """
    state = WizardState(id=DRAFT, workflow=LaunchInstance.slug)
    state.initial = state.context = _initial(request.args)
    if not lists:
        return _workflow(state, Catalog())
    catalog = fetch_catalog(connect())
    _catalogs().put(_draft_key(), catalog)
    return _workflow(state, catalog)


def draft_has_lists() -> bool:
    """Whether lists fetched for a new launch of this project are still kept
    (then the cloud has answered this login lately, and answers quickly again)."""
    return _catalogs().has(_draft_key())


def start() -> LaunchInstance:
    """Make a new wizard (every tab gets its own), pre-filled from the query, with
    the lists its page was shown with (or fresh ones)."""
    return _create(_initial(request.args), _catalogs().get_or_fetch(_draft_key(), connect))


def start_fresh() -> LaunchInstance:
    """Make a new wizard with nothing typed and the cloud's lists fetched now, for
    a caller that types into it (launch again like this)."""
    return _create(_initial({}), fetch_catalog(connect()))


def save(workflow: LaunchInstance) -> None:
    """Keep what this request changed in the wizard."""
    _store().save(workflow.state)


def restart() -> ResponseReturnValue:
    """The wizard asked for is gone: say so and open a new one."""
    flash(
        _(
            "That launch form has expired or belongs to another project or region; "
            "here is a new one."
        ),
        "info",
    )
    return leave(url_for("launch.index"))


def refresh(workflow: LaunchInstance) -> None:
    """Fetch the wizard's lists again (the user asked for it)."""
    _use_catalog(workflow, fetch_catalog(connect()))


def add_keypair(workflow: LaunchInstance) -> None:
    """Show a key pair created or imported just now in the wizard's lists."""
    keypairs = tuple(connect().list_keypairs())
    _use_catalog(workflow, dataclasses.replace(workflow.resources.catalog, keypairs=keypairs))


def submit_key(workflow: LaunchInstance) -> str:
    """The submit guard's key for this wizard."""
    return f"{g.identity.user_id}:{workflow.state.id}"


def launched_url(workflow: LaunchInstance) -> str | None:
    """Where the wizard's launch went, read from its result; None before it launched.

    (A submit still under way is the submit guard's business: see ``buttons.launch``.)
    """
    if workflow.result is None:
        return None
    server_ids: list[str] = workflow.result.get("server_ids") or []
    if len(server_ids) == 1:
        return url_for("servers.detail", server_id=server_ids[0])
    return url_for("servers.index", ids=",".join(server_ids))


def connect() -> CloudConnection:
    """The logged-in user's cloud connection."""
    return get_connection(g.identity)


def _create(initial: dict[str, object], catalog: Catalog) -> LaunchInstance:
    state = _store().create(LaunchInstance.slug, initial)
    add_wizard(state.id)  # to be forgotten at logout
    _catalogs().put(state.id, catalog)
    return _workflow(state, catalog)


def _saved_state(wizard_id: str) -> WizardState | None:
    # The wizard with this id in this session, project and region, or None: its
    # lists and its launch belong to the region it was opened in.
    state = _store().get(wizard_id, LaunchInstance.slug)
    if state is None or state.initial.get("project_id") != g.identity.project_id:
        return None
    if state.initial.get("region") != g.identity.region:  # (None: from before regions)
        return None
    return state


def _initial(query: Mapping[str, str]) -> dict[str, object]:
    seed = {PREFILL[k]: v for k, v in query.items() if k in PREFILL}
    seed.update(
        project_id=g.identity.project_id, user_id=g.identity.user_id, region=g.identity.region
    )
    return workflow_class().get_initial(seed)


def _draft_key() -> str:
    # The lists of the next new wizard of the user's project and region: a new
    # tab's page and its first post use one fetch between them.
    return f"{DRAFT}-{g.identity.project_id}-{g.identity.region}"


def _use_catalog(workflow: LaunchInstance, catalog: Catalog) -> None:
    _catalogs().put(workflow.state.id, catalog)
    workflow.resources.catalog = catalog


def _workflow(state: WizardState, catalog: Catalog) -> LaunchInstance:
    # The connection is made only when a call needs it: a step swap makes none,
    # and an expired login is then noticed after the input has been saved.
    settings: LaunchSettings = current_app.extensions["skiff.launch"]
    resources = LaunchResources(catalog=catalog, connect=connect, settings=settings)
    return workflow_class()(state, resources=resources, permissions=settings.permissions())


def workflow_class() -> type[LaunchInstance]:
    """This app's launch workflow: LaunchInstance with the operator's steps."""
    workflow: type[LaunchInstance] = current_app.extensions["skiff.launch_workflow"]
    return workflow


def _store() -> WizardStore:
    # One per request, remembering what it read: a save writes only what changed.
    if "wizards" not in g:
        g.wizards = WizardStore(wizard_records())
    store: WizardStore = g.wizards
    return store


def _catalogs() -> CatalogCache:
    return CatalogCache(catalog_cache(), ttl=current_app.config["CATALOG_TTL"])
