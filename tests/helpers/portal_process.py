"""The portal as a production host runs it: gunicorn in its own process, for tests
that need several hosts (each with its own instance folder and access log)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import requests
from gunicorn.config import KNOWN_SETTINGS

from tests.helpers.processes import free_port

#: the repository's root: where ``webapp`` and ``wsgi.py`` are
ROOT = Path(__file__).resolve().parents[2]

_HAS_CONTROL_SOCKET = any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS)


class PortalProcess:
    """``gunicorn --workers 2 --threads 4`` (as ``make run`` starts it) serving
    ``webapp.create_app`` on a free loopback port, with everything it keeps in
    ``instance_path`` and every request it answers in ``access_log``.

    :param env: its settings (``SKIFF_<NAME>``), in place of any the test process has.
    """

    def __init__(self, name: str, instance_path: Path, env: Mapping[str, str]) -> None:
        self.name = name
        self.instance_path = instance_path
        self.port = free_port()
        self.access_log = instance_path / "access.log"
        self.error_log = instance_path / "gunicorn.log"
        # Only the given settings: none of the caller's (a real cloud's URL, say).
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("SKIFF_")}
        self.env = {**inherited, **env}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 30.0) -> PortalProcess:
        """Start gunicorn and wait until the login page answers 200."""
        self.instance_path.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            self.address,
            "--workers",
            "2",
            "--threads",
            "4",
            "--graceful-timeout",
            "10",
            "--access-logfile",
            str(self.access_log),
            "--error-logfile",
            str(self.error_log),
            "--chdir",
            str(ROOT),
            # gunicorn calls the factory with these literal arguments
            f"webapp:create_app(instance_path={str(self.instance_path)!r})",
        ]
        if _HAS_CONTROL_SOCKET:
            # Newer gunicorn (27) opens ~/.gunicorn/gunicorn.ctl: one path for all masters.
            command.insert(-1, "--no-control-socket")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while not self._answers():
            if not self.running or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn {self.name} did not start:\n{self.log()}")
            time.sleep(0.1)
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (gunicorn's graceful shutdown) and wait until it is gone;
        SIGKILL to the whole process group if it takes longer than ``timeout``."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def requests_from(self, user_agent: str) -> list[str]:
        """The request lines (``GET /path HTTP/1.1``) of the access log whose
        User-Agent is ``user_agent`` (leaving out haproxy's health checks)."""
        try:
            lines = self.access_log.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return []
        # gunicorn's default format: ... "request line" status size "referer" "agent"
        return [
            line.split('"')[1] for line in lines if line.endswith(f'"{user_agent}"') and '"' in line
        ]

    def log(self) -> str:
        """What gunicorn and the app logged (the last 4000 characters)."""
        try:
            return self.error_log.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""

    def _answers(self) -> bool:
        with requests.Session() as http:
            http.trust_env = False  # no proxy for a loopback address
            try:
                response = http.get(f"{self.url}/auth/login", timeout=2, allow_redirects=False)
            except requests.RequestException:
                return False
        return response.status_code == 200
