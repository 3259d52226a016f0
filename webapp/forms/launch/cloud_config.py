"""cloud-init's documents: the ``#cloud-config`` the Configuration step's helper
makes, and the MIME multi-part that carries it together with a script.

:func:`cloud_config` turns the helper's choices (:class:`Helper`) into a
``#cloud-config`` YAML document (PyYAML's safe dumper quotes whatever needs it);
:func:`multipart` puts a cloud-config and a script into one MIME message, which
cloud-init splits into its documents (``cloud-init devel make-mime`` makes the
same kind of message). Nothing here knows WTForms or Flask.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from email.charset import QP
from email.charset import Charset
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Any

import yaml

__all__ = [
    "HEADER",
    "SUDO_ALL",
    "Helper",
    "cloud_config",
    "fingerprint",
    "is_mime",
    "lines",
    "multipart",
    "part_type",
    "split_packages",
]

#: the first line that makes user data a cloud-config for cloud-init
HEADER = "#cloud-config"
#: what the helper's sudo checkbox gives the user
SUDO_ALL = "ALL=(ALL) NOPASSWD:ALL"
GZIP_MAGIC = b"\x1f\x8b"
#: how far cloud-init looks for a MIME header in user data
MIME_HEAD = 4096


@dataclass(frozen=True)
class Helper:
    """The helper's choices: OS updates, packages, one user (with SSH keys and
    sudo), the time zone and commands run once at first boot."""

    updates: bool = False
    packages: tuple[str, ...] = ()
    user: str = ""
    ssh_keys: tuple[str, ...] = ()
    sudo: bool = False
    timezone: str = ""
    commands: tuple[str, ...] = ()


def split_packages(text: str | None) -> tuple[str, ...]:
    """Package names typed with spaces, commas or new lines between them."""
    return tuple(name for name in re.split(r"[\s,]+", text or "") if name)


def lines(text: str | None) -> tuple[str, ...]:
    """The non-blank lines of ``text``, without the spaces around them."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def cloud_config(helper: Helper) -> str | None:
    """The ``#cloud-config`` document of the helper's choices, None when it has
    none. A user is added after the image's default user (``default``), who
    keeps the key pair of Access & Security."""
    document: dict[str, Any] = {}
    if helper.updates:
        document["package_update"] = True
        document["package_upgrade"] = True
    if helper.packages:
        document["packages"] = list(helper.packages)
    if helper.timezone:
        document["timezone"] = helper.timezone
    if helper.user:
        user: dict[str, Any] = {"name": helper.user}
        if helper.sudo:
            user["sudo"] = SUDO_ALL
        if helper.ssh_keys:
            user["ssh_authorized_keys"] = list(helper.ssh_keys)
        # Without "default" cloud-init would not make the image's own user.
        document["users"] = ["default", user]
    if helper.commands:
        document["runcmd"] = list(helper.commands)
    if not document:
        return None
    body = yaml.safe_dump(
        document,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,  # an SSH key or a command stays on its line
    )
    return f"{HEADER}\n{body}"


def fingerprint(document: str | None) -> str:
    """A short digest of a document made by the helper ("" for none): kept with
    the step, it tells whether the helper changed since the document was made."""
    if not document:
        return ""
    return hashlib.sha256(document.encode()).hexdigest()[:16]


def is_mime(script: str | bytes) -> bool:
    """Whether user data is a MIME message already, as cloud-init decides it (a
    ``MIME-Version`` header near the start, after gunzip)."""
    data = script.encode() if isinstance(script, str) else script
    if data.startswith(GZIP_MAGIC):
        try:
            # Only the head: a small file may unpack into a great deal.
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, MIME_HEAD)
        except zlib.error:
            return False
    return b"mime-version:" in data[:MIME_HEAD].lower()


def part_type(script: str | bytes) -> str:
    """The content type of a script's part, so that cloud-init takes the part
    as it would take the script alone: a shell script (``#!``), gzip, other
    bytes, or ``text/plain``, which cloud-init types by its first line itself."""
    if isinstance(script, bytes):
        return "application/gzip" if script.startswith(GZIP_MAGIC) else "application/octet-stream"
    if script.lstrip().startswith("#!"):
        return "text/x-shellscript"
    return "text/plain"


def multipart(document: str, script: str | bytes) -> str:
    """The cloud-config and the script as one MIME multi-part message (text:
    it is ASCII whatever the parts hold). The same parts give the same message,
    boundary included, so Review, the equivalents and the launch agree."""
    parts = [
        _part(document, "text/cloud-config", "cloud-config"),
        _part(script, part_type(script), "script"),
    ]
    message = MIMEMultipart()
    for part in parts:
        message.attach(part)
    bodies = "\n".join(part.as_string() for part in parts)
    digest = hashlib.sha256(bodies.encode()).hexdigest()
    boundary = f"==skiff-{digest[:24]}=="
    while f"--{boundary}" in bodies:  # only a document made to collide could
        boundary = f"={boundary}"
    message.set_boundary(boundary)
    return message.as_string()


def _part(content: str | bytes, content_type: str, filename: str) -> MIMEBase:
    """One document as a MIME part whose decoded payload is ``content`` exactly:
    ASCII text as it is, other text quoted-printable (small for mostly-ASCII
    text), text with carriage returns and bytes in base64."""
    subtype = content_type.partition("/")[2]
    part: MIMEBase
    if isinstance(content, bytes):
        part = MIMEApplication(content, subtype)
    elif "\r" in content:
        # Python's encoders for text would turn CRLF into LF.
        part = MIMEText(content, subtype, "utf-8")
    elif content.isascii():
        part = MIMEText(content, subtype, "us-ascii")
    else:
        charset = Charset("utf-8")
        charset.body_encoding = QP
        part = MIMEText(content, subtype, charset)  # type: ignore[arg-type]  # a Charset works
    del part["MIME-Version"]  # the message's own is enough
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part
