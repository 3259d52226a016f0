"""Launch profiles: saved on Review, launched from the launch page, managed on a page.

- "Save as profile" on Review is a form of its own posting ``nav=save_profile``
  to the step (:func:`save_profile`, a button of :mod:`.buttons`): the wizard's
  input step by step, without the administrator password, under a name unique
  to the user (:mod:`webapp.state.profiles`).
- ``POST /launch/profiles/open`` (``profile``: an id) makes a new wizard with the
  profile's input, checked against the cloud as it is now (:mod:`.reuse`), and
  goes to its first step with an error, else to its last.
- ``GET /launch/profiles/`` lists the user's profiles (rename, delete) and the
  operator's (``LAUNCH_PROFILES``: read-only); ``POST …/<id>/rename`` and
  ``POST …/<id>/delete`` (asked first, then ``confirmed=1``) change them.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.blueprints import BlueprintSetupState
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from webapp.blueprints.launch import bp
from webapp.blueprints.launch import reuse
from webapp.blueprints.launch.pages import DRAFT
from webapp.blueprints.launch.pages import go
from webapp.blueprints.launch.pages import leave
from webapp.blueprints.launch.pages import render
from webapp.blueprints.launch.pages import step_url
from webapp.forms.launch import LaunchInstance
from webapp.forms.profiles import ProfileForm
from webapp.i18n import gettext as _
from webapp.identity import login_required
from webapp.state import state
from webapp.state.profiles import NameTaken
from webapp.state.profiles import Profile
from webapp.state.profiles import ProfileGone
from webapp.state.profiles import ProfileStore
from webapp.state.profiles import operator_profiles
from webapp.workflow import Step

__all__ = ["flash_link", "save_profile"]


@bp.record_once
def read_operator_profiles(setup: BlueprintSetupState) -> None:
    """Read the operator's profiles once, when the app is built (a malformed
    ``LAUNCH_PROFILES`` stops the app there, saying what is wrong)."""
    app = setup.app
    app.extensions["skiff.profiles"] = operator_profiles(app.config.get("LAUNCH_PROFILES", []))


@bp.app_template_global("launch_profiles")
def launch_profiles(workflow: LaunchInstance) -> tuple[list[Profile], tuple[Profile, ...]]:
    """(the user's, the operator's) profiles, for the page of a new launch only
    (a wizard already made shows none)."""
    if workflow.state.id != DRAFT:
        return [], ()
    return _store().listed(), _operators()


@bp.app_template_global("blank_profile_form")
def blank_profile_form() -> ProfileForm:
    """Review's "Save as profile" form, empty."""
    return ProfileForm(prefix="profile")


def flash_link(text: str, url: str, label: str, category: str = "info") -> None:
    """Flash ``text`` followed by a link (``_messages.html`` draws it). Messages
    are kept as JSON between requests, so the link goes as data, not markup."""
    flash({"text": text, "url": url, "label": label}, category)  # type: ignore[arg-type]


def save_profile(
    workflow: LaunchInstance, current: Step, data: MultiDict[str, str], _target: Step | None
) -> Response:
    """Save the wizard's input as a profile of the user (``nav=save_profile``).

    Its form is not the step's: the step's input stays as saved. Invalid, or a
    name the user has already: the step again, the reason beside the name.
    """
    form = ProfileForm(data, prefix="profile")
    if form.validate():
        inputs = workflow.state.input
        try:
            profile = _store().add(
                form.name.data or "",
                inputs,
                description=form.description.data or "",
                names=reuse.chosen_names(inputs, workflow.resources.catalog),
            )
        except NameTaken:
            form.name.errors = [_name_taken(form.name.data or "")]
        else:
            text = _('Saved as the profile "%(name)s".', name=profile.name)
            flash_link(text, url_for("launch.profiles"), _("Manage profiles"), "success")
            return go(workflow, current)
    return render(workflow, current, profile_form=form)


# -- routes ------------------------------------------------------------------------


@bp.get("/profiles/")
@login_required
def profiles() -> str:
    """The user's profiles, to launch, rename or delete; the operator's, to launch."""
    return _page()


@bp.post("/profiles/open")
@login_required
def open_profile() -> Response:
    """Launch from a profile: a new wizard with its input, every step checked
    against the cloud as it is now; then its first step with an error, or its
    last step, ready to launch."""
    profile = _find(request.form.get("profile", ""))
    typed = profile.input.get("details", {}).get("name", [])
    name = next(iter(typed), "").strip() or profile.name
    workflow = reuse.open_like(profile.input, name=name, names=profile.names)
    if workflow.errors:
        message = _(
            'Not all of the profile "%(name)s" can be launched now: see the steps marked with "!".',
            name=profile.name,
        )
        flash(message, "error")
    else:
        message = _(
            'The profile "%(name)s", checked against the cloud as it is now.', name=profile.name
        )
        flash(message, "info")
    return leave(step_url(workflow, workflow.entry_point()))


@bp.post("/profiles/<profile_id>/rename")
@login_required
def rename_profile(profile_id: str) -> Response | str:
    """Give one of the user's profiles another name and description."""
    profile = _own(profile_id)
    form = ProfileForm(request.form, prefix=_prefix(profile))
    if form.validate():
        try:
            renamed = _store().rename(profile.id, form.name.data or "", form.description.data or "")
        except ProfileGone:
            abort(404, _("That profile no longer exists."))
        except NameTaken:
            form.name.errors = [_name_taken(form.name.data or "")]
        else:
            message = _('The profile "%(name)s" is saved.', name=renamed.name)
            flash(message, "success")
            return redirect(url_for("launch.profiles"), code=303)
    return _page(editing={profile.id: form})


@bp.post("/profiles/<profile_id>/delete")
@login_required
def delete_profile(profile_id: str) -> Response | str:
    """Delete one of the user's profiles, once asked (``confirmed=1``)."""
    profile = _own(profile_id)
    if request.form.get("confirmed") != "1":
        return render_template("launch/profile_delete.html", profile=profile)
    try:
        _store().delete(profile.id)
    except ProfileGone:
        pass  # deleted meanwhile (another tab): what was asked is done
    flash(_('The profile "%(name)s" is deleted.', name=profile.name), "success")
    return redirect(url_for("launch.profiles"), code=303)


@bp.get("/profiles/open")
@bp.get("/profiles/<profile_id>/rename")
@bp.get("/profiles/<profile_id>/delete")
@login_required
def profiles_again(**_ignored: str) -> Response:
    """Only a POST changes anything: a GET of those URLs (a reload, a link) goes
    to the profiles page (rather than to the step route, as a wizard named so)."""
    return redirect(url_for("launch.profiles"), code=303)


# -- helpers -------------------------------------------------------------------------


def _page(editing: dict[str, ProfileForm] | None = None) -> str:
    """The profiles page; ``editing``: rename forms as posted (with their errors)."""
    mine = _store().listed()
    forms: dict[str, Any] = {}
    for profile in mine:
        form = (editing or {}).get(profile.id)
        if form is None:
            form = ProfileForm(prefix=_prefix(profile), data=_fields(profile))
        forms[profile.id] = form
    return render_template(
        "launch/profiles.html",
        mine=mine,
        theirs=_operators(),
        forms=forms,
        editing=set(editing or ()),
    )


def _fields(profile: Profile) -> dict[str, str]:
    return {"name": profile.name, "description": profile.description}


def _prefix(profile: Profile) -> str:
    # Each profile's rename form has fields of its own ids on the page.
    return f"rename-{profile.id}"


def _name_taken(name: str) -> str:
    return _("You have a profile named %(name)s already: choose another name.", name=name)


def _find(profile_id: str) -> Profile:
    """The user's or the operator's profile with this id, else 404."""
    found = _store().get(profile_id) or next((p for p in _operators() if p.id == profile_id), None)
    if found is None:
        abort(404, _("That profile no longer exists."))
    return found


def _own(profile_id: str) -> Profile:
    """One of the user's profiles (403 for the operator's), else 404."""
    profile = _find(profile_id)
    if profile.operator:
        abort(403, _("The operator's profiles cannot be renamed or deleted."))
    return profile


def _operators() -> tuple[Profile, ...]:
    found: tuple[Profile, ...] = current_app.extensions["skiff.profiles"]
    return found


def _store() -> ProfileStore:
    kept = state()
    return ProfileStore(kept.store, kept.sealer, user_id=g.identity.user_id)
