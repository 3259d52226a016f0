"""Where a refused launch goes wrong: the cloud's message, pinned to a step and field.

Nova and Cinder answer a bad launch with a sentence. :func:`step_error` reads it
and names the step (and field) that caused it, so the wizard can show the message
where the user can fix it; quotas go by resource (instances to Count on Details,
vCPUs and RAM to Flavor, volumes to Source), said in the wizard's words before
the cloud's own; an unanswering cloud goes to Review.
"""

from __future__ import annotations

import re

from webapp.cloud.errors import CloudError
from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import QuotaExceeded
from webapp.forms.launch.quota import CORES
from webapp.forms.launch.quota import INSTANCES
from webapp.forms.launch.quota import RAM
from webapp.forms.launch.quota import over_limit
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.workflow import ActionError

__all__ = ["step_error"]

#: words in a cloud's message -> the step and field that caused it (first match)
_BLAME = (
    ("block device", "source", "source_id"),
    ("volume", "source", "source_id"),
    ("zero disk", "flavor", "flavor"),
    ("flavor", "flavor", "flavor"),
    ("memory", "flavor", "flavor"),
    ("disk", "flavor", "flavor"),
    ("image", "source", "source_id"),
    ("availability zone", "details", "availability_zone"),
    ("hostname", "config", "hostname"),
    ("metadata", "config", "metadata"),
    ("tag", "config", "tags"),
    ("user data", "config", "user_data"),
    ("server group", "config", "server_group"),
    ("key", "access", "keypair"),
    ("security group", "access", "security_groups"),
    ("port", "network", "nic_1"),
    ("fixed ip", "network", "ip_1"),
    ("network", "network", "nic_1"),
    ("multiple instances", "details", "count"),
    ("name", "details", "name"),
)


#: words of an over-quota message -> the quota, the quota in words, where to fix it
#: (first match; none: one of the quotas, on Flavor). The words are the cloud's
#: (English whatever the user's language); the quota in words is ours.
_QUOTAS = (
    (("volume", "gigabytes"), None, _l("the project's volume quota"), "source", "source_id"),
    (("in group", "server_group"), None, _l("a server group's quota"), "config", "server_group"),
    (("metadata",), None, _l("the project's metadata quota"), "config", "metadata"),
    (
        ("instances", "servers"),
        INSTANCES,
        _l("the project's instances quota"),
        "details",
        "count",
    ),
    (("cores", "vcpu"), CORES, _l("the project's vCPUs quota"), "flavor", "flavor"),
    (("ram", "memory"), RAM, _l("the project's RAM quota"), "flavor", "flavor"),
)
#: the quota in words when no word of the message names one
_SOME_QUOTA = _l("one of the project's quotas")
#: Nova's figures: "Quota exceeded for cores: Requested 8, but already used 18 of 20 cores"
_FIGURES = re.compile(r"requested (\d+), but already used (\d+) of (\d+)", re.IGNORECASE)


def quota_error(error: QuotaExceeded) -> ActionError:
    """An over-quota refusal on the step and field that set what went over, in
    the wizard's words (with the figures, when the cloud gave them) and then
    the cloud's own."""
    lowered = error.message.lower()
    _words, resource, quota, step, field = next(
        (found for found in _QUOTAS if any(word in lowered for word in found[0])),
        ((), None, _SOME_QUOTA, "flavor", "flavor"),
    )
    figures = _FIGURES.search(error.message)
    if resource and figures:
        asked, used, limit = (int(figure) for figure in figures.groups())
        said = _(
            "The cloud refused the launch over %(quota)s: %(problem)s. The cloud said: %(error)s",
            quota=quota,
            problem=over_limit(resource, asked, used, limit),
            error=error,
        )
    else:
        said = _(
            "The cloud refused the launch over %(quota)s. The cloud said: %(error)s",
            quota=quota,
            error=error,
        )
    return ActionError(said, step=step, field=field)


def step_error(error: CloudError) -> ActionError:
    """Turn a cloud error from the create call into an error on the right step."""
    message = str(error)
    lowered = error.message.lower()
    if isinstance(error, QuotaExceeded):
        return quota_error(error)
    if isinstance(error, CloudUnavailable):
        return ActionError(
            _(
                "%(error)s Nothing was launched; your choices are kept, so you can try again.",
                error=message,
            ),
            step="review",
        )
    if isinstance(error, InvalidRequest):
        for words, step, field in _BLAME:
            if words in lowered:
                return ActionError(message, step=step, field=field)
    return ActionError(message, step="review")
