"""A real Redis for tests: Debian's ``redis-server`` on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import weakref
from types import TracebackType

from tests.helpers.processes import free_port
from tests.helpers.processes import shutdown
from tests.helpers.processes import stop
from tests.helpers.skips import unavailable

#: Debian's binary (package ``redis-server``)
BINARY = "/usr/bin/redis-server"

_CONFIG = """\
port {port}
bind 127.0.0.1
protected-mode no
daemonize no
dir {folder}
appendonly yes
appendfsync always
save ""
"""


class RedisServer:
    """A ``redis-server``, started on creation, in a temporary folder; it writes
    every change to its AOF before answering, so :meth:`stop` then :meth:`start`
    keeps the data.

    Use it as a context manager, or call :meth:`close`; it is stopped and its
    folder removed at exit in any case.
    """

    def __init__(self, binary: str = BINARY) -> None:
        if not os.access(binary, os.X_OK):
            unavailable(f"{binary} is missing", "apt-get install redis-server")
        self.binary = binary
        self.folder = tempfile.mkdtemp(prefix="skiff-redis-")
        self.port = free_port()
        self._processes: list[subprocess.Popen[bytes]] = []
        self._finalizer = weakref.finalize(self, shutdown, self._processes, self.folder)
        with open(os.path.join(self.folder, "redis.conf"), "w") as config:
            config.write(_CONFIG.format(port=self.port, folder=self.folder))
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return bool(self._processes) and self._processes[-1].poll() is None

    def start(self, timeout: float = 10.0) -> RedisServer:
        """Start the server (again: same port and folder, so it replays its AOF)
        and wait until it answers PING."""
        if self.running:
            return self
        log = open(os.path.join(self.folder, "redis.log"), "ab")
        with log:
            process = subprocess.Popen(
                [self.binary, os.path.join(self.folder, "redis.conf")],
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._processes.append(process)
        deadline = time.monotonic() + timeout
        while not _answers_ping(self.port):
            if process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start:\n{self.log()}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop the server (SIGTERM) and wait until it is gone."""
        stop(self._processes)

    def close(self) -> None:
        """Stop the server and remove its folder."""
        self._finalizer()

    def log(self) -> str:
        """What the server printed."""
        try:
            with open(os.path.join(self.folder, "redis.log"), errors="replace") as log:
                return log.read()
        except OSError:
            return ""

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _answers_ping(port: int) -> bool:
    """True when Redis answers PONG (not while it refuses or is loading its AOF)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False
