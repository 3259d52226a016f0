"""A server's lease: how long it lives, when it expires and what happens then,
as its Nova metadata keeps it.

A launch (or an extension) chooses a :class:`Lease`, a number of minutes, hours
or days; the server keeps the moment the lease ends, ``skiff:expires_at`` (UTC,
ISO 8601 with "Z", to the second), and what happens then,
``skiff:expiry_action`` ("stop" or "delete"), as an :class:`Expiry`. Pure values
and functions: no Flask, no cloud.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

__all__ = [
    "ACTIONS",
    "EXPIRES_AT",
    "EXPIRY_ACTION",
    "LONGEST",
    "METADATA_KEYS",
    "UNITS",
    "Expiry",
    "InvalidExpiry",
    "Lease",
    "iso",
    "parse_lease",
    "read_expiry",
]

#: the metadata keys of an expiring server
EXPIRES_AT = "skiff:expires_at"
EXPIRY_ACTION = "skiff:expiry_action"
METADATA_KEYS = (EXPIRES_AT, EXPIRY_ACTION)
#: what may happen to a server when it expires
ACTIONS = ("stop", "delete")
#: the units a lease is counted in, shortest first
UNITS: dict[str, timedelta] = {
    "minutes": timedelta(minutes=1),
    "hours": timedelta(hours=1),
    "days": timedelta(days=1),
}
#: the longest lease whatever the settings say (a date every tool can still hold)
LONGEST = timedelta(days=3650)

#: how a lease may be written in the settings: "8 hours", "7d", "90 min"
_LEASE = re.compile(r"^\s*(\d+)\s*([a-z]+)\s*$", re.IGNORECASE)
_UNIT_NAMES = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("h", "hour", "hours"), "hours"),
    **dict.fromkeys(("d", "day", "days"), "days"),
}


class InvalidExpiry(ValueError):
    """A server's expiry metadata that cannot be read (set by hand, say)."""


@dataclass(frozen=True)
class Lease:
    """How long a server lives: ``amount`` ``unit`` (a key of :data:`UNITS`)."""

    amount: int
    unit: str

    @property
    def length(self) -> timedelta:
        """The lease as a duration."""
        return self.amount * UNITS[self.unit]

    def ends(self, start: datetime) -> datetime:
        """When a lease starting at ``start`` (aware) ends, in UTC, to the second."""
        return (start.astimezone(UTC) + self.length).replace(microsecond=0)

    @classmethod
    def of_hours(cls, hours: float) -> Lease:
        """``hours`` in the largest unit that counts them whole (720 -> 30 days)."""
        minutes = round(hours * 60)
        if minutes % (24 * 60) == 0:
            return cls(minutes // (24 * 60), "days")
        if minutes % 60 == 0:
            return cls(minutes // 60, "hours")
        return cls(minutes, "minutes")


@dataclass(frozen=True)
class Expiry:
    """When a server expires (aware, UTC) and what happens to it then."""

    expires_at: datetime
    action: str

    def expired(self, now: datetime) -> bool:
        """Whether the server has expired at ``now``."""
        return now >= self.expires_at

    def metadata(self) -> dict[str, str]:
        """The metadata items that keep this expiry."""
        return {EXPIRES_AT: iso(self.expires_at), EXPIRY_ACTION: self.action}


def parse_lease(text: str) -> Lease | None:
    """A lease as the settings write it ("8 hours", "7d", "90 min"); None for
    "never". Raises ValueError for anything else."""
    if text.strip().lower() == "never":
        return None
    match = _LEASE.match(text)
    unit = _UNIT_NAMES.get(match.group(2).lower()) if match else None
    if match is None or unit is None or int(match.group(1)) < 1:
        raise ValueError(
            f"{text!r} is not a lease: write never, or e.g. 8 hours, 7 days, 90 minutes"
        )
    return Lease(int(match.group(1)), unit)


def iso(moment: datetime) -> str:
    """A moment as the metadata keeps it: UTC, ISO 8601, "Z", to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_expiry(metadata: Mapping[str, str]) -> Expiry | None:
    """The expiry a server's metadata keeps; None when it has none.

    Without ``skiff:expiry_action`` the server is stopped (the cautious choice).
    Raises :class:`InvalidExpiry` when the items cannot be read.
    """
    text = metadata.get(EXPIRES_AT)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidExpiry(f"{EXPIRES_AT} is {text!r}, not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the metadata's times are UTC
    action = metadata.get(EXPIRY_ACTION, "stop").strip().lower()
    if action not in ACTIONS:
        raise InvalidExpiry(f"{EXPIRY_ACTION} is {action!r}, not stop or delete")
    return Expiry(moment.astimezone(UTC), action)
