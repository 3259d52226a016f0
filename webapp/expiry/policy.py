"""The operator's rules for leases: the default, the longest, whether "never" is
allowed (``EXPIRY_*`` in ``webapp/config.py``), and what they refuse.

Read once when the app is built: a setting that makes no sense stops the app
with a message naming it. No Flask, no cloud.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from enum import Enum
from typing import Any

from webapp.expiry.lease import ACTIONS
from webapp.expiry.lease import LONGEST
from webapp.expiry.lease import UNITS
from webapp.expiry.lease import Lease
from webapp.expiry.lease import parse_lease

__all__ = ["ExpiryPolicy", "Refusal"]


class Refusal(Enum):
    """Why a lease is refused."""

    #: no lease, and the operator does not allow servers that never expire
    NEVER = "never"
    #: less than one minute, hour or day
    TOO_SHORT = "too-short"
    #: longer than the operator's maximum (or than :data:`LONGEST`)
    TOO_LONG = "too-long"
    #: sooner than the server expires already (an extension)
    SOONER = "sooner"


@dataclass(frozen=True)
class ExpiryPolicy:
    """The operator's rules for leases.

    :param default: the lease a new launch starts with (None: never).
    :param default_action: what it starts with for an expired server: stop or delete.
    :param max_hours: the longest lease, from launch or from an extension
        (None: no maximum but :data:`LONGEST`).
    :param allow_never: whether a server may never expire.
    """

    default: Lease | None = None
    default_action: str = "stop"
    max_hours: float | None = 720
    allow_never: bool = True

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ExpiryPolicy:
        """The rules in an app's configuration; ValueError naming a bad setting.

        When "never" is not allowed and the default is never, the default is the
        longest lease allowed.
        """
        try:
            default = parse_lease(str(config["EXPIRY_DEFAULT"]))
        except ValueError as error:
            raise ValueError(f"EXPIRY_DEFAULT: {error}") from None
        action = str(config["EXPIRY_DEFAULT_ACTION"]).lower()
        if action not in ACTIONS:
            raise ValueError(f"EXPIRY_DEFAULT_ACTION is {action!r}: use stop or delete")
        max_hours = config["EXPIRY_MAX_HOURS"]
        if max_hours is not None:
            try:
                max_hours = float(max_hours)
            except (TypeError, ValueError):
                max_hours = -1.0
            if not 1 / 60 <= max_hours <= LONGEST / timedelta(hours=1):
                raise ValueError(
                    f"EXPIRY_MAX_HOURS is {config['EXPIRY_MAX_HOURS']!r}: use a number of "
                    f"hours from one minute (0.0167) to {LONGEST.days * 24}, or null"
                )
        allow_never = bool(config["EXPIRY_ALLOW_NEVER"])
        policy = cls(default, action, max_hours, allow_never)
        if default is None and not allow_never:
            if max_hours is None:
                raise ValueError(
                    "EXPIRY_DEFAULT is never but EXPIRY_ALLOW_NEVER is false: "
                    "set a default lease (or a maximum, which becomes the default)"
                )
            policy = cls(Lease.of_hours(max_hours), action, max_hours, allow_never)
        elif default is not None and policy.check(default) is not None:
            raise ValueError(f"EXPIRY_DEFAULT {config['EXPIRY_DEFAULT']!r} is beyond the maximum")
        return policy

    @property
    def longest(self) -> Lease:
        """The longest lease allowed, in the largest whole unit."""
        if self.max_hours is None:
            return Lease(LONGEST.days, "days")
        return Lease.of_hours(self.max_hours)

    def check(self, lease: Lease | None) -> Refusal | None:
        """Why ``lease`` (None: never) is refused for a launch, or None."""
        if lease is None:
            return None if self.allow_never else Refusal.NEVER
        if lease.amount < 1:
            return Refusal.TOO_SHORT
        # compared in units first: a huge amount would overflow a timedelta
        if lease.amount > LONGEST // UNITS[lease.unit] or lease.length > self.longest.length:
            return Refusal.TOO_LONG
        return None

    def check_extension(
        self, lease: Lease | None, *, now: datetime, expires_at: datetime
    ) -> Refusal | None:
        """Why extending a server that expires at ``expires_at`` to ``lease`` from
        ``now`` (None: never) is refused, or None: as at launch, and never sooner."""
        refusal = self.check(lease)
        if refusal is None and lease is not None and lease.ends(now) < expires_at:
            return Refusal.SOONER
        return refusal
