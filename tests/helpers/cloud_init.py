"""cloud-init itself, as Debian's ``cloud-init`` package installs it, checking
what the helper makes: its JSON schema (with ``jsonschema``), its command
``cloud-init schema``, and its own reading of multi-part user data (run with the
system's Python, where the package lives). Missing: skipped, failed on CI."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

import jsonschema

from tests.helpers.skips import unavailable

PACKAGE = Path("/usr/lib/python3/dist-packages/cloudinit")
SCHEMA = PACKAGE / "config/schemas/schema-cloud-config-v1.json"
CLOUD_INIT = Path("/usr/bin/cloud-init")
SYSTEM_PYTHON = "/usr/bin/python3"
MISSING = "Debian's cloud-init package is not installed: apt-get install cloud-init"

#: run by the system's Python: cloud-init's UserDataProcessor on the user data
#: read from stdin; prints each document it found, its type and its text
READ_USER_DATA = """
import json, sys, tempfile
from cloudinit.helpers import Paths
from cloudinit.user_data import UserDataProcessor

with tempfile.TemporaryDirectory() as cloud_dir:  # an instance's folders: none here
    paths = Paths({"cloud_dir": cloud_dir})
    message = UserDataProcessor(paths).process(sys.stdin.buffer.read())
parts = []
for part in message.walk():
    if part.get_content_maintype() == "multipart":
        continue
    payload = part.get_payload(decode=True)
    parts.append({
        "type": part.get_content_type(),
        "filename": part.get_filename(),
        "text": payload.decode("utf-8", "surrogateescape"),
    })
print(json.dumps(parts))
"""


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def schema_errors(document: object) -> list[str]:
    """What cloud-init's JSON schema finds wrong in a loaded cloud-config."""
    if not SCHEMA.exists():
        unavailable(MISSING, f"no {SCHEMA}")
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in _validator().iter_errors(document)
    ]


def cloud_init_schema(path: Path) -> subprocess.CompletedProcess[str]:
    """``cloud-init schema --config-file path``: its exit status and words."""
    if not CLOUD_INIT.exists():
        unavailable(MISSING, f"no {CLOUD_INIT}")
    return subprocess.run(
        [str(CLOUD_INIT), "schema", "--config-file", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def cloud_init_parts(user_data: str | bytes) -> list[dict[str, str]]:
    """The documents cloud-init finds in ``user_data``: type, filename, text."""
    if not PACKAGE.exists():
        unavailable(MISSING, f"no {PACKAGE}")
    data = user_data.encode() if isinstance(user_data, str) else user_data
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", READ_USER_DATA],
        input=data,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return json.loads(done.stdout)
