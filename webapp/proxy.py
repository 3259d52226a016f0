"""Behind a proxy: which of the ``X-Forwarded-*`` headers are believed, and the
Secure cookies that go with HTTPS.

``PROXIES`` is the number of proxies in front of the portal. Above 0, werkzeug's
:class:`~werkzeug.middleware.proxy_fix.ProxyFix` reads the client address
(``X-Forwarded-For``), the scheme (``X-Forwarded-Proto``), the host
(``X-Forwarded-Host``) and the port (``X-Forwarded-Port``) from the entries those
proxies added, so that ``request.remote_addr`` (the rate limits, the logs),
``request.is_secure`` (HSTS, Flask-WTF's Referer check on HTTPS) and every
``url_for(..., _external=True)`` are the public ones. 0 trusts none of them.
``X-Forwarded-Prefix`` is never trusted: the portal is served at the root of
its host.

``SESSION_COOKIE_SECURE`` left at ``None`` becomes ``PROXIES > 0``: every cookie
the portal sets reads that setting (Flask's session interface, the language
cookie), so they are all Secure behind a TLS-terminating proxy.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

__all__ = ["init_proxy"]


def init_proxy(app: Flask) -> None:
    """Trust ``PROXIES`` proxies' headers and settle ``SESSION_COOKIE_SECURE``."""
    proxies = int(app.config["PROXIES"])
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = proxies > 0
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
