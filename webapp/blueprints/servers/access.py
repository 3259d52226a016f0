"""What every servers view needs: the user's connection, the worker's cached
flavors and images, a server (or 404), and the readiness of one past ACTIVE."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from flask import abort
from flask import current_app
from flask import g

from webapp.blueprints.servers import presenting
from webapp.blueprints.servers import readiness
from webapp.cloud import get_connection
from webapp.cloud.base import CloudConnection
from webapp.cloud.errors import NotFound
from webapp.cloud.faults import explain
from webapp.cloud.lifecycle import allowed_actions
from webapp.cloud.lookup import LookupCache
from webapp.cloud.lookup import Lookups
from webapp.cloud.models import FloatingIP
from webapp.cloud.models import Image
from webapp.cloud.models import Server
from webapp.ops import server_times

__all__ = ["connection", "floating_ip_values", "load", "lookups", "now", "status_values"]


def connection() -> CloudConnection:
    """The logged-in user's connection (one per request)."""
    return get_connection(g.identity)


def cache() -> LookupCache:
    """The worker's flavors and images."""
    found: LookupCache = current_app.extensions["skiff.lookups"]
    return found


def scope() -> str:
    """The key of the cached lists: the project's in the login's region (a
    project's flavors and images differ between regions)."""
    return f"{g.identity.project_id}@{g.identity.region}"


def lookups() -> Lookups:
    """Flavors and images of the user's project, cached per worker."""
    cloud = connection()
    return Lookups(
        cache(),
        scope(),
        list_flavors=cloud.list_flavors,
        list_images=cloud.list_images,
    )


def load(server_id: str) -> Server:
    """The server, or a 404 page when the project has none with this id."""
    try:
        return connection().get_server(server_id)
    except NotFound:
        abort(404)


def now() -> datetime:
    """The current time, aware (UTC)."""
    return datetime.now(UTC)


def status_values(
    server: Server,
    *,
    poll: int = 0,
    seen: str | None = None,
    console: str | None = None,
    image: Image | None = None,
    follow: bool = False,
) -> dict[str, Any]:
    """What ``servers/_status.html`` shows, reading the console log only while
    readiness is unknown (the one call a poll makes besides ``get_server``).

    :param poll: how many polls came before (sets the delay of the next one).
    :param seen: the state the page's actions were drawn for; they are sent again
        when it changed.
    :param console: the console log when the caller has read it already.
    :param image: the server's image when the caller has it (else from the cache).
    :param follow: poll at least once more, even when the server looks settled
        (just after an action, which the cloud may not show yet).
    """
    config = current_app.config
    timeout = float(config["READY_TIMEOUT_SECONDS"])
    ready = readiness.assess(server, console, now=now(), timeout=timeout)
    if ready.state == readiness.WAITING and console is None:
        console = connection().console_output(server.id, lines=int(config["CONSOLE_LOG_LINES"]))
        ready = readiness.assess(server, console, now=now(), timeout=timeout)
    server_times.server_seen(server, ready, now=now())  # metrics: time to ACTIVE, ready
    command = None
    if ready.state in {readiness.READY, readiness.NO_REPORT}:
        image = image or _image(server)
        command = readiness.ssh_command(server, readiness.ssh_user(image))
    polling = follow or not server.is_final or not ready.known
    state = presenting.state_key(server)
    return {
        "server": server,
        "status": presenting.status_of(server),
        "readiness": ready,
        "ssh_command": command,
        "polling": polling,
        "poll": poll,
        "delay_ms": int(presenting.poll_delay(poll) * 1000),
        "state": state,
        "actions_changed": seen is not None and seen != state,
        "allowed": allowed_actions(server),
        "fault": explain(server.fault),
    }


def _image(server: Server) -> Image | None:
    """The server's image from the cache, else asked for (once: the poll that
    finds the server ready is the last one)."""
    if not server.image_id:
        return None
    cached = cache().cached_image(scope(), server.image_id)
    if cached is not None:
        return cached
    try:
        return connection().get_image(server.image_id)
    except NotFound:
        return None


def floating_ip_values(server: Server) -> dict[str, object]:
    """The server's floating IPs and the pools new ones may come from."""
    cloud = connection()
    fixed = {a.address for a in server.ips if a.kind == "fixed"} | set(server.addresses)
    mine: list[FloatingIP] = [
        fip
        for fip in cloud.list_floating_ips()
        if fip.port_id and (fip.fixed_address in fixed or fip.address in fixed)
    ]
    return {"floating_ips": mine, "pools": cloud.list_floating_ip_pools()}
