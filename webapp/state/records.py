"""The engine's wizard records and the wizards' catalog cache, on the state store.

A wizard is one versioned record under ``wizard:<login>:<id>``: only the login that
opened it can find it, its contents are sealed (what the user typed, an admin
password included, is never in clear at rest), and it lives as long as a login
may, from its last save. Its cached lists are a plain value under
``<login>:catalog:<id>`` (what the cloud lists; not sealed).
"""

from __future__ import annotations

import json
from typing import Any

from webapp.state.sealing import Sealer
from webapp.state.store import StateStore

__all__ = ["StoreCatalogCache", "StoreWizardRecords"]


class StoreWizardRecords:
    """The wizards of one login, as the engine's ``WizardRecords``.

    :param login: the login's id (random, kept in the session).
    :param ttl: seconds a wizard lives after its last save.
    """

    def __init__(self, state: StateStore, sealer: Sealer, *, login: str, ttl: float) -> None:
        self._state = state
        self._sealer = sealer
        self._login = login
        self._ttl = ttl

    def key(self, wizard_id: str) -> str:
        """The store key of one of this login's wizards."""
        return f"wizard:{self._login}:{wizard_id}"

    def load(self, wizard_id: str) -> tuple[dict[str, Any], int] | None:
        """The wizard's record and version, or None."""
        found = self._state.versioned(self.key(wizard_id))
        if found is None:
            return None
        plain = self._sealer.unseal(found[0])
        if plain is None:  # sealed under another secret key: as good as gone
            return None
        record: dict[str, Any] = json.loads(plain)
        return record, found[1]

    def store(self, wizard_id: str, record: dict[str, Any], *, version: int) -> int | None:
        """Write the record if it is still at ``version``; the new version, or None."""
        sealed = self._sealer.seal(json.dumps(record).encode())
        return self._state.put_versioned(
            self.key(wizard_id), sealed, version=version, ttl=self._ttl
        )


class StoreCatalogCache:
    """The cache ``webapp.cloud.catalog.CatalogCache`` needs, in the state store,
    with keys of one login."""

    def __init__(self, state: StateStore, *, login: str) -> None:
        self._state = state
        self._login = login

    def key(self, wizard_id: str) -> str:
        """The store key of the lists of one of this login's wizards."""
        return f"{self._login}:catalog:{wizard_id}"

    def get(self, wizard_id: str) -> bytes | None:
        """The lists kept for ``wizard_id``, or None."""
        return self._state.get(self.key(wizard_id))

    def set(self, wizard_id: str, value: bytes, *, ttl: float) -> None:
        """Keep the lists of ``wizard_id`` for ``ttl`` seconds."""
        self._state.put(self.key(wizard_id), value, ttl=ttl)
