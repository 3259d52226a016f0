"""What Nova refuses in a request, with Nova's messages.

- :func:`check_request`, on the request alone: an empty name, a count below 1, an
  unknown or unavailable zone, security group or server group, metadata beyond
  Nova's quota or patterns, too many or bad tags, a bad hostname or one for several
  servers, a disk config other than AUTO or MANUAL, user data over 65,535 bytes
  once base64-encoded.
- :func:`check_keypair` and :func:`check_quota`, given the state: a key pair the user
  does not have, and going over the project's instances, cores or RAM
  (QuotaExceeded, a 403 in Nova).
- :func:`check_keypair_import`: a bad key pair name or public key.
- :func:`check_metadata`: a server's metadata as it would be after a change.

What the request names (flavor, image, block devices, networks, ports) is checked
against the catalog and the state by :mod:`.plan`. Cinder's volume quota is not a
refusal: Nova makes the volumes after accepting the request, so going over it ends
the build in ERROR (see :mod:`.build`).
"""

from __future__ import annotations

import base64
import binascii
import re
import sqlite3
import struct
import uuid

from webapp.cloud.demo import data
from webapp.cloud.demo import store
from webapp.cloud.errors import InvalidRequest
from webapp.cloud.errors import QuotaExceeded
from webapp.cloud.models import Flavor
from webapp.cloud.models import Identity
from webapp.cloud.models import ServerRequest

__all__ = [
    "check_keypair",
    "check_keypair_import",
    "check_metadata",
    "check_quota",
    "check_request",
]

#: Nova's patterns (schemas of 2.96): metadata keys, key pair names, FQDN hostnames
_METADATA_KEY = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")
_KEYPAIR_NAME = re.compile(r"^[_\-@. a-zA-Z0-9]{1,255}$")
_HOSTNAME = re.compile(r"^[a-zA-Z0-9-._]{1,255}$")
#: the key types Nova accepts for ssh key pairs
_KEY_TYPES = (
    "ssh-rsa",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
)


# -- what Nova would refuse, without looking at the state ---------------------------


def check_request(request: ServerRequest, project: str) -> None:
    """Refuse what is wrong with the request alone (``project``: its name)."""
    if not request.name.strip():
        raise InvalidRequest("Invalid input for field/attribute name: the name is empty.")
    if request.count < 1:
        raise InvalidRequest("min_count must be at least 1.")
    zones = {z.name for z in data.AVAILABILITY_ZONES if z.available}
    if request.availability_zone and request.availability_zone not in zones:
        raise InvalidRequest(
            f"The requested availability zone is not available: {request.availability_zone}"
        )
    groups = {g.name for g in data.SECURITY_GROUPS} | {g.id for g in data.SECURITY_GROUPS}
    for group in request.security_groups:
        if group not in groups:
            raise InvalidRequest(f"Security group {group} not found for project {project}.")
    _check_metadata(request.metadata)
    _check_tags(request.tags)
    _check_hostname(request.hostname, request.count)
    _check_user_data(request.user_data)
    if request.disk_config not in (None, "AUTO", "MANUAL"):
        raise InvalidRequest(
            f"Invalid input for field/attribute OS-DCF:diskConfig. Value: "
            f"{request.disk_config}. It must be AUTO or MANUAL."
        )
    if request.server_group and request.server_group not in {g.id for g in data.SERVER_GROUPS}:
        raise InvalidRequest(f"Instance group {request.server_group} could not be found.")


def check_metadata(metadata: dict[str, str]) -> None:
    """Refuse a server's metadata as Nova would: more items than its quota
    (QuotaExceeded), a bad key, a value over 255 characters."""
    _check_metadata(metadata)


def _check_metadata(metadata: dict[str, str]) -> None:
    if len(metadata) > data.MAX_SERVER_META:
        # a 403 OverQuota in Nova
        raise QuotaExceeded(
            f"Maximum number of metadata items exceeds {data.MAX_SERVER_META}",
            request_id=f"req-{uuid.uuid4()}",
        )
    for key, value in metadata.items():
        if not _METADATA_KEY.match(key):
            raise InvalidRequest(
                f"Invalid input for field/attribute metadata. Value: {key}. A key has 1 "
                "to 255 letters, digits, spaces and - _ : . characters."
            )
        if len(value) > 255:
            raise InvalidRequest(
                f"Invalid input for field/attribute metadata. Value of {key} is longer "
                "than 255 characters."
            )


def _check_tags(tags: tuple[str, ...]) -> None:
    if len(tags) > 50:
        raise InvalidRequest(
            f"Invalid input for field/attribute tags. {len(tags)} tags is too many: 50 at most."
        )
    for tag in tags:
        if not 1 <= len(tag) <= 60 or "," in tag or "/" in tag:
            raise InvalidRequest(
                f"Invalid input for field/attribute tags. Value: {tag}. A tag has 1 to "
                "60 characters, none of them ',' or '/'."
            )


def _check_hostname(hostname: str | None, count: int) -> None:
    if hostname is None:
        return
    if count > 1:
        raise InvalidRequest("Unable to allocate a single hostname to multiple instances")
    if not _HOSTNAME.match(hostname):
        raise InvalidRequest(
            f"Invalid input for field/attribute hostname. Value: {hostname}. A hostname "
            "has 1 to 255 letters, digits and - . _ characters."
        )


def _check_user_data(user_data: str | bytes | None) -> None:
    raw = user_data.encode() if isinstance(user_data, str) else user_data or b""
    encoded = len(base64.b64encode(raw))
    if encoded > 65535:
        raise InvalidRequest(
            f"Invalid input for field/attribute user_data. Value: {encoded} characters "
            "of base64. User data is too long: 65535 at most."
        )


def check_keypair_import(name: str, public_key: str) -> None:
    """Refuse a key pair name or public key that Nova would not import."""
    if not _KEYPAIR_NAME.match(name or ""):
        raise InvalidRequest(
            f"Invalid input for field/attribute name. Value: {name}. A key pair "
            "name has 1 to 255 letters, digits, spaces and _ - @ . characters."
        )
    if not _valid_public_key(public_key):
        raise InvalidRequest("Keypair data is invalid: failed to generate fingerprint")


def _valid_public_key(public_key: str) -> bool:
    """Whether this is an OpenSSH public key of a type Nova takes: the type, then
    base64 of a blob that starts with that same type (the SSH wire format)."""
    parts = public_key.split()
    if len(parts) < 2 or parts[0] not in _KEY_TYPES:
        return False
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(blob) < 4:
        return False
    (length,) = struct.unpack(">I", blob[:4])
    return blob[4 : 4 + length] == parts[0].encode() and len(blob) > 4 + length


# -- what Nova would refuse, given the state ---------------------------------------


def check_keypair(db: sqlite3.Connection, user_id: str, key_name: str | None) -> None:
    """Refuse a key pair the user does not have."""
    if not key_name:
        return
    found = db.execute(
        "SELECT 1 FROM keypairs WHERE user_id = ? AND name = ?",
        (user_id, key_name),
    ).fetchone()
    if not found:
        raise InvalidRequest("Invalid key_name provided.")


def check_quota(db: sqlite3.Connection, identity: Identity, flavor: Flavor, count: int) -> None:
    """Refuse going over the project's instances, cores or RAM, as Nova's quotas do."""
    used = store.usage(db, identity.project_id)
    limits = data.QUOTAS[identity.project_name]
    wanted = (count, count * flavor.vcpus, count * flavor.ram_mb)
    for resource, in_use, limit, asked in zip(
        ("instances", "cores", "ram"), used, limits, wanted, strict=True
    ):
        if in_use + asked > limit:
            raise QuotaExceeded(
                f"Quota exceeded for {resource}: Requested {asked}, but already used "
                f"{in_use} of {limit} {resource}",
                request_id=f"req-{uuid.uuid4()}",
            )
