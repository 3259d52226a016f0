"""Turn keystoneauth1, novaclient and raw HTTP failures into :mod:`webapp.cloud.errors`.

The rules, the same for every service:

* 401 -> Unauthorized (log in again);
* 403 saying "Quota exceeded..." or "Maximum number of..." (Nova's over-quota
  faults, e.g. too many metadata items) -> QuotaExceeded, any other 403 ->
  InvalidRequest (a policy refusal, or a zero-disk flavor booted from an image);
* 413 about a quota or limit (Cinder's ``overLimit``) -> QuotaExceeded;
* 404 -> NotFound; 409 -> Conflict (an InvalidRequest); 400 and other 4xx -> InvalidRequest;
* 429, 5xx, timeouts and connection failures -> CloudUnavailable.

The service's own message is kept, and so is its request id (``x-openstack-request-id``
or Nova's ``x-compute-request-id``). Messages are built from response bodies and URLs
only: tokens travel in headers and never reach an error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import requests
from keystoneauth1 import exceptions as ks_exc
from novaclient import exceptions as nova_exc

from webapp.cloud import errors
from webapp.i18n import lazy_gettext as _l

__all__ = ["from_exception", "from_response", "from_status", "translated"]

#: what the user is told when their login can no longer be used
SESSION_ENDED = _l("Your session with the cloud has ended: please log in again.")

#: the services named in messages, lazy: a name is translated with its message
_SERVICES: dict[str, str] = {
    # Translators: a cloud's service, named in messages such as "The compute
    # service refused the request (HTTP 400)." ("cloud" when it is not known)
    "cloud": _l("cloud"),
    "identity": _l("identity"),
    "compute": _l("compute"),
    "image": _l("image"),
    "network": _l("network"),
    "block storage": _l("block storage"),
}


def _service(service: str) -> str:
    """A service's name for a message: a lazy string translated with the message
    (an unknown name as it is)."""
    return _SERVICES.get(service, service)


def from_status(
    status: int,
    message: str | None,
    *,
    request_id: str | None = None,
    service: str = "cloud",
) -> errors.CloudError:
    """The CloudError for an HTTP error status and the service's message."""
    text = (message or "").strip()
    if status == 401:
        return errors.Unauthorized(SESSION_ENDED, request_id=request_id)
    if status == 403:
        if text.lower().startswith(("quota exceeded", "maximum number of")):
            return errors.QuotaExceeded(text, request_id=request_id)
        return errors.InvalidRequest(
            text or _l("The cloud does not allow this."), request_id=request_id
        )
    if status == 413 and ("quota" in text.lower() or "limit" in text.lower()):
        return errors.QuotaExceeded(text, request_id=request_id)
    if status == 404:
        return errors.NotFound(text or _l("Not found."), request_id=request_id)
    if status == 429:
        return errors.CloudUnavailable(
            _l(
                "The cloud did not answer: the %(service)s service is busy, try again shortly.",
                service=_service(service),
            ),
            request_id=request_id,
        )
    if status == 409:
        return errors.Conflict(
            text
            or _l(
                "The %(service)s service refused: the state does not allow it now.",
                service=_service(service),
            ),
            request_id=request_id,
        )
    if 400 <= status < 500:
        return errors.InvalidRequest(
            text
            or _l(
                "The %(service)s service refused the request (HTTP %(status)s).",
                service=_service(service),
                status=status,
            ),
            request_id=request_id,
        )
    return errors.CloudUnavailable(
        _l(
            "The cloud did not answer properly: the %(service)s service failed (HTTP %(status)s).",
            service=_service(service),
            status=status,
        ),
        request_id=request_id,
    )


def from_response(response: requests.Response, *, service: str = "cloud") -> errors.CloudError:
    """The CloudError for an error response of any OpenStack service."""
    return from_status(
        response.status_code,
        _message(response),
        request_id=_request_id(response),
        service=service,
    )


def from_exception(exc: Exception, *, service: str = "cloud") -> errors.CloudError | None:
    """The CloudError for a keystoneauth1 or novaclient exception, else None.

    :param service: the service called, named in messages ("identity", "image").
    """
    if isinstance(exc, errors.CloudError):
        return exc
    if isinstance(exc, nova_exc.ClientException):
        # without a JSON body novaclient puts its class's stock text in message
        said = exc.message if exc.message != type(exc).message else None
        return from_status(int(exc.code), said, request_id=exc.request_id, service="compute")
    if isinstance(exc, ks_exc.HttpError):
        if exc.response is not None:
            return from_response(exc.response, service=service)
        return from_status(exc.http_status, exc.message, request_id=exc.request_id, service=service)
    if isinstance(exc, ks_exc.ConnectTimeout):
        return errors.CloudUnavailable(_l("The cloud did not answer in time."))
    if isinstance(exc, ks_exc.SSLError):
        return errors.CloudUnavailable(
            _l("The cloud did not answer: its TLS certificate could not be verified.")
        )
    if isinstance(exc, ks_exc.ConnectionError):
        return errors.CloudUnavailable(_l("The cloud did not answer: no connection could be made."))
    if isinstance(exc, ks_exc.EndpointNotFound):
        return errors.CloudUnavailable(
            _l("The cloud did not answer: a service it needs is missing from its catalog.")
        )
    if isinstance(exc, ks_exc.AuthorizationFailure):
        return errors.Unauthorized(SESSION_ENDED)
    if isinstance(exc, (nova_exc.UnsupportedVersion, nova_exc.UnsupportedAttribute)):
        # the placeholder is novaclient's own words
        return errors.InvalidRequest(
            _l("This cloud's compute API does not support that: %(detail)s", detail=str(exc))
        )
    return None


@contextlib.contextmanager
def translated(service: str = "cloud") -> Iterator[None]:
    """Re-raise known client exceptions of the block as CloudErrors."""
    try:
        yield
    except Exception as exc:
        error = from_exception(exc, service=service)
        if error is None or error is exc:
            raise
        raise error from exc


def _request_id(response: requests.Response) -> str | None:
    headers = response.headers
    return headers.get("x-openstack-request-id") or headers.get("x-compute-request-id")


def _message(response: requests.Response) -> str | None:
    """The human message of an OpenStack error body, whatever its shape."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        # Glance and webob answer in plain text: "404 Not Found\n\n<message>"
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1] if lines else None
    if not isinstance(body, dict):
        return None
    # {"message": ...}, or {"badRequest": {...}}, {"NeutronError": {...}}, {"error": {...}}
    for found in (body, *body.values()):
        message = found.get("message") if isinstance(found, dict) else None
        if isinstance(message, str):
            return message
    return None
