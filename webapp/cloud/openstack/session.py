"""keystoneauth1 sessions for the OpenStack cloud layer, and counting their calls.

Every HTTP request the cloud layer makes goes through a :class:`CountingSession`
built by :func:`build_session`. It records each request (redirects included) as a
:class:`Call` of ``(method, url, service_type, status)`` into:

* the :class:`CallLog` passed to the session, which
  :class:`~webapp.cloud.openstack.OpenStackProvider` takes as ``call_log=`` (and keeps
  as a public, settable attribute ``provider.call_log``); and
* every log opened with :func:`recording`, a process-wide context manager meant for
  tests and benchmarks that cannot reach the provider::

      with session.recording() as calls:
          client.post("/servers", data=...)
      assert calls.count() <= 15
      assert calls.count("compute") == 2

* every observer added with :func:`add_observer` (process-wide: metrics); and
* the logs opened with :func:`scoped_recording` in the current thread or context
  (one portal request: the audit log's ``x-openstack-request-id`` values).

``service_type`` is the catalog type asked for (``compute``, ``image``, ``network``,
``block-storage``...), or ``identity`` for requests to the Keystone URL. Tokens travel
only in headers, so they never appear in a :class:`Call`.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import dataclasses
import http.cookiejar
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import requests
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import plugin as ks_plugin
from keystoneauth1 import session as ks_session

__all__ = [
    "Call",
    "CallLog",
    "CountingSession",
    "add_observer",
    "build_session",
    "new_http_pool",
    "recording",
    "remove_observer",
    "scoped_recording",
]

#: the headers OpenStack services name a request by (Nova sends both)
REQUEST_ID_HEADERS = ("x-openstack-request-id", "x-compute-request-id")

#: connections kept open per host; the wizard fetches about ten lists at once
POOL_SIZE = 16


@dataclasses.dataclass(frozen=True)
class Call:
    """One upstream HTTP request; ``status`` is None when no answer came.

    ``request_id`` is the service's own id for it (``x-openstack-request-id``), and
    ``seconds`` how long it took (for a redirected request, the whole exchange).
    """

    method: str
    url: str
    service_type: str
    status: int | None
    request_id: str | None = None
    seconds: float = dataclasses.field(default=0.0, compare=False)


class CallLog:
    """A thread-safe record of upstream HTTP requests, for tests and budgets."""

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    def record(self, call: Call) -> None:
        """Add one request."""
        with self._lock:
            self._calls.append(call)

    @property
    def calls(self) -> list[Call]:
        """A copy of the requests recorded so far, oldest first."""
        with self._lock:
            return list(self._calls)

    def count(self, service_type: str | None = None) -> int:
        """How many requests were made (to one service type, if given)."""
        return sum(
            1 for call in self.calls if service_type is None or call.service_type == service_type
        )

    def by_service(self) -> dict[str, int]:
        """Number of requests per service type."""
        return dict(collections.Counter(c.service_type for c in self.calls))

    def clear(self) -> None:
        """Forget everything recorded so far."""
        with self._lock:
            self._calls.clear()

    def __len__(self) -> int:
        return self.count()


_global_logs: list[CallLog] = []
_global_lock = threading.Lock()
_observers: list[Callable[[Call], None]] = []
_scoped_logs: contextvars.ContextVar[tuple[CallLog, ...]] = contextvars.ContextVar(
    "skiff_scoped_call_logs", default=()
)


def add_observer(observer: Callable[[Call], None]) -> None:
    """Tell ``observer`` about every request any session of this process makes
    (from now on; adding the same observer twice has no effect)."""
    with _global_lock:
        if observer not in _observers:
            _observers.append(observer)


def remove_observer(observer: Callable[[Call], None]) -> None:
    """Stop telling ``observer`` about requests (nothing if it was not told)."""
    with _global_lock:
        if observer in _observers:
            _observers.remove(observer)


@contextlib.contextmanager
def scoped_recording() -> Iterator[CallLog]:
    """Record the requests made meanwhile by this thread (or this context: a
    thread started with a copy of it records here too), not by other threads."""
    log = CallLog()
    token = _scoped_logs.set((*_scoped_logs.get(), log))
    try:
        yield log
    finally:
        _scoped_logs.reset(token)


@contextlib.contextmanager
def recording() -> Iterator[CallLog]:
    """Record every request made by any session of this module meanwhile."""
    log = CallLog()
    with _global_lock:
        _global_logs.append(log)
    try:
        yield log
    finally:
        with _global_lock:
            _global_logs.remove(log)


class CountingSession(ks_session.Session):
    """A keystoneauth1 session that reports each request it sends to call logs.

    :param call_log: where to record requests besides the :func:`recording` logs.
    :param identity_url: the Keystone URL, so its requests count as ``identity``.
    """

    def __init__(
        self,
        *,
        call_log: CallLog | None = None,
        identity_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.call_log = call_log
        self._identity_url = identity_url.rstrip("/")

    def request(self, url: str, method: str, *args: Any, **kwargs: Any) -> requests.Response:
        """Send the request as keystoneauth1 does, and record it (and its redirects)."""
        service_type = self._service_type(url, kwargs)
        started = time.perf_counter()
        try:
            response = super().request(url, method, *args, **kwargs)
        except ks_exc.HttpError as exc:
            if exc.response is not None:
                self._record(exc.response, service_type, time.perf_counter() - started)
            raise
        except ks_exc.ConnectionError:
            self._record_failure(method, url, service_type, time.perf_counter() - started)
            raise
        self._record(response, service_type, time.perf_counter() - started)
        return response

    def _service_type(self, url: str, kwargs: dict[str, Any]) -> str:
        endpoint_filter = kwargs.get("endpoint_filter") or {}
        if endpoint_filter.get("service_type"):
            return str(endpoint_filter["service_type"])
        if self._identity_url and url.startswith(self._identity_url):
            return "identity"
        return "unknown"

    def _record(self, response: requests.Response, service_type: str, seconds: float) -> None:
        exchange = [*response.history, response]
        for r in exchange:
            self._emit(
                Call(
                    method=r.request.method or "",
                    url=r.request.url or "",
                    service_type=service_type,
                    status=r.status_code,
                    request_id=_request_id(r),
                    seconds=seconds if r is response else 0.0,
                )
            )

    def _record_failure(self, method: str, url: str, service_type: str, seconds: float) -> None:
        self._emit(Call(method, url, service_type, None, seconds=seconds))

    def _emit(self, call: Call) -> None:
        if self.call_log is not None:
            self.call_log.record(call)
        with _global_lock:
            logs = [*_global_logs, *_scoped_logs.get()]
            observers = list(_observers)
        for log in logs:
            log.record(call)
        for observer in observers:
            observer(call)


def _request_id(response: requests.Response) -> str | None:
    for header in REQUEST_ID_HEADERS:
        value = response.headers.get(header)
        if value:
            return str(value)
    return None


def new_http_pool() -> requests.Session:
    """A requests session to share between keystoneauth sessions.

    Sharing it keeps TCP/TLS connections to the cloud open across portal requests.
    It stores no cookies, so nothing one user's request receives reaches another's.
    """
    pool = requests.Session()
    pool.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    adapter = ks_session.TCPKeepAliveAdapter(pool_connections=POOL_SIZE, pool_maxsize=POOL_SIZE)
    for scheme in ("http://", "https://"):
        pool.mount(scheme, adapter)
    return pool


def build_session(
    *,
    auth: ks_plugin.BaseAuthPlugin | None = None,
    verify: bool | str = True,
    timeout: float | None = None,
    identity_url: str = "",
    call_log: CallLog | None = None,
    http_pool: requests.Session | None = None,
) -> CountingSession:
    """The one place a keystoneauth1 session for the cloud layer is made.

    :param auth: a keystoneauth1 auth plugin, or None to pass one per request.
    :param verify: False, True or the path of a CA bundle.
    :param timeout: seconds to wait for a connection or an answer.
    :param identity_url: the Keystone URL (calls to it count as ``identity``).
    :param call_log: an optional :class:`CallLog` to record requests into.
    :param http_pool: a requests session from :func:`new_http_pool` to reuse.
    """
    return CountingSession(
        auth=auth,
        session=http_pool,
        verify=verify,
        timeout=timeout,
        app_name="skiff",
        identity_url=identity_url,
        call_log=call_log,
    )
