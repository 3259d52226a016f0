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
from webapp.i18n import LazyString
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.i18n import ngettext

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

#: Nova statuses the list can be filtered by (the code, which the filter's URL
#: carries), with their words (lazy: in the language of the request showing them)
STATUS_FILTERS: tuple[tuple[str, LazyString], ...] = (
    ("ACTIVE", _l("Running")),
    ("BUILD", _l("Building")),
    ("SHUTOFF", _l("Stopped")),
    ("ERROR", _l("Error")),
    ("REBOOT", _l("Rebooting")),
    ("HARD_REBOOT", _l("Rebooting (hard)")),
    ("PAUSED", _l("Paused")),
    ("SUSPENDED", _l("Suspended")),
)

_WORDS = dict(STATUS_FILTERS)

#: a task in progress on a server that is not building -> what it does
_TASKS = {
    "deleting": _l("Deleting"),
    "powering-off": _l("Stopping"),
    "powering-on": _l("Starting"),
    "rebooting": _l("Rebooting"),
    "reboot_pending": _l("Rebooting"),
    "reboot_started": _l("Rebooting"),
    "rebooting_hard": _l("Rebooting (hard)"),
    "reboot_pending_hard": _l("Rebooting (hard)"),
    "reboot_started_hard": _l("Rebooting (hard)"),
}

#: a task of a server that is building -> what it does (other tasks: their code
#: in words, as Nova names them)
_BUILD_TASKS = {
    "scheduling": _l("scheduling"),
    "block_device_mapping": _l("block device mapping"),
    "networking": _l("networking"),
    "spawning": _l("spawning"),
}


@dataclass(frozen=True)
class Status:
    """A server's status as shown: ``words`` (in the request's language; the
    status code itself is the server's ``status``) and a ``tone`` for its colour
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
        words = str(_TASKS.get(task, task.replace("_", " ").replace("-", " ").capitalize()))
        return Status(words, "busy", True)
    if server.status == "BUILD":
        if not task:
            return Status(_("Building"), "busy", True)
        doing = str(_BUILD_TASKS.get(task, task.replace("_", " ").replace("-", " ")))
        # Translators: %(task)s is what the server is doing, e.g. "spawning".
        return Status(_("Building: %(task)s", task=doing), "busy", True)
    if server.status == "ERROR":
        # Translators: %(cause)s is the likely cause of the error, in a few words.
        return Status(_("Error: %(cause)s", cause=short_cause(server.fault)), "bad", changing)
    words = str(_WORDS.get(server.status, server.status.replace("_", " ").capitalize()))
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
        return _("just now")
    if seconds >= 86400:
        return ngettext("%(num)d day ago", "%(num)d days ago", seconds // 86400)
    if seconds >= 3600:
        return ngettext("%(num)d hour ago", "%(num)d hours ago", seconds // 3600)
    if seconds >= 60:
        return ngettext("%(num)d minute ago", "%(num)d minutes ago", seconds // 60)
    return ngettext("%(num)d second ago", "%(num)d seconds ago", seconds)


def flavor_of(server: Server, lookups: Lookups) -> Flavor | None:
    """The server's flavor: Nova's embedded copy (2.47+), else looked up by id."""
    return server.flavor or lookups.flavor(server.flavor_id)


def image_label(server: Server, lookups: Lookups) -> str:
    """The image's name, "boot volume" for a server booted from a volume, or the
    image's id when the image is no longer listed."""
    if not server.image_id:
        return _("boot volume")
    image = lookups.image(server.image_id)
    # Translators: %(id)s is the start of an image's id.
    return image.name if image else _("image %(id)s", id=server.image_id[:8])


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
