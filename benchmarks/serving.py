"""Serving an app with gunicorn for a benchmark, on a free loopback port.

Shared by the benchmarks that measure the app as production serves it
(``page_weight.py``, ``step_swap.py``): gunicorn with the worker settings of
``make run``, started in the repository root and stopped when the ``with`` ends,
whatever ends it; and a Redis server for the portal's state, stopped likewise.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: gunicorn's worker settings, as ``make run`` has them (its default WORKERS)
WORKERS = 2
THREADS = 4
REDIS_SERVER = "/usr/bin/redis-server"


@dataclass(frozen=True)
class Server:
    """A running gunicorn: where it answers and its master process."""

    url: str
    port: int
    process: subprocess.Popen


def free_port() -> int:
    """A TCP port of the loopback interface that nobody listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen | None, timeout: float = 20) -> None:
    """Wait until something accepts connections on ``port``; exit if ``process``
    ends first or nothing listens within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise SystemExit(f"the server did not listen on port {port} within {timeout} s")


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a process (SIGTERM, then SIGKILL after ``timeout`` s) and reap it."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def gunicorn(
    app: str,
    folder: str,
    *,
    access_log: bool = False,
    env: dict[str, str] | None = None,
    new_session: bool = False,
) -> Iterator[Server]:
    """Serve ``app`` (gunicorn's ``module:variable`` or ``module:factory(...)``)
    with ``make run``'s workers and threads on a free loopback port.

    Its output goes to ``folder/gunicorn.log`` (printed, its end, if it does not
    start); with ``access_log``, one line a request goes to ``folder/access.log``,
    as ``make run`` writes one to its output. With ``new_session``, it runs in a
    session of its own: Ctrl-C then reaches the caller only, which stops it when
    the ``with`` ends (instead of the server dying under the caller's requests).
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--chdir",
        ROOT,
    ]
    if access_log:
        command += ["--access-logfile", os.path.join(folder, "access.log")]
    command.append(app)
    log = open(os.path.join(folder, "gunicorn.log"), "w+")  # noqa: SIM115
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=new_session,
    )
    try:
        try:
            wait_for_port(port, process)
        except SystemExit:
            log.seek(0)
            print(log.read()[-4000:], file=sys.stderr)
            raise
        yield Server(url=f"http://127.0.0.1:{port}", port=port, process=process)
    finally:
        log.close()
        stop(process)


def has_redis() -> bool:
    """Whether :func:`redis_server` can start one (``redis-server`` is installed)."""
    return os.access(REDIS_SERVER, os.X_OK)


@contextlib.contextmanager
def redis_server(folder: str) -> Iterator[str]:
    """A ``redis-server`` on a free loopback port, its files in ``folder``; its URL.

    Its append-only file is synced every second (Redis's default), as SQLite's
    WAL with ``synchronous = NORMAL`` syncs at checkpoints, not at each commit.
    """
    port = free_port()
    command = [
        REDIS_SERVER,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        folder,
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
    ]
    with open(os.path.join(folder, "redis.log"), "wb") as log:
        process = subprocess.Popen(
            command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_for_port(port, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)
