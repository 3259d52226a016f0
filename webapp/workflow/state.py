"""Wizard state: what one open wizard holds between requests, kept in the session.

Each wizard has its own id, so two browser tabs are two independent wizards. The
store keeps a few wizards per session and evicts the least recently used one. It
works on any mutable mapping (the server-side Flask session in the app, a plain dict
in tests) and stores only JSON-like values.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import MutableMapping
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

__all__ = ["WizardState", "WizardStore"]


@dataclass
class WizardState:
    """One wizard: raw input per step, the contributed context, completed steps.

    ``initial`` is the context the wizard was opened with (from the request);
    ``context`` is that plus what the steps have contributed since.

    ``input`` keeps exactly what the user typed, as lists of strings per field, so
    a step shown again (or re-validated at the final submit) sees the same input.
    ``result`` is set once the workflow has been submitted successfully.
    """

    id: str
    workflow: str
    initial: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    input: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    errors: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    touched: float = 0.0


class WizardStore:
    """The wizards of one session, at most ``limit`` of them.

    :param session: where to keep them (the key ``"wizards"`` is used).
    """

    key = "wizards"

    def __init__(self, session: MutableMapping[str, Any], *, limit: int = 5) -> None:
        self.session = session
        self.limit = limit

    def create(self, workflow: str, context: dict[str, Any]) -> WizardState:
        """Start a new wizard for ``workflow`` with its initial ``context``."""
        state = WizardState(
            id=secrets.token_urlsafe(8),
            workflow=workflow,
            initial=dict(context),
            context=dict(context),
        )
        self.save(state)
        return state

    def get(self, wizard_id: str, workflow: str) -> WizardState | None:
        """The wizard with this id for this workflow, or None if unknown or evicted."""
        data = self.session.get(self.key, {}).get(wizard_id)
        if data is None or data.get("workflow") != workflow:
            return None
        return WizardState(**data)

    def save(self, state: WizardState) -> None:
        """Store ``state``, evicting the least recently used wizards over the limit."""
        # Monotonic per store so that two saves in the same clock tick keep order.
        wizards = dict(self.session.get(self.key, {}))
        newest = max((w["touched"] for w in wizards.values()), default=0.0)
        state.touched = max(time.time(), newest + 1e-6)
        wizards[state.id] = asdict(state)
        while len(wizards) > self.limit:
            oldest = min(wizards, key=lambda wid: wizards[wid]["touched"])
            del wizards[oldest]
        # Assign a new dict so that the session notices the change.
        self.session[self.key] = wizards
