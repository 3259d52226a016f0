"""The portal side of ``step_swap.py``: the app gunicorn serves, and its clients.

:func:`make_app` is the portal on the demo cloud (no latency), its state in SQLite
or Redis. :func:`prepare_swap` is one client, as a browser with htmx would be:
it logs in, opens a wizard, completes its Details step, and gives the step swap
it will repeat (Details again with Next, answered by the Source panel), encoded
as the wizard's form says (``enctype``), as htmx encodes it.
"""

from __future__ import annotations

import http.client
import os
import re
import uuid
from http.cookies import SimpleCookie
from urllib.parse import urlencode
from urllib.parse import urlsplit

from benchmarks.load import ACCEPT_ENCODING
from benchmarks.load import Target
from benchmarks.load import decoded

#: what each client types in Details
DETAILS = {"name": "bench", "description": "", "availability_zone": "nova", "count": "1"}
#: in the panel a swap from Details must answer
SOURCE_PANEL = b">Source</h2>"
MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"


def make_app(instance_path: str, redis_url: str | None = None):
    """The portal on the demo cloud without latency, its state in ``instance_path``
    (SQLite) or in Redis at ``redis_url``; gunicorn calls this:
    ``benchmarks.portal_client:make_app('/tmp/...', None)``."""
    import webapp

    return webapp.create_app(
        {
            "SECRET_KEY": "step-swap-benchmark",
            "CLOUD_AUTH_URL": None,
            "DEMO_DATABASE": os.path.join(instance_path, "demo.sqlite"),
            "DEMO_LATENCY": 0,
            "REDIS_URL": redis_url,
        },
        instance_path=instance_path,
    )


def multipart(fields: dict[str, str]) -> tuple[str, str, bytes]:
    """A form encoded as browsers (and htmx, for such a form) send it: its
    boundary, content type and body."""
    boundary = f"----SkiffBench{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    body = "".join(parts) + f"--{boundary}--\r\n"
    return boundary, f"{MULTIPART}; boundary={boundary}", body.encode()


def encode_form(fields: dict[str, str], enctype: str) -> tuple[str | None, str, bytes]:
    """A form as a browser sends it with this ``enctype``: the multipart boundary
    (None when urlencoded), content type and body."""
    if enctype == MULTIPART:
        return multipart(fields)
    return None, URLENCODED, urlencode(fields).encode()


class Browser:
    """One client over one connection: keeps its cookies, like a browser."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        """The ``Cookie`` header this client sends."""
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, http.client.HTTPResponse, str]:
        """Send a request; the status, the response and its body as text."""
        headers = {"Cookie": self.cookie_header(), **(headers or {})}
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        text = decoded(data, response.getheader("Content-Encoding")).decode(errors="replace")
        return response.status, response, text

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if match is None:
        raise SystemExit("no CSRF token in the page")
    return match.group(1)


def form_enctype(html: str) -> str:
    """How the wizard's form in this page is posted (HTML's default when it does
    not say), which is how htmx posts it."""
    form = re.search(r'<form id="wizard-form"[^>]*>', html)
    if form is None:
        raise SystemExit(f"no wizard form in the page:\n{html[:2000]}")
    enctype = re.search(r'enctype="([^"]+)"', form.group(0))
    return enctype.group(1) if enctype else URLENCODED


def _expect(status: int, wanted: int, what: str, text: str = "") -> None:
    if status != wanted:
        raise SystemExit(f"{what}: {status}, not {wanted}\n{text[:2000]}")


def _log_in(browser: Browser) -> None:
    status, _, html = browser.request("GET", "/auth/login")
    _expect(status, 200, "GET /auth/login", html)
    form = {"username": "demo", "password": "demo", "csrf_token": _csrf(html)}
    status, _, html = browser.request(
        "POST", "/auth/login", urlencode(form).encode(), {"Content-Type": URLENCODED}
    )
    _expect(status, 303, "log in as demo", html)


def prepare_swap(port: int, number: int) -> Target:
    """Log in a new client (demo / demo), open a wizard and complete its Details;
    its step swap, checked once: Details again with Next, answered by Source."""
    browser = Browser(port)
    try:
        _log_in(browser)
        # After a login the page is a loading page: its form comes in the panel
        # htmx asks for (webapp/blueprints/launch/loading.py).
        status, response, html = browser.request("GET", "/launch/", None, {"HX-Request": "true"})
        _expect(status, 200, "GET /launch/ (HX-Request)", html)
        fields = {"csrf_token": _csrf(html), "nav": "back"}  # makes the wizard
        _, content_type, body = encode_form(fields, form_enctype(html))
        status, response, html = browser.request(
            "POST", "/launch/", body, {"Content-Type": content_type}
        )
        _expect(status, 303, "POST /launch/", html)
        first = urlsplit(response.getheader("Location", "")).path  # /launch/<id>/details
        status, _, html = browser.request("GET", first)
        _expect(status, 200, f"GET {first}", html)
        fields = {"csrf_token": _csrf(html), **DETAILS, "name": f"bench-{number}", "nav": "next"}
        boundary, content_type, body = encode_form(fields, form_enctype(html))
        status, _, html = browser.request("POST", first, body, {"Content-Type": content_type})
        _expect(status, 303, f"POST {first} (Details, once)", html)

        headers = {
            "Cookie": browser.cookie_header(),
            "Content-Type": content_type,
            "HX-Request": "true",
            "HX-Current-URL": f"http://127.0.0.1:{port}{first}",
            "HX-Target": "wizard-panel",
            "HX-Trigger": "wizard-form",
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        swap = Target(port, "POST", first, headers, body, SOURCE_PANEL, boundary)
        status, _, html = browser.request("POST", first, body, headers)
        _expect(status, 200, f"step swap POST {first}", html)
        if SOURCE_PANEL.decode() not in html:
            raise SystemExit(f"the step swap did not answer the Source panel:\n{html[:2000]}")
        return swap
    finally:
        browser.close()
