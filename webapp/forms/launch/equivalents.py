"""The launch as other tools would make it, shown on Review: the
``openstack server create`` command, the Nova API request and an OpenTofu
configuration, each also a file to download, with the script file they name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import cast

from wtforms import ValidationError

from webapp.cloud.catalog import Catalog
from webapp.cloud.equivalents import USER_DATA_FILE
from webapp.cloud.equivalents import api_request
from webapp.cloud.equivalents import openstack_command
from webapp.cloud.equivalents import terraform_config
from webapp.cloud.errors import CloudError
from webapp.cloud.models import ServerRequest
from webapp.expiry.lease import EXPIRES_AT
from webapp.forms.launch.context import LaunchContext
from webapp.forms.launch.expiry import lease_of
from webapp.forms.launch.server_request import server_request
from webapp.i18n import gettext as _

__all__ = ["Equivalent", "equivalents", "launch_request"]


@dataclass(frozen=True)
class Equivalent:
    """One way to make the same launch: its ``kind`` (in URLs), a title, the
    file it downloads as and its content (bytes for a binary script, which is
    not shown, only downloaded)."""

    kind: str
    title: str
    filename: str
    content: str | bytes

    @property
    def shown(self) -> bool:
        """Whether the page shows it (text), besides the download."""
        return isinstance(self.content, str) and self.kind != "user-data"


def launch_request(catalog: Catalog, context: Mapping[str, Any]) -> ServerRequest | None:
    """The request the launch would send, None while the steps are not all done."""
    try:
        return server_request(catalog, cast(LaunchContext, context))
    except (KeyError, TypeError, ValidationError):
        return None


def equivalents(
    request: ServerRequest, microversion: str, context: Mapping[str, Any] | None = None
) -> list[Equivalent]:
    """The command, the API request, the OpenTofu configuration and, when the
    launch has one, its script: what the first two read from ``user-data``.

    The lease chosen in ``context`` (the wizard's) ends a time after the command
    runs or the configuration is applied; the API request carries the end the
    launch would send now.
    """
    lease = lease_of(context or {})
    from_now = {EXPIRES_AT: lease.length} if lease and EXPIRES_AT in request.metadata else {}
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", request.name).strip("-.") or "server"
    try:
        api = api_request(request, microversion).text()
    except CloudError as error:  # what the launch itself would be told
        api = f"# {error.message}"
    found = [
        Equivalent(
            "command",
            _("openstack command"),
            f"launch-{stem}.sh",
            openstack_command(request, from_now=from_now),
        ),
        Equivalent("api", _("Nova API request"), f"launch-{stem}.http", api),
        Equivalent(
            "terraform",
            _("OpenTofu / Terraform"),
            f"{stem}.tf",
            terraform_config(request, from_now=from_now),
        ),
    ]
    if request.user_data is not None:
        found.append(Equivalent("user-data", _("Script"), USER_DATA_FILE, request.user_data))
    return found
