"""A real load balancer for tests: Debian's ``haproxy`` in the foreground, in
front of several portal processes, round robin and without stickiness."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import weakref
from collections.abc import Mapping

from tests.helpers.processes import free_port

# One way to stop a server process and drop its folder, for both kinds of server.
from tests.helpers.processes import shutdown
from tests.helpers.processes import stop
from tests.helpers.skips import unavailable

#: Debian's binary (package ``haproxy``)
BINARY = "/usr/sbin/haproxy"

_CONFIG = """\
global
    maxconn 256
    stats socket {folder}/admin.sock mode 600 level admin

defaults
    mode http
    option redispatch
    retries 3
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    timeout http-request 5s
    timeout queue 5s
    timeout check 1s

frontend portal
    bind 127.0.0.1:{port}
    default_backend portal

backend portal
    balance roundrobin
    option httpchk GET /auth/login
{servers}
"""

_SERVER = "    server {name} {address} check inter 200ms fall 1 rise 1"


def config(port: int, servers: Mapping[str, str], folder: str) -> str:
    """The configuration: listen on ``port``, spread requests over ``servers``
    (name -> ``host:port``) in turn, no stickiness; a server fails one health
    check (every 200 ms) and is out, passes one and is back; a request a server
    refuses goes to another (up to 3 retries)."""
    lines = "\n".join(_SERVER.format(name=n, address=a) for n, a in servers.items())
    return _CONFIG.format(port=port, servers=lines, folder=folder)


class HAProxy:
    """``haproxy -f <config> -db`` on a free loopback port, in a temporary folder.

    Use it as a context manager, or call :meth:`close`; it is stopped and its
    folder removed at exit in any case.

    :param servers: name -> ``host:port`` of each backend server.
    """

    def __init__(self, servers: Mapping[str, str], binary: str = BINARY) -> None:
        if not os.access(binary, os.X_OK):
            unavailable(f"{binary} is missing", "apt-get install haproxy")
        self.binary = binary
        self.servers = dict(servers)
        self.folder = tempfile.mkdtemp(prefix="skiff-haproxy-")
        self.port = free_port()
        self.config_path = os.path.join(self.folder, "haproxy.cfg")
        self._processes: list[subprocess.Popen[bytes]] = []
        self._finalizer = weakref.finalize(self, shutdown, self._processes, self.folder)
        with open(self.config_path, "w") as file:
            file.write(config(self.port, self.servers, self.folder))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def config(self) -> str:
        with open(self.config_path) as file:
            return file.read()

    def start(self, timeout: float = 10.0) -> HAProxy:
        """Start haproxy and wait until every server has passed its health check."""
        with open(os.path.join(self.folder, "haproxy.log"), "ab") as log:
            process = subprocess.Popen(
                [self.binary, "-f", self.config_path, "-db"],
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._processes.append(process)
        self.wait_for(dict.fromkeys(self.servers, "UP"), timeout=timeout)
        return self

    def stop(self) -> None:
        """Stop haproxy (SIGTERM) and wait until it is gone."""
        stop(self._processes)

    def close(self) -> None:
        """Stop haproxy and remove its folder."""
        self._finalizer()

    def states(self) -> dict[str, str]:
        """Each server's state as haproxy sees it (``UP``, ``DOWN``, ...)."""
        lines = self._command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {row["svname"]: row["status"] for row in rows if row["svname"] in self.servers}

    def wait_for(self, states: Mapping[str, str], timeout: float = 10.0) -> None:
        """Wait until haproxy sees each server named in ``states`` in that state."""
        deadline = time.monotonic() + timeout
        while True:
            if not self._processes or self._processes[-1].poll() is not None:
                raise RuntimeError(f"haproxy is not running:\n{self.log()}")
            try:
                seen = self.states()
            except OSError:
                seen = {}
            if all(seen.get(name) == state for name, state in states.items()):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"haproxy sees {seen}, not {dict(states)}:\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        """What haproxy printed."""
        try:
            with open(os.path.join(self.folder, "haproxy.log"), errors="replace") as log:
                return log.read()[-4000:]
        except OSError:
            return ""

    def _command(self, command: str) -> str:
        """Send one command to the stats socket; its answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(os.path.join(self.folder, "admin.sock"))
            sock.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode(errors="replace")

    def __enter__(self) -> HAProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
