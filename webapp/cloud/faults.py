"""Nova's build faults, explained in words a user understands.

A fault message (``server.fault``) is matched against :data:`EXPLANATIONS`, most
specific first; each explanation says what probably happened (``cause``) and what
to do about it (``remedy``), and has a ``short`` label for the server list.

The explanations are ours, so they are translated (lazily: :data:`EXPLANATIONS` is
built at import); the fault message itself is Nova's and is shown as it comes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from webapp.i18n import lazy_gettext as _l

__all__ = ["EXPLANATIONS", "Explanation", "explain", "explain_fault", "short_cause"]


@dataclass(frozen=True)
class Explanation:
    """What a fault means: a short label, its likely cause and what to do.

    In :data:`EXPLANATIONS` the texts are lazy strings; :func:`explain` gives them
    as real strs in the reader's language.
    """

    short: str
    cause: str
    remedy: str

    def __str__(self) -> str:
        # Translators: a fault's likely cause, then what to do about it (two
        # sentences; drop the space if your language puts none between them).
        return str(_l("%(cause)s %(remedy)s", cause=self.cause, remedy=self.remedy))


def _rule(pattern: str, short: str, cause: str, remedy: str) -> tuple[re.Pattern[str], Explanation]:
    return re.compile(pattern, re.IGNORECASE), Explanation(short, cause, remedy)


#: (pattern searched in the fault message, its explanation), most specific first
EXPLANATIONS = (
    _rule(
        r"no valid host",
        _l("No host could take it"),
        _l(
            "No compute host had room for this server: the flavor is bigger than any "
            "host can take right now, the hosts are full, or none matches what was asked "
            "(zone, server group, image properties)."
        ),
        _l(
            "Delete it, then launch again with a smaller flavor or another availability "
            "zone; if it keeps failing, ask your operator."
        ),
    ),
    _rule(
        r"volumelimitexceeded|maximum number of volumes|volume.*(quota|limit)|gigabytes",
        _l("Volume quota full"),
        _l(
            "The project has no volume quota left (number of volumes or gigabytes) for "
            "this server's disks."
        ),
        _l(
            "Delete volumes you no longer need, or ask for a bigger volume quota; "
            "then launch again."
        ),
    ),
    _rule(
        r"quota.*(instances|cores|ram)|(instances|cores|ram).*quota|quota exceeded",
        _l("Quota exceeded"),
        _l(
            "The project's quota (instances, vCPUs or RAM) did not allow another "
            "server of this size."
        ),
        _l(
            "Delete servers you no longer need (a server in ERROR counts too), pick a "
            "smaller flavor, or ask for a bigger quota."
        ),
    ),
    _rule(
        r"did not finish being created|volume .* (is in|entered) error|failed to create volume",
        _l("Volume not created"),
        _l(
            "The block storage service did not create the server's volume in time, or "
            "failed to create it (a large image copies slowly, or the storage backend "
            "is full or down)."
        ),
        _l(
            "Delete this server and launch again, perhaps with a smaller image or "
            "another volume type; if it fails again, ask your operator."
        ),
    ),
    _rule(
        r"block device mapping is invalid|block_device_mapping|invalid bdm",
        _l("Invalid disks"),
        _l(
            "The server's disks could not be set up as asked: a volume or snapshot is "
            "missing, in use, in another availability zone or too small."
        ),
        _l(
            "Check the boot source and volumes (available, big enough, same zone), "
            "then launch again."
        ),
    ),
    _rule(
        r"flavor's disk is too small|disk is too small|flavordisktoosmall|"
        r"flavormemorytoosmall|memory is too small",
        _l("Flavor too small for image"),
        _l("The flavor's disk (or memory) is smaller than the image needs."),
        _l(
            "Launch again with a flavor whose disk and RAM are at least the image's "
            "minimum, or boot from a volume big enough."
        ),
    ),
    _rule(
        r"image .*(not found|could not be found)|imagenotfound",
        _l("Image gone"),
        _l(
            "The image the server boots from no longer exists (it was deleted, or is "
            "not visible to this project)."
        ),
        _l("Launch again from another image."),
    ),
    _rule(
        r"image .*(not active|is not in active|unacceptable)|imagenotactive|imageunacceptable",
        _l("Image unusable"),
        _l(
            "The image could not be used: it is not active (still uploading, or "
            "deactivated) or its format or properties are unacceptable to this cloud."
        ),
        _l("Launch again from an active image, or ask the image's owner to fix it."),
    ),
    _rule(
        r"port .* is still in use|portinuse",
        _l("Port in use"),
        _l("The port chosen for this server is already attached to another server."),
        _l("Launch again with a free port, or with a network instead of a port."),
    ),
    _rule(
        r"ip address .* already allocated|ipaddressalreadyallocated|fixed ip .* in use",
        _l("IP address taken"),
        _l("The fixed IP address asked for is already used by another port on that network."),
        _l("Launch again with another address, or let the network choose one."),
    ),
    _rule(
        r"no more ip addresses available|ipaddressgenerationfailure",
        _l("Network full"),
        _l("The network's subnets have no free IP address left."),
        _l(
            "Launch on another network, delete servers or ports you no longer need on "
            "this one, or ask for a larger subnet."
        ),
    ),
    _rule(
        r"quota",
        _l("Quota exceeded"),
        _l("One of the project's quotas did not allow it."),
        _l("Free some resources (delete what you no longer need) or ask for more quota."),
    ),
)


def explain(message: str | None) -> Explanation | None:
    """The explanation of a fault message, or None when we have none (its texts
    in the reader's language, as strs)."""
    text = message or ""
    found = next((found for pattern, found in EXPLANATIONS if pattern.search(text)), None)
    if found is None:
        return None
    return Explanation(str(found.short), str(found.cause), str(found.remedy))


def explain_fault(message: str | None) -> str | None:
    """A plain explanation (cause and what to do) of a fault message, or None."""
    found = explain(message)
    return str(found) if found else None


def short_cause(message: str | None, *, limit: int = 60) -> str:
    """A few words for the server list: the explanation's label, else the start
    of the message itself."""
    found = explain(message)
    if found:
        return found.short
    # Translators: in the server list, after "Error:" when Nova gave no fault message
    text = (message or str(_l("unknown cause"))).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
