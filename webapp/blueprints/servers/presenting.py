"""How a server is shown: its status in words and colour, its age, its flavor and
image by name, and how often its page asks again while it changes.

Pure functions over :class:`~webapp.cloud.models.Server`; the templates call them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from webapp.blueprints.servers.readiness import parse_time
from webapp.cloud.faults import short_cause
from webapp.cloud.lookup import Lookups
from webapp.cloud.models import Flavor
from webapp.cloud.models import Server

__all__ = [
    "STATUS_FILTERS",
    "Status",
    "age_in_words",
    "flavor_of",
    "image_label",
    "poll_delay",
    "state_key",
    "status_of",
]

#: Nova statuses the list can be filtered by, with their words
STATUS_FILTERS = (
    ("ACTIVE", "Running"),
    ("BUILD", "Building"),
    ("SHUTOFF", "Stopped"),
    ("ERROR", "Error"),
    ("REBOOT", "Rebooting"),
    ("HARD_REBOOT", "Rebooting (hard)"),
    ("PAUSED", "Paused"),
    ("SUSPENDED", "Suspended"),
)

_WORDS = dict(STATUS_FILTERS)

#: a task in progress on a server that is not building -> what it does
_TASKS = {
    "deleting": "Deleting",
    "powering-off": "Stopping",
    "powering-on": "Starting",
    "rebooting": "Rebooting",
    "reboot_pending": "Rebooting",
    "reboot_started": "Rebooting",
    "rebooting_hard": "Rebooting (hard)",
    "reboot_pending_hard": "Rebooting (hard)",
    "reboot_started_hard": "Rebooting (hard)",
}


@dataclass(frozen=True)
class Status:
    """A server's status as shown: ``words`` and a ``tone`` for its colour
    ("ok", "busy", "off", "bad")."""

    words: str
    tone: str
    changing: bool


def status_of(server: Server) -> Status:
    """The status in words: "Building: spawning", "Running", "Error: No host could
    take it", "Deleting"..."""
    task = server.task_state
    changing = not server.is_final
    if task and (task == "deleting" or server.status != "BUILD"):
        words = _TASKS.get(task, task.replace("_", " ").replace("-", " ").capitalize())
        return Status(words, "busy", True)
    if server.status == "BUILD":
        doing = (task or "").replace("_", " ").replace("-", " ")
        return Status(f"Building: {doing}" if doing else "Building", "busy", True)
    if server.status == "ERROR":
        return Status(f"Error: {short_cause(server.fault)}", "bad", changing)
    words = _WORDS.get(server.status, server.status.replace("_", " ").capitalize())
    tone = {"ACTIVE": "ok", "ERROR": "bad"}.get(server.status, "busy" if changing else "off")
    return Status(words, tone, changing)


def state_key(server: Server) -> str:
    """What the page's actions depend on: status and task ("ACTIVE/" when idle)."""
    return f"{server.status}/{server.task_state or ''}"


def age_in_words(value: str | None, *, now: datetime) -> str:
    """How long ago ``value`` (ISO 8601) was: "just now", "3 minutes ago", "2 days ago"."""
    then = parse_time(value)
    if then is None:
        return "—"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 10:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return f"{seconds} seconds ago"


def flavor_of(server: Server, lookups: Lookups) -> Flavor | None:
    """The server's flavor: Nova's embedded copy (2.47+), else looked up by id."""
    return server.flavor or lookups.flavor(server.flavor_id)


def image_label(server: Server, lookups: Lookups) -> str:
    """The image's name, "boot volume" for a server booted from a volume, or the
    image's id when the image is no longer listed."""
    if not server.image_id:
        return "boot volume"
    image = lookups.image(server.image_id)
    return image.name if image else f"image {server.image_id[:8]}"


#: the status fragment's first delays: every 0.5 s for about 10 s...
FAST_POLLS = 20
FAST_DELAY = 0.5
#: ...then each delay 1.5 times the last, up to 5 s
BACKOFF = 1.5
MAX_DELAY = 5.0


def poll_delay(poll: int) -> float:
    """Seconds before the ``poll``-th request for the status (0 is the first)."""
    if poll < FAST_POLLS:
        return FAST_DELAY
    return round(min(MAX_DELAY, FAST_DELAY * BACKOFF ** (poll - FAST_POLLS + 1)), 2)
