"""The few typed errors the cloud layer raises; the UI turns each into a clear message.

Every implementation maps its own failures (Keystone and Nova faults, HTTP errors,
demo-cloud rules) onto these, keeping the cloud's own words in ``message`` and, where
the cloud gave one, the request id an operator can look up in the cloud's logs.
"""

from __future__ import annotations

from webapp.i18n import gettext as _

__all__ = [
    "CloudError",
    "CloudUnavailable",
    "Conflict",
    "InvalidRequest",
    "NotFound",
    "QuotaExceeded",
    "Unauthorized",
]


class CloudError(Exception):
    """Base class: a cloud call failed.

    :param message: what the cloud said, in words a user can read: the cloud's own
        text as it came, or our own message as a lazy string (``lazy_gettext``),
        translated only when it is read, so an error made outside a request (a
        thread, the CLI) still speaks the reader's language.
    :param request_id: the cloud's request id (``x-openstack-request-id``), if any.
    """

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self._message = message
        self.request_id = request_id

    @property
    def message(self) -> str:
        """The message as a real str, in the language of whoever reads it now."""
        return str(self._message)

    def __str__(self) -> str:
        if self.request_id:
            # Translators: a cloud error followed by the request id an operator
            # can look up in the cloud's logs.
            return _(
                "%(message)s (request %(request_id)s)",
                message=self.message,
                request_id=self.request_id,
            )
        return self.message


class NotFound(CloudError):
    """The thing asked for does not exist (or is not visible to this project)."""


class QuotaExceeded(CloudError):
    """The request would go over one of the project's quotas."""


class InvalidRequest(CloudError):
    """The cloud refused the request as invalid (HTTP 400 and its kin)."""


class Conflict(InvalidRequest):
    """The thing is not in a state that allows it (HTTP 409), e.g. stopping a
    server that is already stopped or still building, or a name already taken."""


class Unauthorized(CloudError):
    """The user's token is missing, expired or revoked: log in again."""


class CloudUnavailable(CloudError):
    """The cloud did not answer (connection refused, timeout, 5xx)."""
