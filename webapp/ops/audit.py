"""The audit log: one structured line per login, logout, project switch, launch
and server action, for an operator to follow a user's act to Nova's request ids.

The views tell :mod:`webapp.events` what happened; this module listens and
writes, through the Python logger ``skiff.audit`` (not propagated to the root
logger), one line per event to ``AUDIT_LOG``: ``-`` for stderr, a file path, or
an empty string for no audit log at all. ``AUDIT_FORMAT`` chooses JSON lines
(``json``) or ``key=value`` pairs (``text``). A line holds:

``time`` (UTC, ISO 8601), ``event`` (login, logout, project_switch, launch,
server_action), ``outcome``, ``user`` (name and id), ``project`` (name and id),
``region`` (the user's, when the cloud has regions; else null), ``what`` (the
launch's server ids, name, count, flavor, source, networks and seconds; the
action and its server ids), ``request_id`` (Skiff's, as in
``X-Request-ID``), ``client`` (the client's address, the proxy's unless
``PROXIES`` is set), ``openstack_request_ids`` (every ``x-openstack-request-id``
of the upstream calls this portal request made so far: Keystone's for a login,
Nova's POST /servers for a launch) and ``error`` (the message shown, or null).

Lines are built from those fields only, never by dumping an object: no token,
password, private key, administrator password or user data can reach them.

A file is opened once per process in append mode (``O_APPEND``, mode 0640 when
created), and each line is one ``write``, so the workers of a gunicorn master
may share it; when the file is moved or deleted (logrotate), the next line
opens it again at its path.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import logging
import os
import re
import sys
import threading
from typing import Any

from flask import Flask
from flask import g
from flask import has_request_context
from flask import request

from webapp import events
from webapp.cloud.models import Identity
from webapp.cloud.openstack.session import CallLog
from webapp.cloud.openstack.session import scoped_recording
from webapp.i18n import operator_text
from webapp.request_ids import request_id

__all__ = ["FORMATS", "LOGGER_NAME", "AppendingFile", "entry", "format_line", "init_app"]

#: the logger every audit line goes through
LOGGER_NAME = "skiff.audit"
#: the values AUDIT_FORMAT may take
FORMATS = ("json", "text")
#: file mode of an audit log this module creates (before the umask)
FILE_MODE = 0o640
#: the longest user name or error message a line keeps
MAX_TEXT = 500

_EXTENSION = "skiff.audit"
_DESTINATION = "skiff_audit_to"  # the log record's attribute naming its handler
_BARE = re.compile(r"[A-Za-z0-9._:/@+,-]+")
_handlers: dict[str, logging.Handler] = {}
_handlers_lock = threading.Lock()


@dataclasses.dataclass(frozen=True)
class _Settings:
    destination: str  # "-" or an absolute path
    format: str


def init_app(app: Flask) -> None:
    """Write the app's audit lines as configured (nothing when ``AUDIT_LOG`` is
    empty); register before the hooks and views whose cloud calls should count."""
    where = str(app.config["AUDIT_LOG"] or "")
    form = str(app.config["AUDIT_FORMAT"])
    if form not in FORMATS:
        raise ValueError(f"AUDIT_FORMAT must be one of {FORMATS}, not {form!r}")
    if not where:
        return
    destination = "-" if where == "-" else os.path.abspath(where)
    _handler(destination)
    app.extensions[_EXTENSION] = _Settings(destination, form)
    app.before_request(_record_calls)
    app.teardown_request(_stop_recording)
    for signal, listener in _LISTENERS:
        # Strong references: these are module functions, told only of this app.
        signal.connect(listener, sender=app, weak=False)


def entry(
    event: str,
    outcome: str,
    *,
    identity: Identity | None,
    user_name: str | None = None,
    what: dict[str, Any] | None = None,
    error: object = None,
) -> dict[str, Any]:
    """One audit line as a dict, from explicitly chosen fields only."""
    return {
        "time": _now(),
        "event": event,
        "outcome": outcome,
        "user": {
            "name": identity.user_name if identity else _clip(user_name),
            "id": identity.user_id if identity else None,
        },
        "project": {
            "name": identity.project_name if identity else None,
            "id": identity.project_id if identity else None,
        },
        "region": (identity.region or None) if identity else None,
        "what": what or {},
        "request_id": request_id(),
        "client": request.remote_addr if has_request_context() else None,
        "openstack_request_ids": _openstack_request_ids(),
        "error": _clip(error),
    }


def format_line(line: dict[str, Any], form: str) -> str:
    """``line`` as JSON, or as ``key=value`` pairs (``text``), on one line."""
    if form == "json":
        return json.dumps(line, separators=(",", ":"))
    pairs = {
        "time": line["time"],
        "event": line["event"],
        "outcome": line["outcome"],
        "user": line["user"]["name"],
        "user_id": line["user"]["id"],
        "project": line["project"]["name"],
        "project_id": line["project"]["id"],
        "region": line["region"],
        **line["what"],
        "request_id": line["request_id"],
        "client": line["client"],
        "openstack_request_ids": line["openstack_request_ids"],
        "error": line["error"],
    }
    return " ".join(f"{key}={_text_value(value)}" for key, value in pairs.items())


# -- the listeners -----------------------------------------------------------------


def _on_login(
    app: Flask,
    *,
    user_name: str,
    identity: Identity | None,
    outcome: str,
    error: object = None,
    **_extra: Any,
) -> None:
    _write(app, entry("login", outcome, identity=identity, user_name=user_name, error=error))


def _on_logout(app: Flask, *, identity: Identity, **_extra: Any) -> None:
    _write(app, entry("logout", "success", identity=identity))


def _on_project_switched(
    app: Flask, *, identity: Identity, outcome: str, error: object = None, **_extra: Any
) -> None:
    _write(app, entry("project_switch", outcome, identity=identity, error=error))


def _on_launch(
    app: Flask,
    *,
    identity: Identity,
    outcome: str,
    server_ids: list[str] | None = None,
    details: dict[str, Any] | None = None,
    seconds: float | None = None,
    error: object = None,
    **_extra: Any,
) -> None:
    details = details or {}
    what = {
        "server_ids": list(server_ids or []),
        "name": _clip(details.get("name")),
        "count": details.get("count"),
        "flavor": details.get("flavor"),
        "source_type": details.get("source_type"),
        "source_id": details.get("source_id"),
        "networks": details.get("networks"),
        "seconds": None if seconds is None else round(seconds, 3),
    }
    _write(app, entry("launch", outcome, identity=identity, what=what, error=error))


def _on_server_action(
    app: Flask,
    *,
    identity: Identity,
    action: str,
    server_ids: list[str],
    outcome: str,
    error: object = None,
    **_extra: Any,
) -> None:
    what = {"action": action, "server_ids": list(server_ids)}
    _write(app, entry("server_action", outcome, identity=identity, what=what, error=error))


_LISTENERS = (
    (events.login, _on_login),
    (events.logout, _on_logout),
    (events.project_switched, _on_project_switched),
    (events.launch, _on_launch),
    (events.server_action, _on_server_action),
)


def _write(app: Flask, line: dict[str, Any]) -> None:
    """Log one line; an audit log that cannot be written never fails the request."""
    settings: _Settings = app.extensions[_EXTENSION]
    try:
        text = format_line(line, settings.format)
        logging.getLogger(LOGGER_NAME).info(text, extra={_DESTINATION: settings.destination})
    except Exception:  # noqa: BLE001 - listeners must not raise
        app.logger.exception("the audit line for %s was not written", line.get("event"))


# -- the upstream calls of this request ---------------------------------------------


def _record_calls() -> None:
    stack = contextlib.ExitStack()
    g.skiff_audit_calls = stack.enter_context(scoped_recording())
    g.skiff_audit_stack = stack


def _stop_recording(_error: BaseException | None) -> None:
    stack: contextlib.ExitStack[None] | None = g.pop("skiff_audit_stack", None)
    if stack is not None:
        stack.close()


def _openstack_request_ids() -> list[str]:
    """The distinct request ids of this request's upstream calls, oldest first."""
    calls: CallLog | None = g.get("skiff_audit_calls") if has_request_context() else None
    if calls is None:
        return []
    return list(dict.fromkeys(c.request_id for c in calls.calls if c.request_id))


# -- formatting ------------------------------------------------------------------------


def _now() -> str:
    moment = datetime.datetime.now(datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _clip(text: object) -> str | None:
    return None if text is None else operator_text(text)[:MAX_TEXT]


def _text_value(value: object) -> str:
    """A value of a ``key=value`` line: bare when plain, else a JSON string (so
    spaces, quotes and line breaks cannot forge another pair or line)."""
    if value is None or value == []:
        return "-"
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    text = str(value)
    return text if _BARE.fullmatch(text) else json.dumps(text)


# -- where lines go ----------------------------------------------------------------------


def _handler(destination: str) -> logging.Handler:
    """The process's handler for ``destination``, made (and the file opened) once."""
    with _handlers_lock:
        handler = _handlers.get(destination)
        if handler is None:
            handler = _StandardError() if destination == "-" else AppendingFile(destination)
            handler.setFormatter(logging.Formatter("%(message)s"))
            handler.addFilter(_For(destination))
            logger = logging.getLogger(LOGGER_NAME)
            logger.setLevel(logging.INFO)
            logger.propagate = False
            logger.addHandler(handler)
            _handlers[destination] = handler
        return handler


class _For(logging.Filter):
    """Lets through the lines of one destination only (apps in one process may
    write to different files)."""

    def __init__(self, destination: str) -> None:
        super().__init__()
        self.destination = destination

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, _DESTINATION, None) == self.destination


class _StandardError(logging.StreamHandler[Any]):
    """Writes to whatever ``sys.stderr`` is at the time (as logging's last resort)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class AppendingFile(logging.Handler):
    """A log file shared by processes: ``O_APPEND``, one ``write`` per line, and
    opened again at its path once it was rotated away."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self._fd = -1
        self._opened: tuple[int, int] = (0, 0)
        self._open()

    def _open(self) -> None:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
        self._fd = os.open(self.path, flags, FILE_MODE)
        stat = os.fstat(self._fd)
        self._opened = (stat.st_dev, stat.st_ino)

    def _reopen_if_moved(self) -> None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            moved = True
        else:
            moved = (stat.st_dev, stat.st_ino) != self._opened
        if moved:
            os.close(self._fd)
            self._open()

    def emit(self, record: logging.LogRecord) -> None:
        """Append the line with one ``write`` (more only if the kernel wrote part)."""
        try:
            data = memoryview((self.format(record) + "\n").encode("utf-8"))
            self._reopen_if_moved()
            while data:
                data = data[os.write(self._fd, data) :]
        except Exception:  # noqa: BLE001 - logging's own convention
            self.handleError(record)

    def close(self) -> None:
        """Close the file."""
        with contextlib.suppress(OSError):
            if self._fd >= 0:
                os.close(self._fd)
        self._fd = -1
        super().close()
