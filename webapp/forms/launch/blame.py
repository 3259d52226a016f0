"""Where a refused launch goes wrong: the cloud's message, pinned to a step and field.

Nova and Cinder answer a bad launch with a sentence. :func:`step_error` reads it
and names the step (and field) that caused it, so the wizard can show the message
where the user can fix it; quotas go by resource, an unanswering cloud to Review.
"""

from __future__ import annotations

from webapp.cloud.errors import CloudError
from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import QuotaExceeded
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


def step_error(error: CloudError) -> ActionError:
    """Turn a cloud error from the create call into an error on the right step."""
    message = str(error)
    lowered = error.message.lower()
    if isinstance(error, QuotaExceeded):
        if "volume" in lowered or "gigabytes" in lowered:
            return ActionError(message, step="source", field="source_id")
        field = "count" if "instances" in lowered else None
        return ActionError(message, step="details" if field else "flavor", field=field or "flavor")
    if isinstance(error, CloudUnavailable):
        return ActionError(
            f"{message} Nothing was launched; your choices are kept, so you can try again.",
            step="review",
        )
    if isinstance(error, InvalidRequest):
        for words, step, field in _BLAME:
            if words in lowered:
                return ActionError(message, step=step, field=field)
    return ActionError(message, step="review")
