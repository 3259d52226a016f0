"""Nova's build faults, explained in words a user understands."""

from __future__ import annotations

_EXPLANATIONS = (
    (
        "no valid host",
        "No compute host had room for this server: the flavor is bigger than any host "
        "can take right now, or the hosts are full. Try a smaller flavor, or ask your "
        "operator.",
    ),
    (
        "volumelimitexceeded",
        "The project has no volume quota left for this server's disk. Delete unused "
        "volumes or ask for a bigger quota.",
    ),
    (
        "quota",
        "The project's quota did not allow it. Free some resources or ask for more quota.",
    ),
)


def explain_fault(message: str | None) -> str | None:
    """A plain explanation of a build fault message, or None when we have none."""
    lowered = (message or "").lower()
    return next((text for words, text in _EXPLANATIONS if words in lowered), None)
