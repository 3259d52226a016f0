"""Launch profiles through the test client: saving one on Review, reading the
profiles page, launching from a profile, renaming and deleting, as the pages'
forms do; and reading a user's profiles as the app keeps them."""

from __future__ import annotations

import html
import re

from flask import Flask

from tests.helpers.wizard import Wizard
from webapp.state import state
from webapp.state.profiles import Profile
from webapp.state.profiles import ProfileStore

PAGE = "/launch/profiles/"


def save(wizard: Wizard, name: str, description: str = "", *, htmx: bool = False):
    """Press Review's "Save as profile" of the wizard the helper drives; the response."""
    return wizard.post(
        "review",
        nav="save_profile",
        htmx=htmx,
        **{"profile-name": name, "profile-description": description},
    )


def listed(wizard: Wizard) -> dict[str, str]:
    """The profiles page: each profile's name -> its id (the user's and the operator's)."""
    page = wizard.client.get(PAGE)
    assert page.status_code == 200, page.status_code
    found = re.findall(r'<h3 id="profile-([\w-]+)">([^<]+?)\s*(?:<|$)', page.get_data(as_text=True))
    return {html.unescape(name).strip(): profile_id for profile_id, name in found}


def open_profile(wizard: Wizard, profile_id: str, *, htmx: bool = False, token: bool = True):
    """POST "Launch from profile" for ``profile_id``; the raw response."""
    data = {"profile": profile_id}
    if token:
        data["csrf_token"] = wizard.token
    headers = {"HX-Request": "true"} if htmx else {}
    return wizard.client.post("/launch/profiles/open", data=data, headers=headers)


def rename(wizard: Wizard, profile_id: str, name: str, description: str = ""):
    """POST the profiles page's rename form of ``profile_id``; the raw response."""
    prefix = f"rename-{profile_id}"
    data = {
        "csrf_token": wizard.token,
        f"{prefix}-name": name,
        f"{prefix}-description": description,
    }
    return wizard.client.post(f"/launch/profiles/{profile_id}/rename", data=data)


def delete(wizard: Wizard, profile_id: str, *, confirmed: bool):
    """POST the profiles page's Delete (``confirmed``: the confirmation's); the response."""
    data = {"csrf_token": wizard.token}
    if confirmed:
        data["confirmed"] = "1"
    return wizard.client.post(f"/launch/profiles/{profile_id}/delete", data=data)


def stored(app: Flask, user_id: str) -> list[Profile]:
    """A user's profiles as the app keeps them (unsealed)."""
    with app.app_context():
        kept = state()
        return ProfileStore(kept.store, kept.sealer, user_id=user_id).listed()


def shown_messages(page: str) -> list[str]:
    """The flashed messages of a page, their markup and entities as text."""
    found = re.findall(r'<p class="message [^"]*"[^>]*>(.*?)</p>', page, re.DOTALL)
    return [html.unescape(re.sub(r"<[^>]+>", "", message)).strip() for message in found]
