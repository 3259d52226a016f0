"""Driving the launch wizard through Flask's test client, like a browser would."""

from __future__ import annotations

import re

from tests.helpers.choices import choice_value
from tests.helpers.choices import source_value
from webapp.forms.launch import LaunchInstance

#: each step's form fields: what :meth:`Wizard.fill_all` passes through to it
STEP_FIELDS = {step.slug(): set(step.field_names()) for step in LaunchInstance.default_steps}


class Wizard:
    """Logs in and drives the launch wizard through the test client, posting the
    CSRF token like a browser would."""

    def __init__(self, client):
        self.client = client
        self.url = None

    def csrf(self, html: str | None = None) -> str:
        html = html or self.client.get("/auth/login").get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    def login(self, username="demo", password="demo"):
        token = self.csrf()
        return self.client.post(
            "/auth/login", data={"username": username, "password": password, "csrf_token": token}
        )

    def open(self, query: str = "") -> str:
        """Open a new wizard, as a first post of the new-launch page makes one
        (with Back, which checks nothing); returns its base URL (``/launch/<id>``)."""
        page = self.client.get("/launch/" + query)
        assert page.status_code == 200, page.status_code
        data = {"csrf_token": self.csrf(page.get_data(as_text=True)), "nav": "back"}
        response = self.client.post("/launch/" + query, data=data)
        assert response.status_code == 303, response.status_code
        self.url = response.headers["Location"].rsplit("/", 1)[0]
        self.token = self.csrf(self.client.get(response.headers["Location"]).get_data(as_text=True))
        return self.url

    def page(self, slug: str, **headers) -> str:
        return self.client.get(f"{self.url}/{slug}", headers=headers).get_data(as_text=True)

    def post(self, slug: str, nav: str = "next", htmx: bool = False, **data):
        data = {"csrf_token": self.token, "nav": nav, **data}
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(f"{self.url}/{slug}", data=data, headers=headers)

    def option(self, slug: str, label: str) -> str:
        """The value of the option, flavor radio or boot source whose label starts
        with ``label`` (a boot source on any tab: see :func:`source_value`)."""
        html = self.page(slug)
        if slug == "source":
            value = source_value(html, label, self._source_tab)
        else:
            value = choice_value(html, label)
        assert value is not None, f"no option {label!r} on {slug}"
        return value

    def _source_tab(self, kind: str) -> str:
        return self.post("source", "preview", source_kind=kind).get_data(as_text=True)

    def fill_all(self, name="web-1", image="cirros", flavor="m1.tiny", network="private", **extra):
        """Complete every step but the last with valid values, in order (each
        step's choices are read once the steps before it are done). Any field
        of any step can be overridden by name."""
        steps = (
            (
                "details",
                lambda: {
                    "name": name,
                    "count": "1",
                    "availability_zone": "nova",
                    "description": "",
                },
            ),
            ("source", lambda: {"source_id": self.option("source", image)}),
            ("flavor", lambda: {"flavor": self.option("flavor", flavor)}),
            ("network", lambda: {"nic_1": self.option("network", network)}),
            ("access", lambda: {"keypair": "demo-key", "security_groups": ["default"]}),
        )
        for slug, defaults in steps:
            data = defaults()
            data.update({k: v for k, v in extra.items() if k in STEP_FIELDS[slug]})
            response = self.post(slug, **data)
            errors = re.findall(r"<li>([^<]+)</li>", response.get_data(as_text=True))
            assert response.status_code == 303, (slug, errors)
        return self

    def launch(self, htmx: bool = False, **post):
        return self.post(
            "config",
            nav="launch",
            htmx=htmx,
            user_data=post.get("user_data", ""),
            **{k: v for k, v in post.items() if k != "user_data"},
        )
