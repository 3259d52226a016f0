"""Wizard state: what one open wizard holds between requests, and where it is kept.

Each wizard has its own id, so two browser tabs are two independent wizards. A
:class:`WizardStore` keeps each wizard as one versioned record in any
:class:`WizardRecords` (the app's store, or :class:`MemoryWizardRecords`), and saves
it so that no concurrent request can be undone: a save names the version it read;
if another save came first, this one's changes (field by field: a step's input,
a step's errors, a context key) are applied to the fresh record and written again.
A save that changed nothing writes nothing.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from typing import Any
from typing import Protocol

__all__ = [
    "MemoryWizardRecords",
    "WizardConflict",
    "WizardRecords",
    "WizardState",
    "WizardStore",
    "merge_changes",
]

Record = dict[str, Any]


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


#: the fields of a wizard's record, in order
_FIELDS = tuple(f.name for f in fields(WizardState))


class WizardRecords(Protocol):
    """Where wizards are kept: a JSON-like record per wizard id, with a version."""

    def load(self, wizard_id: str) -> tuple[Record, int] | None:
        """The record and its version (1 or more), or None when there is none."""
        ...

    def store(self, wizard_id: str, record: Record, *, version: int) -> int | None:
        """Write ``record`` if the stored version is still ``version`` (0: none
        yet); the new version, or None when another write came first."""
        ...


class WizardConflict(Exception):
    """A wizard kept changing under a save, however often it was tried again."""


class WizardStore:
    """Opens, creates and saves wizards in ``records``.

    One store serves one request: it remembers the version of each wizard it
    read, so that :meth:`save` can tell what this request changed.

    :param attempts: how often a save is tried against a fresh record.
    """

    def __init__(self, records: WizardRecords, *, attempts: int = 8) -> None:
        self.records = records
        self.attempts = attempts
        self._read: dict[str, tuple[Record, int]] = {}

    def create(self, workflow: str, context: dict[str, Any]) -> WizardState:
        """Start (and keep) a new wizard for ``workflow`` with its initial ``context``."""
        state = WizardState(
            id=secrets.token_urlsafe(8),
            workflow=workflow,
            initial=dict(context),
            context=dict(context),
        )
        record = _record(state)
        version = self.records.store(state.id, record, version=0)
        if version is None:  # a random id already taken: no store should ever say so
            raise WizardConflict(f"wizard id {state.id} is taken")
        self._read[state.id] = (_copied(record), version)
        return state

    def get(self, wizard_id: str, workflow: str) -> WizardState | None:
        """The wizard with this id for this workflow, or None if unknown or expired."""
        loaded = self.records.load(wizard_id)
        if loaded is None or loaded[0].get("workflow") != workflow:
            return None
        record, version = loaded
        self._read[wizard_id] = (_copied(record), version)
        return WizardState(**record)

    def save(self, state: WizardState) -> None:
        """Keep what this request changed in ``state``; write nothing if nothing did.

        :raises WizardConflict: when other saves kept winning ``attempts`` times.
        """
        base, version = self._read[state.id]
        mine = _record(state)
        if mine == base:
            return
        for _ in range(self.attempts):
            written = self.records.store(state.id, mine, version=version)
            if written is not None:
                self._read[state.id] = (_copied(mine), written)
                return
            fresh = self.records.load(state.id)
            if fresh is None:
                return  # expired or dropped at logout meanwhile: nothing to keep it in
            theirs, version = fresh
            mine = merge_changes(base, mine, theirs)
            base = _copied(theirs)
        raise WizardConflict(f"wizard {state.id} kept changing; not saved")


_MISSING = object()


def _record(state: WizardState) -> Record:
    # dataclasses.asdict deep-copies every value on the way; the record is only
    # compared and serialised, so the state's own values will do.
    return {name: getattr(state, name) for name in _FIELDS}


def _copied(record: Record) -> Record:
    # Records are JSON-like by contract; a JSON round trip copies them several
    # times faster than copy.deepcopy.
    copied: Record = json.loads(json.dumps(record))
    return copied


def merge_changes(base: Record, mine: Record, theirs: Record) -> Record:
    """``theirs`` with the changes from ``base`` to ``mine`` applied on top.

    Dicts are merged key by key (a step's input, a step's errors, a context key),
    lists as sets that keep their order (completed steps), other values whole.
    """
    merged = _copied(theirs)
    for name, value in mine.items():
        before = base.get(name, _MISSING)
        if value == before:
            continue
        current = merged.get(name)
        if isinstance(value, dict) and isinstance(before, dict) and isinstance(current, dict):
            for key in set(before) | set(value):
                if value.get(key, _MISSING) == before.get(key, _MISSING):
                    continue
                if key in value:
                    current[key] = value[key]
                else:
                    current.pop(key, None)
        elif isinstance(value, list) and isinstance(before, list) and isinstance(current, list):
            removed = [item for item in before if item not in value]
            added = [item for item in value if item not in before and item not in current]
            merged[name] = [item for item in current if item not in removed] + added
        else:
            merged[name] = _copied(value)
    return merged


class MemoryWizardRecords:
    """Wizard records in this process's memory: for tests and single-process use."""

    def __init__(self) -> None:
        self._records: dict[str, tuple[Record, int]] = {}
        self._lock = threading.Lock()

    def load(self, wizard_id: str) -> tuple[Record, int] | None:
        with self._lock:
            found = self._records.get(wizard_id)
            return (_copied(found[0]), found[1]) if found else None

    def store(self, wizard_id: str, record: Record, *, version: int) -> int | None:
        with self._lock:
            current = self._records.get(wizard_id, ({}, 0))[1]
            if current != version:
                return None
            self._records[wizard_id] = (_copied(record), version + 1)
            return version + 1
