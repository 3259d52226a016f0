"""Configuration defaults, in one place; each can be set from the environment.

Every key below may be overridden by an environment variable with the ``SKIFF_``
prefix (``SKIFF_CLOUD_AUTH_URL=https://keystone.example.org/v3``), values being
parsed as JSON when they can be (``SKIFF_DEMO_BUILD_SECONDS=0``), or by
``instance/config.py``, or by the mapping given to ``create_app``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

DEFAULTS: dict[str, Any] = {
    # -- the cloud ---------------------------------------------------------------
    # Keystone v3 URL of a real OpenStack; unset means the built-in demo cloud.
    "CLOUD_AUTH_URL": None,
    # Domain of the users who log in, and whether the login page asks for it.
    "CLOUD_USER_DOMAIN": "Default",
    "CLOUD_SHOW_DOMAIN": False,
    # The region a login starts in when the user's catalog has it (else its first
    # region, by name); the header's switcher offers the catalog's others.
    "CLOUD_REGION": None,
    # Which endpoints of the catalog to use: public, internal or admin.
    "CLOUD_INTERFACE": "public",
    # TLS: true, false, or the path of a CA bundle.
    "CLOUD_VERIFY": True,
    # Seconds to wait for any one cloud call.
    "CLOUD_TIMEOUT": 30,
    # -- clouds.yaml -------------------------------------------------------------------
    # A clouds.yaml entry (found like every OpenStack client finds it:
    # OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/)
    # giving CLOUD_AUTH_URL, CLOUD_REGION, CLOUD_INTERFACE, CLOUD_VERIFY (its
    # cacert or verify) and CLOUD_USER_DOMAIN, unless those are set explicitly.
    # Never its credentials. Read by openstacksdk (extra "clouds"); the portal does
    # not start when the entry cannot be read. Null: the settings above alone.
    "CLOUD": None,
    # -- single sign-on (WebSSO) -------------------------------------------------------
    # Log users in through the organisation's identity provider, by Keystone's
    # federation (WebSSO), beside (or instead of) the password form. Keystone's
    # [federation] trusted_dashboard must list <PUBLIC_URL>/auth/websso/ exactly.
    "WEBSSO_ENABLED": False,
    # Keystone's v3 URL as browsers reach it; null: CLOUD_AUTH_URL. The portal
    # itself always checks tokens with CLOUD_AUTH_URL.
    "WEBSSO_KEYSTONE_URL": None,
    # The buttons of the login page: {"label": ..., "protocol": "openid"}, or with an
    # identity provider {"label": ..., "idp": "myidp", "protocol": "openid"}; a label
    # is a string or a mapping by language ({"en": ..., "zh_CN": ...}).
    "WEBSSO_CHOICES": [{"label": "Single sign-on", "protocol": "openid"}],
    # True: the login page goes straight to the only choice.
    "WEBSSO_DIRECT": False,
    # Where logout goes on to after a single sign-on login (the identity
    # provider's logout page), or null.
    "WEBSSO_IDP_LOGOUT_URL": None,
    # The portal's public base URL (https://cloud.example.org), which the callback's
    # URL is built from (never from the request's host); required with WebSSO.
    "PUBLIC_URL": None,
    # False hides the password form when WebSSO is on.
    "LOGIN_PASSWORD_FORM": True,
    # -- the demo cloud ------------------------------------------------------------
    "DEMO_DATABASE": None,  # default: instance/demo-cloud.sqlite
    "DEMO_BUILD_SECONDS": 3.0,
    "DEMO_LATENCY": 0.0,  # seconds each demo call sleeps
    # Seconds a stop, start or reboot takes, and from ACTIVE to cloud-init's
    # "finished" line in the console log (unset: half the build time, the build time).
    "DEMO_ACTION_SECONDS": None,
    "DEMO_BOOT_SECONDS": None,
    # Whether users may set the server's administrator password (the cloud's
    # hypervisor must support it; Horizon's can_set_password). On for the demo.
    "CLOUD_ADMIN_PASSWORD": False,
    # -- the launch wizard's defaults -----------------------------------------------
    # Which boot sources come first in the list: image, snapshot, volume, volume_snapshot.
    "LAUNCH_DEFAULT_BOOT_SOURCE": "image",
    # Boot sources not offered at all, e.g. ["volume_snapshot"].
    "LAUNCH_DISABLED_SOURCES": [],
    # Whether "copy the image into a new volume" starts ticked.
    "LAUNCH_CREATE_VOLUME": False,
    "LAUNCH_DELETE_VOLUME_ON_TERMINATION": True,
    "LAUNCH_CONFIG_DRIVE": False,
    # Optional steps the wizard does not show: "config", "review".
    "LAUNCH_HIDDEN_STEPS": [],
    # The operator's launch profiles, offered to every user read-only beside their
    # own: a list of {"name": ..., "description": ... (optional), "input": {step
    # slug: {field: value}}}, values being ids and texts as the wizard posts them
    # (a list for several), e.g. [{"name": "Small web server", "input": {"source":
    # {"source_id": "<image id>"}, "flavor": {"flavor": "<flavor id>"}}}]. Checked
    # at start; the administrator password is never taken from it.
    "LAUNCH_PROFILES": [],
    # -- the operator's own launch steps (webapp/forms/launch/extra_steps.py) -------
    # Steps added to the launch wizard, each placed "before" or "after" a step's
    # slug (details, source, flavor, network, access, config, review, or an
    # earlier extra step), each either
    #  - {"entry_point": "<name>", "after": "details"}: a Step class from an
    #    installed package's entry point in the group "skiff.launch_steps"; or
    #  - a declared step: {"slug": "owner", "name": "Owner", "help": "...",
    #    "before": "review", "fields": [{"name": "owner", "label": "Owner",
    #    "help": "...", "required": true, "pattern": "[a-z]+" (matched in full),
    #    "pattern_message": "...", or "choices": ["a", ["b", "Label of b"]],
    #    "default": "...", and what the value becomes on the server:
    #    "metadata": "<Nova metadata key>" and/or "tag": true (the value) or
    #    "tag": "<prefix>" (prefix + value)}]}.
    # Names, labels, help and choice labels are a string or a mapping by language
    # ({"en": "Owner", "zh_CN": "负责人"}). A metadata key set here wins over the
    # same key typed in Configuration. Checked at start: the portal does not start
    # with an entry it cannot use, and says which and why.
    "LAUNCH_EXTRA_STEPS": [],
    # -- the servers pages ----------------------------------------------------------
    # Seconds each worker keeps a project's flavors and images for the server
    # list (which shows them by name); 0 asks the cloud on every page.
    "SERVER_LOOKUP_TTL": 60,
    # Servers per page of the list (Nova's "limit"; pages follow its markers).
    "SERVERS_PER_PAGE": 50,
    # Seconds after ACTIVE to wait for cloud-init's "finished" line in the
    # console log before saying the image may not use cloud-init.
    "READY_TIMEOUT_SECONDS": 600,
    # Lines of the console log the server page shows (and searches for it).
    "CONSOLE_LOG_LINES": 50,
    # -- servers that expire (webapp/expiry) -------------------------------------------
    # The lease a launch starts with: "never", or a number and a unit ("8 hours",
    # "7 days", "90 minutes"; also "8h", "7d", "90m").
    "EXPIRY_DEFAULT": "never",
    # What happens to an expired server unless the user chooses: "stop" or "delete".
    "EXPIRY_DEFAULT_ACTION": "stop",
    # The longest lease in hours, at launch and from now for an extension
    # (null: no maximum).
    "EXPIRY_MAX_HOURS": 720,
    # Whether a server may never expire; when not, and EXPIRY_DEFAULT is "never",
    # a launch starts with the longest lease.
    "EXPIRY_ALLOW_NEVER": True,
    # The clouds.yaml entry with the operator credential (one that may list and act
    # on every project's servers) that `flask skiff expire` uses on a real cloud,
    # read by openstacksdk (extra "expire"); null: OS_CLOUD, or the only entry.
    "EXPIRE_CLOUD": None,
    # -- languages -------------------------------------------------------------------
    # The languages users may choose (webapp/translations has a catalog for each
    # but the first, the language of the source); the first is the default.
    "LANGUAGES": ["en", "zh_CN"],
    # -- sessions and state ---------------------------------------------------------
    # Redis URL (redis://host:6379/0) for several hosts; unset means a SQLite
    # file in the instance folder, which every worker of one host shares.
    "REDIS_URL": None,
    "SESSION_LIFETIME_HOURS": 12,
    # Whether every cookie Skiff sets (the session's, the language's) is marked
    # Secure (sent over HTTPS only), and HSTS is sent on HTTPS answers. null: on
    # when PROXIES is above 0 (behind a TLS-terminating proxy); true or false win.
    "SESSION_COOKIE_SECURE": None,
    # Seconds a wizard keeps the lists it fetched when it opened.
    "CATALOG_TTL": 300,
    # Seconds a second submit of the same wizard waits for the first one.
    "SUBMIT_WAIT": 30,
    # Largest uploaded file (a script or a public key) and request body.
    "MAX_UPLOAD_BYTES": 65536,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # -- rate limits (see webapp/limits.py) -------------------------------------------
    # Limits in Flask-Limiter's notation ("10 per minute; 100 per hour"); an empty
    # string turns that limit off. Counted in Redis with REDIS_URL, else by each
    # worker process on its own. A limit hit answers 429 with the time to wait.
    "RATE_LIMITS_ENABLED": True,
    # Login POSTs (wrong and right passwords alike) per client address...
    "LOGIN_LIMIT_PER_ADDRESS": "10 per minute; 100 per hour",
    # ...and per user name, as typed, lower-cased, from any address.
    "LOGIN_LIMIT_PER_USER": "10 per minute; 100 per hour",
    # Final submits of the launch wizard per logged-in user.
    "LAUNCH_LIMIT": "20 per hour",
    # How many proxies are in front of the portal (werkzeug's ProxyFix): above 0,
    # the client address (X-Forwarded-For, used by the rate limits and the logs),
    # the scheme (X-Forwarded-Proto), host (X-Forwarded-Host) and port
    # (X-Forwarded-Port) are read from what the last PROXIES proxies set, and the
    # cookies become Secure (see SESSION_COOKIE_SECURE); 0 trusts none of these
    # headers. Each proxy must set or replace every one of them (docs/deploy.md).
    "PROXIES": 0,
    # -- deployment (docs/deploy.md) ----------------------------------------------------
    # A file holding SECRET_KEY (its first line), read at start when SECRET_KEY is
    # not set: e.g. a systemd credential, "/run/credentials/skiff.service/secret_key",
    # decrypted by systemd into memory only. Unset, and no SECRET_KEY: a random key
    # kept in the instance folder (instance/secret_key, mode 0600).
    "SECRET_KEY_FILE": None,
    # -- the audit log (webapp/ops/audit.py) ----------------------------------------------
    # Where the audit log goes, one line per login, logout, project switch, launch
    # and server action: "-" for stderr (gunicorn's, journald's under systemd), a
    # file path (appended to by every worker; created with mode 0640), or "" for none.
    "AUDIT_LOG": "-",
    # "json" (JSON lines) or "text" (key=value pairs).
    "AUDIT_FORMAT": "json",
    # -- health and metrics (webapp/ops/health.py, webapp/ops/metrics.py) ---------------
    # Seconds each worker keeps /readyz's answer, so a load balancer polling every
    # second costs the store and Keystone one check every few seconds.
    "HEALTH_CACHE_SECONDS": 2.0,
    # Seconds /readyz waits for Keystone's version document.
    "HEALTH_TIMEOUT_SECONDS": 2.0,
    # The bearer token Prometheus must send for /metrics ("Authorization: Bearer
    # <token>"); unset or empty: /metrics does not exist (404).
    "METRICS_TOKEN": None,
    # Servers younger than this many seconds have their time to ACTIVE and to ready
    # measured when a server page first shows them that way (older ones are left out,
    # so a restart does not count old servers again); each is counted once by all
    # workers and hosts together (a mark in the state store living this long).
    "METRICS_SERVER_WINDOW_SECONDS": 3 * 3600,
}


def fixed_settings(lifetime_hours: float) -> dict[str, Any]:
    """Flask and extension settings that are not meant to be changed (they
    replace Flask's own defaults, so they are applied after the environment)."""
    return {
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=lifetime_hours),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "skiff_session",
        # The CSRF token lives as long as the session: HTMX swaps never re-render
        # the <body> that carries it.
        "WTF_CSRF_TIME_LIMIT": None,
        # Pages, panels, CSS and htmx go compressed (htmx: 52 KB -> about 17 KB).
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
        ],
        "COMPRESS_MIN_SIZE": 500,
        "COMPRESS_STREAMS": False,
        # Static URLs carry a content hash (see asset() in the templates), so
        # browsers may keep them for a year.
        "SEND_FILE_MAX_AGE_DEFAULT": 31536000,
    }
