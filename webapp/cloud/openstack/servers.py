"""A server's life after its launch, in Nova: pages of servers, power actions,
metadata changes, the console log, a remote console and the attached volumes.

Nova is reached through the connection's novaclient at the negotiated microversion;
Cinder (for the sizes of attached volumes) through a keystoneauth1 adapter. The
console type a compute endpoint gives is found by trying, once, and remembered in
the provider's :class:`~.discovery.DiscoveryCache`.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any
from urllib import parse

from keystoneauth1 import adapter as ks_adapter
from novaclient import client as nova_client
from novaclient import exceptions as nova_exc
from novaclient.v2 import servers as nova_servers

from webapp.cloud import errors as cloud_errors
from webapp.cloud import models
from webapp.cloud.openstack import convert
from webapp.cloud.openstack import discovery
from webapp.cloud.openstack import errors
from webapp.cloud.openstack import rest
from webapp.i18n import lazy_gettext as _l

__all__ = ["CONSOLE_TYPES", "NO_CONSOLE", "ServerLife", "as_requested"]

LOG = logging.getLogger(__name__)

#: console types to ask Nova for, best first: those a browser opens, then the
#: serial console (a websocket that needs a client of its own)
CONSOLE_TYPES = ("novnc", "spice-html5", "rdp-html5", "webmks", "serial")
#: what :meth:`ServerLife.remote_console` says when the cloud gives none
NO_CONSOLE = _l("This cloud offers no graphical console.")
#: remembered for an endpoint that gives no console type
_NONE = ""
#: safety net against a listing whose "next" link never ends
MAX_PAGES = 1000
#: newest first (Nova adds the id as a tie-break, so markers stay stable)
_NEWEST_FIRST = {"sort_keys": ["created_at"], "sort_dirs": ["desc"]}


class ServerLife:
    """Acts on the servers of one connection.

    :param compute: gives the connection's negotiated novaclient.
    :param block_storage: gives the Cinder adapter, or raises
        :class:`~.rest.ServiceMissing`.
    :param cache: the provider's discovery cache.
    :param console_key: gives the cache key of the compute endpoint's console type.
    """

    def __init__(
        self,
        *,
        compute: Callable[[], nova_client.Client],
        block_storage: Callable[[], ks_adapter.Adapter],
        cache: discovery.DiscoveryCache,
        console_key: Callable[[], str],
    ) -> None:
        self._compute = compute
        self._block_storage = block_storage
        self._cache = cache
        self._console_key = console_key
        # the console type found by this connection, for a cache that keeps nothing
        self._console: str | None = None

    # -- listing --------------------------------------------------------------

    def page(
        self, *, name: str | None, status: str | None, marker: str | None, limit: int
    ) -> models.ServerPage:
        """One page of servers, newest first, in one call (``limit`` at least 1)."""
        limit = max(limit, 1)
        search: dict[str, str] = {}
        if name:
            # Nova matches the name as a regular expression
            search["name"] = re.escape(name)
        if status:
            search["status"] = status
        with errors.translated("compute"):
            found = self._compute().servers.list(
                search_opts=search, marker=marker, limit=limit, **_NEWEST_FIRST
            )
        servers = tuple(convert.server(s.to_dict()) for s in found)
        full = len(servers) >= limit
        return models.ServerPage(servers, servers[-1].id if full else None)

    def every(self) -> list[models.Server]:
        """Every server, newest first, page after page at Nova's own page size.

        Read through the raw client because novaclient drops ``servers_links``:
        without it, knowing the last page would cost one more (empty) call.
        """
        nova = self._compute()
        query: dict[str, Any] = {"sort_key": "created_at", "sort_dir": "desc"}
        servers: list[models.Server] = []
        for _ in range(MAX_PAGES):
            with errors.translated("compute"):
                _, body = nova.client.get(f"/servers/detail?{parse.urlencode(query)}")
            page = [convert.server(s) for s in body.get("servers") or ()]
            servers.extend(page)
            more = any(link.get("rel") == "next" for link in body.get("servers_links") or ())
            if not (more and page):
                break
            query["marker"] = page[-1].id
        return servers

    # -- actions ----------------------------------------------------------------

    def stop(self, server_id: str) -> None:
        """``os-stop``; Nova's 409 becomes Conflict."""
        with errors.translated("compute"):
            self._compute().servers.stop(server_id)

    def start(self, server_id: str) -> None:
        """``os-start``; Nova's 409 becomes Conflict."""
        with errors.translated("compute"):
            self._compute().servers.start(server_id)

    def reboot(self, server_id: str, *, hard: bool) -> None:
        """``reboot`` of type SOFT or HARD; Nova's 409 becomes Conflict."""
        kind = nova_servers.REBOOT_HARD if hard else nova_servers.REBOOT_SOFT
        with errors.translated("compute"):
            self._compute().servers.reboot(server_id, reboot_type=kind)

    def set_metadata(self, server_id: str, items: Mapping[str, str | None]) -> None:
        """Each item on its own (``PUT`` or ``DELETE /servers/{id}/metadata/{key}``),
        so the server's other items stay as they are."""
        nova = self._compute()
        with errors.translated("compute"):
            for key, value in items.items():
                if value is None:
                    try:
                        nova.servers.delete_meta(server_id, [key])
                    except nova_exc.NotFound:
                        # gone already (the server itself is checked below)
                        nova.servers.get(server_id)
                else:
                    nova.servers.set_meta_item(server_id, key, value)

    def console_output(self, server_id: str, *, lines: int) -> str:
        """The last ``lines`` lines of the console log ("" when there is none)."""
        with errors.translated("compute"):
            output = self._compute().servers.get_console_output(server_id, length=max(lines, 1))
        return str(output or "")

    # -- remote console -----------------------------------------------------------

    def console_offered(self) -> bool:
        """False once the compute endpoint was found to give no console (no call)."""
        return self._known_console() != _NONE

    def remote_console(self, server_id: str) -> models.RemoteConsole:
        """The first console the endpoint gives, trying the one it gave before first.

        Nova refuses a type it does not offer with 400 (or 501 when the driver
        lacks it), so those move on to the next type; any other error (404, 409
        for a server not running) is raised as it is.
        """
        known = self._known_console()
        if known == _NONE:
            raise cloud_errors.InvalidRequest(NO_CONSOLE)
        nova = self._compute()
        types = [
            t for t in CONSOLE_TYPES if t != "webmks" or nova.api_version >= discovery.MKS_CONSOLE
        ]
        if known in types:
            types.remove(known)
            types.insert(0, known)
        for console_type in types:
            console = self._ask(nova, server_id, console_type)
            if console is not None:
                self._remember(console.type)
                return console
        self._remember(_NONE)
        raise cloud_errors.InvalidRequest(NO_CONSOLE)

    def _ask(
        self, nova: nova_client.Client, server_id: str, console_type: str
    ) -> models.RemoteConsole | None:
        with errors.translated("compute"):
            try:
                body = nova.servers.get_console_url(server_id, console_type)
            except (
                nova_exc.BadRequest,
                nova_exc.HTTPNotImplemented,
                nova_exc.UnsupportedConsoleType,
            ) as exc:
                LOG.debug("No %s console: %s", console_type, exc)
                return None
        # "remote_console" from 2.6, "console" (without the protocol) before
        data = body.get("remote_console") or body.get("console") or {}
        return models.RemoteConsole(
            protocol=data.get("protocol")
            or nova_servers.CONSOLE_TYPE_PROTOCOL_MAPPING[console_type],
            type=data.get("type") or console_type,
            url=data.get("url") or "",
        )

    def _known_console(self) -> str | None:
        found = self._cache.get_text(self._console_key())
        return found if found is not None else self._console

    def _remember(self, console_type: str) -> None:
        self._console = console_type
        self._cache.put(self._console_key(), console_type)

    # -- volumes ----------------------------------------------------------------

    def volumes(self, server_id: str) -> list[models.Volume]:
        """The attached volumes: Nova's attachments, then each volume from Cinder."""
        with errors.translated("compute"):
            attached = self._compute().volumes.get_server_volumes(server_id)
        attachments = [a.to_dict() for a in attached]
        if not attachments:
            return []
        try:
            cinder: ks_adapter.Adapter | None = self._block_storage()
        except rest.ServiceMissing:
            cinder = None
        found = []
        for attachment in attachments:
            volume_id = attachment.get("volumeId") or attachment.get("id") or ""
            device = attachment.get("device") or ""
            if cinder is None:
                found.append(models.Volume(volume_id, volume_id, 0, status="in-use", device=device))
                continue
            try:
                data = rest.cinder_get(cinder, f"/volumes/{volume_id}").get("volume") or {}
            except cloud_errors.NotFound:
                continue  # detached and deleted meanwhile
            volume = convert.volume(data, server_id=server_id)
            found.append(dataclasses.replace(volume, device=volume.device or device))
        return found


def as_requested(
    server_id: str, request: models.ServerRequest, *, description: str | None
) -> models.Server:
    """The server Nova just accepted: it answers with little more than the id."""
    return models.Server(
        id=server_id,
        name=request.name,
        status="BUILD",
        flavor_id=request.flavor_id,
        image_id=request.image_id or "",
        key_name=request.key_name,
        availability_zone=request.availability_zone,
        security_groups=request.security_groups or ("default",),
        description=description,
    )
