"""Driving the launch wizard over real HTTP with ``requests``, like a browser tab.

The HTTP twin of :mod:`tests.helpers.wizard`: it follows no redirect by itself,
so a test sees every 303 and asserts on it. Several :class:`HttpWizard` objects
may share one ``requests.Session`` (one browser, one login, several tabs), each
with its own wizard.
"""

from __future__ import annotations

import html
import re
from typing import Any

import flask
import requests

from tests.helpers.choices import choice_value
from tests.helpers.choices import source_value
from webapp.state import listed_wizards
from webapp.state import state
from webapp.state.records import StoreWizardRecords
from webapp.state.sessions import LOGIN

#: the name of the session cookie (``SESSION_COOKIE_NAME``)
COOKIE = "skiff_session"
#: seconds any one request may take before the test fails instead of hanging
TIMEOUT = 30


def csrf_token(page: str) -> str:
    """The CSRF token of the first form of ``page``."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _switcher(page: str) -> str | None:
    select = re.search(r'<select id="project-select"[^>]*>(.*?)</select>', page, re.S)
    return select.group(1) if select else None


def selected_project(page: str) -> str | None:
    """The project id selected in the header's project switcher, or None when the
    page has no switcher (nobody logged in)."""
    switcher = _switcher(page)
    if switcher is None:
        return None
    option = re.search(r'<option value="([^"]*)" selected>', switcher)
    assert option, "no project selected in the switcher"
    return option.group(1)


def project_ids(page: str) -> dict[str, str]:
    """Project name -> id, from the header's project switcher."""
    switcher = _switcher(page)
    assert switcher, "no project switcher on the page"
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>', switcher)
    return {name.strip(): value for value, name in options}


class HttpWizard:
    """One browser tab on the served app: logs in and drives one launch wizard.

    :param base: the server's URL (``http://127.0.0.1:port``).
    :param http: the browser (its cookies); a new one when not given.
    """

    def __init__(self, base: str, http: requests.Session | None = None) -> None:
        self.base = base
        self.http = http or requests.Session()
        #: the wizard's path, ``/launch/<id>``, once :meth:`open` has run
        self.url = ""
        self.token = ""

    # -- requests -----------------------------------------------------------------

    def get(self, path: str, *, htmx: bool = False, **kwargs: Any) -> requests.Response:
        """GET ``path`` (redirects not followed)."""
        headers = {"HX-Request": "true"} if htmx else {}
        return self.http.get(
            self.base + path, headers=headers, allow_redirects=False, timeout=TIMEOUT, **kwargs
        )

    def post_form(
        self, path: str, data: dict[str, Any], *, htmx: bool = False
    ) -> requests.Response:
        """POST ``data`` to ``path`` (redirects not followed)."""
        headers = {"HX-Request": "true"} if htmx else {}
        return self.http.post(
            self.base + path, data=data, headers=headers, allow_redirects=False, timeout=TIMEOUT
        )

    # -- logging in ---------------------------------------------------------------

    def login(self, username: str = "demo", password: str = "demo") -> requests.Response:
        """Log in through the login form; asserts the 303 that says it worked."""
        form = self.get("/auth/login")
        assert form.status_code == 200, form.status_code
        response = self.post_form(
            "/auth/login",
            {"username": username, "password": password, "csrf_token": csrf_token(form.text)},
        )
        assert response.status_code == 303, (response.status_code, response.text[:300])
        assert self.cookie().startswith("s-"), "a login is kept on the server"
        return response

    def cookie(self) -> str:
        """The session cookie's value ("" when there is none)."""
        return self.http.cookies.get(COOKIE) or ""

    def switch_project(self, project_id: str) -> requests.Response:
        """Switch project with the header's form, from the start page."""
        page = self.get("/servers/")
        assert page.status_code == 200, page.status_code
        return self.post_form(
            "/auth/project",
            {"project_id": project_id, "next": "/servers/", "csrf_token": csrf_token(page.text)},
        )

    # -- the wizard ---------------------------------------------------------------

    def tab(self) -> HttpWizard:
        """Another tab of the same browser (same cookies, no wizard yet)."""
        return HttpWizard(self.base, self.http)

    def open(self, query: str = "") -> str:
        """Open a new wizard; returns its path (``/launch/<id>``)."""
        page = self.get("/launch/" + query)
        assert page.status_code == 200, page.status_code
        response = self.post_form(
            "/launch/" + query, {"csrf_token": csrf_token(page.text), "nav": "back"}
        )
        assert response.status_code == 303, response.status_code
        location = response.headers["Location"]
        self.url = location.rsplit("/", 1)[0]
        first = self.get(location)
        assert first.status_code == 200, first.status_code
        self.token = csrf_token(first.text)
        return self.url

    @property
    def wizard_id(self) -> str:
        """The id of the wizard this tab has open."""
        return self.url.rsplit("/", 1)[1]

    def page(self, slug: str, *, htmx: bool = False) -> str:
        """The step's page (or panel, for htmx); asserts a 200."""
        response = self.get(f"{self.url}/{slug}", htmx=htmx)
        assert response.status_code == 200, (slug, response.status_code, response.headers)
        return response.text

    def post(
        self, slug: str, nav: str = "next", *, htmx: bool = False, **data: Any
    ) -> requests.Response:
        """Post the step's form with the button ``nav`` pressed."""
        return self.post_form(
            f"{self.url}/{slug}", {"csrf_token": self.token, "nav": nav, **data}, htmx=htmx
        )

    def save(self, slug: str, nav: str = "next", **data: Any) -> requests.Response:
        """:meth:`post`, asserting the 303 of a step that was kept and left."""
        response = self.post(slug, nav, **data)
        errors = re.findall(r"<li>([^<]+)</li>", response.text)
        assert response.status_code == 303, (slug, response.status_code, errors)
        assert response.headers["Location"].startswith(self.url + "/"), response.headers
        return response

    def value(self, slug: str, field: str) -> str | None:
        """What the step's text field ``field`` shows, read from its page."""
        return field_value(self.page(slug), field)

    def option(self, slug: str, label: str) -> str:
        """The value of the option, flavor radio or boot source whose label starts
        with ``label`` (a boot source on any tab: see :func:`source_value`)."""
        page = self.page(slug)
        if slug == "source":
            value = source_value(
                page, label, lambda kind: self.post(slug, "preview", source_kind=kind).text
            )
        else:
            value = choice_value(page, label)
        assert value is not None, f"no option {label!r} on {slug}"
        return value

    def fill_all(self, name: str = "web-1", **extra: str) -> HttpWizard:
        """Complete every step but the last with valid values, in order; ``extra``
        overrides or adds fields of the Details and Access steps."""
        details = {"name": name, "count": "1", "availability_zone": "nova", "description": ""}
        self.save("details", **details)
        self.save("source", source_id=self.option("source", "cirros"))
        self.save("flavor", flavor=self.option("flavor", "m1.tiny"))
        self.save("network", nic_1=self.option("network", "private"))
        self.save("access", keypair="demo-key", security_groups=["default"], **extra)
        return self

    def launch(self) -> str:
        """The final submit; returns the page it went to (``/servers/<id>``)."""
        response = self.post("config", "launch", user_data="")
        assert response.status_code == 303, (response.status_code, response.text[:300])
        location: str = response.headers["Location"]
        assert location.startswith("/servers/"), location
        return location

    # -- what the app keeps -------------------------------------------------------

    def session(self, app: flask.Flask) -> dict[str, Any]:
        """The login's session as the app reads it (unsealed) for this browser's cookie."""
        with app.test_request_context(headers={"Cookie": f"{COOKIE}={self.cookie()}"}):
            opened = app.session_interface.open_session(app, flask.request)
            assert opened is not None
            return dict(opened)

    def record(self, app: flask.Flask) -> tuple[dict[str, Any], int] | None:
        """This tab's wizard record (unsealed) and its version, or None."""
        login = self.session(app)[LOGIN]
        with app.app_context():
            kept = state()
            records = StoreWizardRecords(kept.store, kept.sealer, login=login, ttl=kept.lifetime)
            return records.load(self.wizard_id)

    def wizard_ids(self, app: flask.Flask) -> list[str]:
        """The ids in the login's index of wizards (what logout deletes)."""
        login = self.session(app)[LOGIN]
        with app.app_context():
            return listed_wizards(login)

    def close(self) -> None:
        """Close the browser's connections."""
        self.http.close()


def field_value(page: str, field: str) -> str | None:
    """The ``value`` of the input named ``field`` on ``page``, or None."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(field)}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""
