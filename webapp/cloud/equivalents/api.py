"""The Compute API request Skiff sends for a :class:`ServerRequest`, to show users.

The body is not rebuilt by hand: the real path runs offline. ``boot.create_arguments``
gives novaclient's arguments and novaclient's own ``servers.create`` shapes the body,
on a keystoneauth1 session that records the request instead of sending it. So the
body is exactly what a launch at that microversion sends, in novaclient's key order,
except the admin password, which is masked.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import requests
from keystoneauth1 import session as ks_session
from novaclient import api_versions
from novaclient import client as nova_client

from webapp.cloud import models
from webapp.cloud.openstack import boot

__all__ = ["PASSWORD_MASK", "ApiRequest", "api_request"]

#: what stands for the admin password in a shown body
PASSWORD_MASK = "<admin password, not shown>"

#: novaclient's microversion headers, in the order shown
_VERSION_HEADERS = ("OpenStack-API-Version", "X-OpenStack-Nova-API-Version")

#: Nova's answer to a create: the server, or only the reservation id when asked
_SERVER = {"server": {"id": "00000000-0000-0000-0000-000000000000", "links": []}}
_RESERVATION = {"reservation_id": "r-00000000"}


@dataclass(frozen=True)
class ApiRequest:
    """One HTTP request to the compute endpoint: ``path`` is relative to it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    def text(self) -> str:
        """The request as a user reads it: request line, headers, blank line, JSON."""
        lines = [f"{self.method} {self.path}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        return "\n".join([*lines, "", json.dumps(self.body, indent=2, ensure_ascii=False)]) + "\n"


def api_request(request: models.ServerRequest, microversion: str) -> ApiRequest:
    """The POST /servers Skiff sends for ``request`` at compute ``microversion``
    (e.g. "2.96"), its admin password masked. No network is used.

    :raises InvalidRequest: for a choice this microversion cannot take, as a launch.
    """
    version = api_versions.APIVersion(microversion)
    image, options = boot.create_arguments(request, version)
    recorder = _Recorder()
    nova = nova_client.Client(version, session=recorder)
    nova.servers.create(request.name, image, request.flavor_id, **options)
    ((method, path, sent),) = recorder.sent
    body: dict[str, Any] = copy.deepcopy(sent["json"])
    if "adminPass" in body["server"]:
        # replaced in place, so the key keeps novaclient's position
        body["server"]["adminPass"] = PASSWORD_MASK
    given: dict[str, str] = sent.get("headers") or {}
    headers = {name: given[name] for name in _VERSION_HEADERS if name in given}
    headers["Content-Type"] = "application/json"
    return ApiRequest(method=method, path=path, headers=headers, body=body)


class _Recorder(ks_session.Session):
    """A session that records each request and answers it like Nova's 202,
    without any network or authentication."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    def request(self, url: str, method: str, *args: Any, **kwargs: Any) -> requests.Response:
        """Record ``kwargs`` (``json``, ``headers``) and answer 202 with a server."""
        self.sent.append((method, url, kwargs))
        asked = kwargs.get("json") or {}
        reservation = bool(asked.get("server", {}).get("return_reservation_id"))
        answer = requests.Response()
        answer.status_code = 202
        answer.headers["Content-Type"] = "application/json"
        answer._content = json.dumps(_RESERVATION if reservation else _SERVER).encode()
        return answer
