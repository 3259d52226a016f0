"""Single sign-on's settings: the choices offered, Keystone's WebSSO URLs, and the
checks made when the app is built (the portal does not start with settings it
cannot use, and says which and why).

Read once from ``WEBSSO_ENABLED``, ``WEBSSO_KEYSTONE_URL`` (else
``CLOUD_AUTH_URL``), ``WEBSSO_CHOICES``, ``WEBSSO_DIRECT``,
``WEBSSO_IDP_LOGOUT_URL`` and ``PUBLIC_URL`` into a :class:`WebSSOSettings`, kept
in ``app.extensions["skiff.websso"]`` (None when single sign-on is off).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app

from webapp.forms.launch.extra_steps import Localized
from webapp.i18n import lazy_gettext as _l

__all__ = ["WebSSOChoice", "WebSSOSettings", "WebSSOSettingsError", "websso_settings"]

#: where the settings are kept on the app
EXTENSION = "skiff.websso"
#: the label of the default choice (config.py's), translated like any text of ours
DEFAULT_LABEL = "Single sign-on"
_DEFAULT_LABEL = _l("Single sign-on")


class WebSSOSettingsError(ValueError):
    """A single sign-on setting the portal cannot use (it does not start)."""


@dataclass(frozen=True)
class WebSSOChoice:
    """One way to sign in: a Keystone federation protocol, optionally at one
    identity provider, with the label its button shows."""

    label: Any  # a Localized text, or the default label's lazy translation
    protocol: str
    idp: str | None = None


@dataclass(frozen=True)
class WebSSOSettings:
    """Single sign-on, as configured (see :mod:`webapp.config`)."""

    choices: tuple[WebSSOChoice, ...]
    #: Keystone's v3 URL as browsers reach it
    keystone_url: str
    #: the portal's public base URL, without a trailing slash
    public_url: str
    direct: bool
    idp_logout_url: str | None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WebSSOSettings | None:
        """The settings, or None when single sign-on is off; WebSSOSettingsError
        for settings that cannot work."""
        if not config["WEBSSO_ENABLED"]:
            return None
        public = _http_url(config.get("PUBLIC_URL"), "PUBLIC_URL")
        if public is None:
            raise WebSSOSettingsError(
                "WEBSSO_ENABLED needs PUBLIC_URL, the portal's public base URL "
                "(e.g. https://cloud.example.org): Keystone posts the token to "
                "<PUBLIC_URL>/auth/websso/"
            )
        keystone = _http_url(
            config.get("WEBSSO_KEYSTONE_URL") or config.get("CLOUD_AUTH_URL"),
            "WEBSSO_KEYSTONE_URL",
        )
        if keystone is None:
            raise WebSSOSettingsError(
                "WEBSSO_ENABLED needs Keystone: set CLOUD_AUTH_URL (or WEBSSO_KEYSTONE_URL)"
            )
        choices = _choices(config.get("WEBSSO_CHOICES"))
        direct = bool(config.get("WEBSSO_DIRECT"))
        if direct and len(choices) != 1:
            raise WebSSOSettingsError("WEBSSO_DIRECT needs exactly one entry in WEBSSO_CHOICES")
        logout = config.get("WEBSSO_IDP_LOGOUT_URL") or None
        if logout is not None and _http_url(logout, "WEBSSO_IDP_LOGOUT_URL") is None:
            raise WebSSOSettingsError("WEBSSO_IDP_LOGOUT_URL must be an http(s) URL")
        return cls(
            choices=choices,
            keystone_url=_v3_url(keystone),
            public_url=public.rstrip("/"),
            direct=direct,
            idp_logout_url=logout,
        )

    @property
    def keystone_origin(self) -> str:
        """The origin of Keystone's pages (``https://keystone.example.org:5000``):
        the ``Origin`` its auto-submitted form's POST carries."""
        return _origin(self.keystone_url)

    def accepts_origin(self, origin: str) -> bool:
        """Whether a callback POST's ``Origin`` header may be Keystone's page's:
        Keystone's origin, or ``null`` (browsers send it after a redirect
        through another site, and for privacy-sensitive contexts)."""
        if origin == "null":
            return True
        try:
            return _origin(origin) == self.keystone_origin
        except ValueError:  # a port that is not a number
            return False

    def start_url(self, choice: WebSSOChoice, callback: str) -> str:
        """Keystone's WebSSO URL for ``choice``, sending the token to ``callback``
        (the callback's URL, built from PUBLIC_URL: Keystone compares it literally
        with its ``trusted_dashboard`` list)."""
        protocol = urllib.parse.quote(choice.protocol, safe="")
        if choice.idp:
            idp = urllib.parse.quote(choice.idp, safe="")
            path = f"/auth/OS-FEDERATION/identity_providers/{idp}/protocols/{protocol}/websso"
        else:
            path = f"/auth/OS-FEDERATION/websso/{protocol}"
        return f"{self.keystone_url}{path}?{urllib.parse.urlencode({'origin': callback})}"


def websso_settings() -> WebSSOSettings | None:
    """The app's single sign-on settings (None when it is off)."""
    found: WebSSOSettings | None = current_app.extensions.get(EXTENSION)
    return found


def _choices(given: Any) -> tuple[WebSSOChoice, ...]:
    if not isinstance(given, list) or not given:
        raise WebSSOSettingsError("WEBSSO_CHOICES must be a non-empty list of choices")
    choices = []
    for entry in given:
        if not isinstance(entry, Mapping):
            raise WebSSOSettingsError(f"each WEBSSO_CHOICES entry is a mapping, not {entry!r}")
        unknown = set(entry) - {"label", "protocol", "idp"}
        if unknown:
            raise WebSSOSettingsError(f"WEBSSO_CHOICES: unknown keys {sorted(unknown)}")
        protocol, idp, label = entry.get("protocol"), entry.get("idp"), entry.get("label")
        if not isinstance(protocol, str) or not protocol:
            raise WebSSOSettingsError(f"WEBSSO_CHOICES: {entry!r} needs a protocol")
        if idp is not None and (not isinstance(idp, str) or not idp):
            raise WebSSOSettingsError(f"WEBSSO_CHOICES: {entry!r}: idp must be a name")
        choices.append(WebSSOChoice(label=_label(label, entry), protocol=protocol, idp=idp))
    return tuple(choices)


def _label(label: Any, entry: Mapping[str, Any]) -> Any:
    if label == DEFAULT_LABEL:
        return _DEFAULT_LABEL
    if isinstance(label, str) and label:
        return Localized(label)
    if (
        isinstance(label, Mapping)
        and label
        and all(isinstance(k, str) and isinstance(v, str) and v for k, v in label.items())
    ):
        return Localized(label)
    raise WebSSOSettingsError(
        f"WEBSSO_CHOICES: {entry!r} needs a label, a string or a mapping by language"
    )


def _http_url(value: Any, name: str) -> str | None:
    if not value:
        return None
    parts = urllib.parse.urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise WebSSOSettingsError(f"{name} must be an absolute http(s) URL, not {value!r}")
    return str(value)


def _v3_url(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/v3") else f"{url}/v3"


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{scheme}://{host}{port}"
