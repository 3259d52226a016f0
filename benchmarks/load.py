"""The load generator of ``step_swap.py``, and what it counts.

Each :class:`Target` is one request repeated on one keep-alive connection
(Python's ``http.client``) by one thread; a :class:`LoadGenerator` runs the
threads in several processes, so that the client does not wait on its own GIL,
and counts the 200 answers completed within the phase. A :class:`Side` is one
server's route under load, with its figures per round: requests a second and the
CPU its gunicorn workers used per answer.
"""

from __future__ import annotations

import gzip
import http.client
import multiprocessing
import os
import signal
import subprocess
import threading
import time
import zlib
from dataclasses import dataclass
from dataclasses import field

from benchmarks import serving

#: what Chromium sends; the portal answers a panel with zstd (see page_weight.py)
ACCEPT_ENCODING = "gzip, deflate, br, zstd"


@dataclass(frozen=True)
class Target:
    """One request, repeated on one connection: a client's step swap, or a GET."""

    port: int
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None
    expect: bytes = b""  # in the first answer's (decoded) body
    #: the multipart boundary of ``body``, replaced by a new one for each request
    #: as browsers do (Werkzeug compiles two regular expressions for each boundary)
    boundary: str | None = None

    def fresh(self) -> tuple[bytes | None, dict[str, str]]:
        """The body and headers of the next request: a new boundary, if any."""
        if self.boundary is None:
            return self.body, self.headers
        boundary = f"----SkiffBench{os.urandom(12).hex()}"
        body = (self.body or b"").replace(self.boundary.encode(), boundary.encode())
        headers = {**self.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        return body, headers


def get(port: int, path: str, expect: bytes = b"") -> Target:
    """``GET path``, accepting the encodings a browser accepts."""
    return Target(port, "GET", path, {"Accept-Encoding": ACCEPT_ENCODING}, expect=expect)


def decoded(body: bytes, encoding: str | None) -> bytes:
    """A response body without its content encoding."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli  # Flask-Compress's dependency

        return brotli.decompress(body)
    if encoding == "zstd":
        try:
            from compression import zstd  # Python 3.14
        except ImportError:
            from backports import zstd  # Flask-Compress's dependency before 3.14
        return zstd.decompress(body)
    return body


@dataclass(frozen=True)
class Answer:
    """One answer to a target's request: status, encoding, body as sent and decoded."""

    status: int
    encoding: str
    sent: bytes
    body: bytes

    def __str__(self) -> str:
        return f"{self.status}, {len(self.sent)} B as {self.encoding} ({len(self.body)} B raw)"


def ask(target: Target) -> Answer:
    """Send a target's request once, on a connection of its own."""
    connection = connect(target)
    body, headers = target.fresh()
    try:
        connection.request(target.method, target.path, body, headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    encoding = response.getheader("Content-Encoding", "identity")
    return Answer(response.status, encoding, data, decoded(data, encoding))


@dataclass
class Count:
    """What the connections of one load phase did."""

    ok: int = 0  # 200 answers completed in the phase
    other: int = 0  # other answers, and connections lost
    client_cpu: float = 0.0  # seconds of CPU the load generator used
    problems: list[str] = field(default_factory=list)

    def failed(self, problem: str) -> None:
        """Count a failed request, and keep what went wrong (the first few)."""
        self.other += 1
        if len(self.problems) < 10:
            self.problems.append(problem)

    def add(self, other: Count) -> None:
        """Add another process's or connection's count to this one."""
        self.ok += other.ok
        self.other += other.other
        self.client_cpu += other.client_cpu
        self.problems += other.problems


def connect(target: Target) -> http.client.HTTPConnection:
    """A new connection to the target's server."""
    connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
    connection.connect()
    return connection


def _hammer(target: Target, start: float, end: float, count: Count) -> None:
    """Repeat ``target`` on one keep-alive connection from ``start`` to ``end``
    (``time.time()``), counting the answers completed in between."""
    try:
        connection = connect(target)
    except OSError as error:
        count.failed(f"{type(error).__name__}: {error}")
        return
    first = True
    time.sleep(max(0.0, start - time.time()))
    try:
        while True:
            body, headers = target.fresh()
            try:
                connection.request(target.method, target.path, body, headers)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                if time.time() >= end:
                    return
                count.failed(f"{type(error).__name__}: {error}")
                connection.close()
                connection = connect(target)
                continue
            if time.time() >= end:
                return
            if response.status != 200:
                count.failed(f"{target.method} {target.path}: {response.status}")
                continue
            if first:
                body = decoded(data, response.getheader("Content-Encoding"))
                if target.expect not in body:
                    count.failed(f"unexpected answer: {body[:200]!r}")
                    return
                first = False
            count.ok += 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = connect(target)
    finally:
        connection.close()


def _load_process(targets: list[Target], start: float, duration: float) -> Count:
    """One load generator process: a thread a target."""
    cpu = time.process_time()
    counts = [Count() for _ in targets]
    threads = [
        threading.Thread(target=_hammer, args=(target, start, start + duration, count))
        for target, count in zip(targets, counts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Count(client_cpu=time.process_time() - cpu)
    for count in counts:
        total.add(count)
    return total


def _worker_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # which it does with SIGTERM


class LoadGenerator:
    """``processes`` processes of threads, each thread one keep-alive connection."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        context = multiprocessing.get_context("fork")
        self.pool = context.Pool(processes, initializer=_worker_signals)

    def run(self, targets: list[Target], seconds: float) -> Count:
        """Put load from all ``targets`` at once for ``seconds``; what it got."""
        start = time.time() + 0.3  # every connection opened and waiting
        shares = [targets[i :: self.processes] for i in range(self.processes)]
        total = Count()
        for count in self.pool.starmap(_load_process, [(s, start, seconds) for s in shares]):
            total.add(count)
        return total

    def close(self) -> None:
        """Stop the processes."""
        self.pool.terminate()
        self.pool.join()


def server_cpu(master: subprocess.Popen) -> float:
    """Seconds of CPU used so far by the worker processes of a gunicorn master."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master.pid:  # ppid; then utime and stime, fields 14 and 15
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@dataclass
class Side:
    """One route of one server under load: its name, its requests (one a
    connection), its figures per round."""

    name: str
    server: serving.Server
    targets: list[Target]
    rates: list[float] = field(default_factory=list)
    cpu_per_request: list[float] = field(default_factory=list)
    client_cpu: list[float] = field(default_factory=list)  # share of one core
    failed: int = 0
    problems: list[str] = field(default_factory=list)

    def load(self, generator: LoadGenerator, seconds: float, record: bool = True) -> None:
        """One phase of load; its figures kept when ``record``."""
        cpu = server_cpu(self.server.process)
        count = generator.run(self.targets, seconds)
        cpu = server_cpu(self.server.process) - cpu
        if count.ok == 0:
            raise SystemExit(f"{self.name}: no answer of 200 in {seconds} s: {count.problems[:5]}")
        if not record:
            return
        self.rates.append(count.ok / seconds)
        self.cpu_per_request.append(cpu / count.ok)
        self.client_cpu.append(count.client_cpu / seconds)
        self.failed += count.other
        self.problems += count.problems
