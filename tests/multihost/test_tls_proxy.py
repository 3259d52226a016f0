"""Behind a real TLS-terminating proxy: Debian's haproxy running the repository's
``deploy/haproxy.cfg`` with a certificate the test makes, in front of gunicorn
with ``PROXIES=1``; a login and a launch through HTTPS, every answer checked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

import pytest
import requests

from tests.helpers.http_wizard import HttpWizard
from tests.helpers.http_wizard import csrf_token
from tests.helpers.portal_process import PortalProcess
from tests.helpers.tls import TlsProxy
from tests.helpers.tls import make_certificates

pytestmark = pytest.mark.multihost

COOKIE_FLAGS = {"secure", "httponly", "samesite=lax"}


@dataclass
class Served:
    """The portal process and the proxy in front of it."""

    portal: PortalProcess
    proxy: TlsProxy


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    """gunicorn (demo cloud, PROXIES=1) behind haproxy with TLS, shared by this
    module's tests (each its own client and login); both stopped after."""
    tmp_path = tmp_path_factory.mktemp("tls-proxy")
    certificates = make_certificates(tmp_path / "tls")
    env = {
        "SKIFF_SECRET_KEY": "tls-proxy-test-secret",
        "SKIFF_PROXIES": "1",
        "SKIFF_DEMO_DATABASE": str(tmp_path / "demo-cloud.sqlite"),
        "SKIFF_DEMO_BUILD_SECONDS": "0",
    }
    portal = PortalProcess("tls", tmp_path / "portal", env)
    # Made first: it skips (fails in CI) without haproxy, before anything starts.
    with TlsProxy(portal.address, certificates) as proxy:
        try:
            portal.start()
            proxy.start()
            yield Served(portal, proxy)
        finally:
            proxy.stop()
            portal.stop()


def set_cookies(response: requests.Response) -> list[str]:
    """Every Set-Cookie header of ``response``, as sent."""
    return response.raw.headers.getlist("Set-Cookie")


def flags(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(";")[1:]}


def test_login_and_launch_through_https(served):
    proxy = served.proxy
    http = proxy.session()
    # Flask-WTF checks the Referer of HTTPS posts: a browser sends the page's.
    http.headers["Referer"] = f"{proxy.url}/auth/login"
    answers: list[requests.Response] = []
    http.hooks["response"].append(lambda response, *args, **kwargs: answers.append(response))

    tab = HttpWizard(proxy.url, http)
    tab.login()
    tab.open()
    tab.fill_all(name="behind-tls")
    server = tab.launch()
    page = tab.get(server)
    assert page.status_code == 200
    assert "behind-tls" in page.text

    cookies_seen = 0
    for answer in answers:
        assert answer.url.startswith(f"{proxy.url}/"), answer.url
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000", answer.url
        if "Location" in answer.headers:
            target = urljoin(answer.url, answer.headers["Location"])
            assert target.startswith(f"{proxy.url}/"), (answer.url, target)
        for header in set_cookies(answer):
            cookies_seen += 1
            assert COOKIE_FLAGS <= flags(header), header
    assert cookies_seen >= 2  # the anonymous one, the login's
    assert len([a for a in answers if a.status_code == 303]) >= 7


def test_the_portal_sees_the_public_https_origin(served):
    """The Referer check passes only for the proxy's https:// origin: the portal
    sees the scheme and host haproxy sets, whatever the client claims."""
    proxy = served.proxy
    http = proxy.session()
    form = http.get(f"{proxy.url}/auth/login", timeout=10)
    data = {"username": "demo", "password": "demo", "csrf_token": csrf_token(form.text)}
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}

    def login(referrer: str) -> int:
        headers = {**forged, "Referer": referrer}
        url = f"{proxy.url}/auth/login"
        return http.post(url, data=data, headers=headers, allow_redirects=False).status_code

    assert login("https://evil.example/auth/login") == 400
    assert login(f"http://127.0.0.1:{proxy.https_port}/auth/login") == 400
    assert login(f"http://{served.portal.address}/auth/login") == 400
    assert login(f"{proxy.url}/auth/login") == 303


def test_plain_http_is_refused_or_redirected(served):
    proxy = served.proxy
    with requests.Session() as http:
        http.trust_env = False
        with pytest.raises(requests.ConnectionError):
            http.get(f"http://127.0.0.1:{proxy.https_port}/auth/login", timeout=5)
        moved = http.get(
            f"{proxy.http_url}/auth/login?next=%2Fservers%2F", timeout=5, allow_redirects=False
        )
    assert moved.status_code == 301
    # haproxy keeps the Host (with the plain port here; 80 and 443 in production).
    assert moved.headers["Location"] == (
        f"https://127.0.0.1:{proxy.http_port}/auth/login?next=%2Fservers%2F"
    )
    assert not set_cookies(moved)


def test_the_certificate_is_the_one_made_for_loopback(served):
    with served.proxy.handshake() as connection:
        subject = dict(item[0] for item in connection.getpeercert()["subject"])
        assert subject["commonName"] == "localhost"
        assert connection.version() in ("TLSv1.2", "TLSv1.3")
