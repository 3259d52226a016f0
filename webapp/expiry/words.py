"""Leases and expiries in words, in the request's language: "8 hours", "3 days
left", "expired", and why a lease is refused.

What the launch's Details and Review steps, the servers list and a server's
page say about expiry; the choices their forms offer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from webapp.expiry.lease import Expiry
from webapp.expiry.lease import InvalidExpiry
from webapp.expiry.lease import Lease
from webapp.expiry.lease import iso
from webapp.expiry.lease import read_expiry
from webapp.expiry.policy import ExpiryPolicy
from webapp.expiry.policy import Refusal
from webapp.i18n import LazyString
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.i18n import ngettext

__all__ = [
    "ACTION_CHOICES",
    "UNIT_CHOICES",
    "ExpiryView",
    "describe",
    "lease_words",
    "refusal_words",
    "time_left",
]

#: the units a form offers (value, words)
UNIT_CHOICES: tuple[tuple[str, LazyString], ...] = (
    ("minutes", _l("minutes")),
    ("hours", _l("hours")),
    ("days", _l("days")),
)
#: what may happen at expiry, as a form offers it (value, words)
ACTION_CHOICES: tuple[tuple[str, LazyString], ...] = (
    ("stop", _l("stop it")),
    ("delete", _l("delete it")),
)


def lease_words(lease: Lease) -> str:
    """ "1 minute", "8 hours", "30 days"."""
    if lease.unit == "minutes":
        return ngettext("%(num)d minute", "%(num)d minutes", lease.amount)
    if lease.unit == "hours":
        return ngettext("%(num)d hour", "%(num)d hours", lease.amount)
    return ngettext("%(num)d day", "%(num)d days", lease.amount)


def time_left(expiry: Expiry, now: datetime) -> str:
    """ "3 days left" (from two days), "47 hours left" (from two hours), "90
    minutes left", "less than a minute left", "expired"; rounded to the nearest
    unit, so a lease of 3 days just extended says 3 days."""
    seconds = int((expiry.expires_at - now).total_seconds())
    if seconds <= 0:
        return _("expired")
    # a minute's slack: a lease of 2 days shown a moment later still says days
    if seconds + 60 >= 2 * 86400:
        return ngettext("%(num)d day left", "%(num)d days left", _rounded(seconds, 86400))
    if seconds + 60 >= 2 * 3600:
        return ngettext("%(num)d hour left", "%(num)d hours left", _rounded(seconds, 3600))
    if seconds >= 60:
        return ngettext("%(num)d minute left", "%(num)d minutes left", _rounded(seconds, 60))
    return _("less than a minute left")


def _rounded(seconds: int, unit: int) -> int:
    """``seconds`` in ``unit`` seconds, to the nearest (halves up)."""
    return (seconds + unit // 2) // unit


def refusal_words(policy: ExpiryPolicy, refusal: Refusal) -> str:
    """Why a lease is refused, with what is allowed."""
    most = lease_words(policy.longest)
    if refusal is Refusal.NEVER:
        return _(
            "This cloud keeps servers for at most %(most)s: choose when this one expires.",
            most=most,
        )
    if refusal is Refusal.TOO_SHORT:
        return _("Give a whole number of minutes, hours or days, 1 or more.")
    if refusal is Refusal.SOONER:
        return _("That is sooner than the server expires now: an extension can only move it later.")
    return _("At most %(most)s: the longest this cloud allows.", most=most)


@dataclass(frozen=True)
class ExpiryView:
    """A server's expiry as its pages show it.

    :param expires_at: when, as the metadata keeps it (UTC, ISO 8601).
    :param left: the time left in words, or "expired".
    :param expired: whether it has expired.
    :param action: "stop" or "delete".
    :param then: what happens (or is due) in words.
    """

    expires_at: str
    left: str
    expired: bool
    action: str
    then: str


def describe(metadata: Mapping[str, str], status: str, now: datetime) -> ExpiryView | None:
    """A server's expiry from its ``metadata`` and ``status``; None when it never
    expires (or its expiry cannot be read, which the expire command reports)."""
    try:
        expiry = read_expiry(metadata)
    except InvalidExpiry:
        return None
    if expiry is None:
        return None
    expired = expiry.expired(now)
    if not expired:
        then = _("then stopped") if expiry.action == "stop" else _("then deleted")
    elif expiry.action == "stop" and status == "SHUTOFF":
        then = _("stopped")
    else:
        then = _("due to be stopped") if expiry.action == "stop" else _("due to be deleted")
    return ExpiryView(iso(expiry.expires_at), time_left(expiry, now), expired, expiry.action, then)
