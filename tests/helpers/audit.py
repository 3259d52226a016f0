"""Reading the audit log in tests: an app writing it to a file, its lines parsed,
and a search of the whole log for secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path

from webapp import create_app

#: the keys every JSON audit line has
KEYS = {
    "time",
    "event",
    "outcome",
    "user",
    "project",
    "region",
    "what",
    "request_id",
    "client",
    "openstack_request_ids",
    "error",
}

#: an ISO 8601 UTC time as the audit log writes it
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def audit_app(tmp_path: Path, **config):
    """A demo-cloud portal (as the ``app`` fixture) whose audit log is the file
    ``tmp_path / "audit.log"`` (``config`` may change that and anything else)."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DEMO_BUILD_SECONDS": 0,
        "DEMO_DATABASE": str(tmp_path / "demo.sqlite"),
        "SUBMIT_WAIT": 2,
        "AUDIT_LOG": str(tmp_path / "audit.log"),
        **config,
    }
    return create_app(settings, instance_path=str(tmp_path))


def read_lines(path: Path) -> list[dict]:
    """Every line of a JSON audit log, parsed; each must be one whole JSON object
    with every key, and a UTC time."""
    if not path.exists():
        return []
    lines = []
    for text in path.read_text(encoding="utf-8").splitlines():
        line = json.loads(text)
        assert set(line) == KEYS, text
        assert TIME.fullmatch(line["time"]), text
        lines.append(line)
    return lines


def only(lines: list[dict], event: str, outcome: str | None = None) -> dict:
    """The one line of ``event`` (and ``outcome``); fails unless exactly one."""
    found = [
        line
        for line in lines
        if line["event"] == event and (outcome is None or line["outcome"] == outcome)
    ]
    assert len(found) == 1, (event, outcome, lines)
    return found[0]


def assert_no_secret(log: str, **secrets: str) -> None:
    """None of ``secrets`` (name -> value) appears in ``log``, whole or as any of
    its lines (a private key or a script is searched line by line too)."""
    for name, value in secrets.items():
        assert value, f"the test has no {name} to look for"
        pieces = {value, *(line.strip() for line in value.splitlines() if len(line.strip()) > 8)}
        for piece in pieces:
            assert piece not in log, f"the audit log holds the {name}: {piece[:20]}..."
