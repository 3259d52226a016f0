"""Programs that tests start on loopback ports of their own (redis-server, haproxy,
gunicorn): a free port, and stopping them however the test ended."""

from __future__ import annotations

import shutil
import socket
import subprocess

__all__ = ["free_port", "shutdown", "stop"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop each process (SIGTERM, then SIGKILL after 10 s) and forget them."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    processes.clear()


def shutdown(processes: list[subprocess.Popen[bytes]], folder: str) -> None:
    """Stop the processes and remove their temporary folder."""
    stop(processes)
    shutil.rmtree(folder, ignore_errors=True)
