"""The lease a launch chooses on the Details step, and what it becomes: the
server's expiry metadata (counted with the Configuration step's own items
against the project's limit) and its words on Review; and back, the lease a
server had, for "Launch again like this".

The Details step keeps the choice, not a moment (``expires``: "never" or
"after", ``expiry_amount``, ``expiry_unit``, ``expiry_action``): the lease starts
when the server is requested (:func:`expiry_metadata`, called by
:func:`~webapp.forms.launch.server_request.server_request`). Without the
``expires`` field (the operator allows no "never") the lease is always chosen.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from webapp.cloud.models import Server
from webapp.expiry.lease import METADATA_KEYS
from webapp.expiry.lease import UNITS
from webapp.expiry.lease import Expiry
from webapp.expiry.lease import InvalidExpiry
from webapp.expiry.lease import Lease
from webapp.expiry.lease import read_expiry
from webapp.expiry.policy import ExpiryPolicy
from webapp.expiry.words import lease_words
from webapp.i18n import gettext as _
from webapp.i18n import ngettext
from webapp.i18n import parse_time

__all__ = [
    "expiry_defaults",
    "expiry_fields_of",
    "expiry_hint",
    "expiry_metadata",
    "expiry_summary",
    "lease_of",
    "metadata_problem",
]


def lease_of(values: Mapping[str, object]) -> Lease | None:
    """The lease in the Details step's values (its form data, or the context);
    None for "never" or while no whole number is chosen."""
    if values.get("expires", "after") == "never":
        return None
    amount, unit = values.get("expiry_amount"), values.get("expiry_unit")
    if not isinstance(amount, int) or isinstance(amount, bool) or unit not in UNITS:
        return None
    return Lease(amount, str(unit))


def expiry_metadata(context: Mapping[str, object], now: datetime) -> dict[str, str]:
    """The metadata items of the context's lease, starting ``now`` (none for never)."""
    lease = lease_of(context)
    if lease is None:
        return {}
    action = "delete" if context.get("expiry_action") == "delete" else "stop"
    return Expiry(lease.ends(now), action).metadata()


def expiry_defaults(policy: ExpiryPolicy) -> dict[str, object]:
    """The Details step's expiry fields as a new launch starts them."""
    lease = policy.default
    return {
        "expires": "after" if lease else "never",
        "expiry_amount": lease.amount if lease else None,
        "expiry_unit": lease.unit if lease else "hours",
        "expiry_action": policy.default_action,
    }


def expiry_fields_of(server: Server, policy: ExpiryPolicy) -> dict[str, str]:
    """The Details step's expiry fields for the lease ``server`` had, to launch
    another like it: its expiry less its creation, in the largest whole unit, at
    most today's longest; "never" without one, where allowed. Nothing (the
    operator's default) when it cannot be read, or "never" is no longer allowed."""
    try:
        expiry = read_expiry(server.metadata)
    except InvalidExpiry:
        return {}
    if expiry is None:
        return {"expires": "never"} if policy.allow_never else {}
    created = parse_time(server.created)
    if created is None or created.tzinfo is None:
        return {}
    # the lease started when the server was asked for, a moment before Nova's created
    minutes = round((expiry.expires_at - created).total_seconds() / 60)
    if minutes < 1:
        return {}
    lease = Lease.of_hours(minutes / 60)
    if policy.check(lease) is not None:
        lease = policy.longest
    return {
        "expires": "after",
        "expiry_amount": str(lease.amount),
        "expiry_unit": lease.unit,
        "expiry_action": expiry.action,
    }


def expiry_hint(policy: ExpiryPolicy) -> str:
    """What the Details step says beside the lease."""
    most = lease_words(policy.longest)
    if policy.allow_never:
        return _("At most %(most)s; it can be extended later on the server's page.", most=most)
    return _(
        "This cloud keeps servers for at most %(most)s; it can be extended later on the "
        "server's page.",
        most=most,
    )


def expiry_summary(context: Mapping[str, object]) -> str:
    """The lease on Review: "never", "stopped 8 hours after launch"..."""
    lease = lease_of(context)
    if lease is None:
        return _("never")
    if context.get("expiry_action") == "delete":
        return _("deleted %(lease)s after launch", lease=lease_words(lease))
    return _("stopped %(lease)s after launch", lease=lease_words(lease))


def metadata_problem(
    pairs: Mapping[str, str], context: Mapping[str, object], limit: int
) -> str | None:
    """What is wrong with the Configuration step's metadata given the lease: a
    key of the expiry's own, or too many items once the expiry's are counted
    (``limit``: the project's, -1 for none)."""
    for key in pairs:
        if key in METADATA_KEYS:
            return _(
                "Key %(key)s is the portal's own: choose when the server expires on Details.",
                key=repr(key),
            )
    kept = len(METADATA_KEYS) if lease_of(context) else 0
    if kept and 0 <= limit < len(pairs) + kept:
        return ngettext(
            "%(num)d item and the %(kept)d that keep the expiry (Details): this project "
            "allows at most %(limit)s.",
            "%(num)d items and the %(kept)d that keep the expiry (Details): this project "
            "allows at most %(limit)s.",
            len(pairs),
            kept=kept,
            limit=limit,
        )
    return None
