"""Ready, not just ACTIVE: cloud-init's report in the console log, and how to log in.

Nova says ACTIVE when the hypervisor has started the server; the operating system
is still booting, and SSH answers only once cloud-init has put the key in place.
Cloud-init ends its run by printing one line to the console::

    Cloud-init v. 24.1.3 finished at Tue, 01 Dec 2026 16:50:28 +0000. Datasource
    DataSourceNoCloud.  Up 14.20 seconds

(one line, cut here).

:func:`assess` reads that line from the console log. Pure functions: no Flask, no
cloud calls; the views give them the server, its console log and the time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from email.utils import parsedate_to_datetime

from webapp.cloud.models import Image
from webapp.cloud.models import Server

__all__ = [
    "NO_REPORT",
    "READY",
    "WAITING",
    "Readiness",
    "assess",
    "cloud_init_finished",
    "parse_time",
    "ssh_address",
    "ssh_command",
    "ssh_user",
]

#: cloud-init's line, e.g. "Cloud-init v. 24.1.3 finished at Tue, 01 Dec 2026 16:50:28 +0000."
_FINISHED = re.compile(r"Cloud-init v\. \S+ finished at ([^.]+?)\. Datasource")

#: ``os_distro`` (Glance's property, lower case) -> the distribution's default user
DISTRO_USERS = {
    "ubuntu": "ubuntu",
    "debian": "debian",
    "fedora": "fedora",
    "centos": "centos",
    "rhel": "cloud-user",
    "rocky": "rocky",
    "almalinux": "almalinux",
    "cirros": "cirros",
    "opensuse": "opensuse",
    "sles": "sles",
    "arch": "arch",
    "freebsd": "freebsd",
    "coreos": "core",
    "fedora-coreos": "core",
}

#: what the command says when the user is not known
USER_PLACEHOLDER = "<user>"

WAITING = "waiting"  # ACTIVE, no report yet, still within the time allowed
READY = "ready"  # cloud-init reported it finished
NO_REPORT = "no-report"  # no report within the time allowed


@dataclass(frozen=True)
class Readiness:
    """What the page says about a server past ACTIVE.

    :param state: :data:`WAITING`, :data:`READY`, :data:`NO_REPORT`, or None when
        the server is not ACTIVE (nothing to wait for).
    :param active_after: seconds from creation to ACTIVE, when known.
    :param ready_after: seconds from creation to cloud-init's report, when ready.
    """

    state: str | None
    active_after: int | None = None
    ready_after: int | None = None

    @property
    def known(self) -> bool:
        """Whether there is nothing more to wait for."""
        return self.state != WAITING


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time as Nova gives it ("2026-12-01T16:50:14Z", with or without
    fractions or an offset) as an aware datetime; None when empty or unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def cloud_init_finished(console: str) -> datetime | None:
    """When cloud-init said it finished, from the last such line of the log."""
    found = _FINISHED.findall(console or "")
    if not found:
        return None
    try:
        return parsedate_to_datetime(found[-1])
    except (TypeError, ValueError):
        return None


def assess(server: Server, console: str | None, *, now: datetime, timeout: float) -> Readiness:
    """How far a server is past ACTIVE.

    :param console: its console log, or None when it was not read (the state is
        then :data:`WAITING` until ``timeout``).
    :param now: the current time (aware).
    :param timeout: seconds after ACTIVE to wait for cloud-init's report.
    """
    created = parse_time(server.created)
    launched = parse_time(server.launched_at)
    active_after = _seconds(created, launched)
    if server.status != "ACTIVE" or server.task_state:
        return Readiness(None, active_after)
    finished = cloud_init_finished(console or "")
    if finished is not None:
        return Readiness(READY, active_after, _seconds(created, finished))
    since = launched or created
    if since is not None and (now - since).total_seconds() >= timeout:
        return Readiness(NO_REPORT, active_after)
    return Readiness(WAITING, active_after)


def ssh_user(image: Image | None) -> str:
    """The login user of servers made from ``image``: its ``os_admin_user``, else
    its distribution's default user, else :data:`USER_PLACEHOLDER`."""
    if image is None:
        return USER_PLACEHOLDER
    if image.os_admin_user:
        return image.os_admin_user
    return DISTRO_USERS.get(image.os_distro.lower(), USER_PLACEHOLDER)


def ssh_address(server: Server) -> str | None:
    """The address to reach the server at: a floating IP if it has one, else its
    first fixed IPv4 address, else its first address."""
    for kind in ("floating", "fixed"):
        for address in server.ips:
            if address.kind == kind and address.version == 4:
                return address.address
    if server.ips:
        return server.ips[0].address
    return server.addresses[0] if server.addresses else None


def ssh_command(server: Server, user: str) -> str | None:
    """``ssh -i <key pair>.pem <user>@<address>``, or None without an address."""
    address = ssh_address(server)
    if address is None:
        return None
    key = f"-i {server.key_name}.pem " if server.key_name else ""
    return f"ssh {key}{user}@{address}"


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds()))
