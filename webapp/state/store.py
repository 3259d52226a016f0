"""The one small interface every state store offers, whatever keeps the data.

Skiff keeps three kinds of records between requests, each under a string key and
each with a lifetime:

- **records of fields** (a session): fields are read together and written one by
  one, so two requests that change different fields never undo each other;
- **versioned values** (a wizard): a write names the version it read and fails if
  another write came first, so an older copy can never overwrite a newer one;
- **plain values** (a wizard's cached lists, a submit claim's outcome).

:class:`~webapp.state.sqlite_store.SQLiteStore` (one file in the instance folder, shared by
the workers of one host) and :class:`~webapp.state.redis_store.RedisStore` (several hosts)
implement it. Both raise :class:`StoreUnavailable` when they cannot answer, and
never anything else of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Protocol

__all__ = ["StateStore", "StoreUnavailable"]


class StoreUnavailable(Exception):
    """The state store did not answer (Redis down, the SQLite file unwritable)."""


class StateStore(Protocol):
    """Records with a lifetime, under string keys. Expired records do not exist."""

    # -- records of fields ------------------------------------------------------

    def fields(self, key: str) -> dict[str, bytes]:
        """Every field of the record ``key``; empty when there is none."""
        ...

    def create_fields(self, key: str, values: Mapping[str, bytes], *, ttl: float) -> None:
        """Make the record ``key`` with ``values`` (replacing any), living ``ttl`` seconds."""
        ...

    def update_fields(
        self, key: str, values: Mapping[str, bytes], *, remove: Iterable[str] = ()
    ) -> bool:
        """Set ``values`` and delete the fields ``remove`` of the record ``key``,
        keeping its lifetime. False, and nothing written, when the record is gone."""
        ...

    # -- versioned values -------------------------------------------------------

    def versioned(self, key: str) -> tuple[bytes, int] | None:
        """The value under ``key`` and its version (1 or more), or None."""
        ...

    def put_versioned(self, key: str, value: bytes, *, version: int, ttl: float) -> int | None:
        """Write ``value`` if the stored version is still ``version`` (0: there
        must be none yet), living ``ttl`` seconds from now. The new version, or
        None when another write came first (nothing written)."""
        ...

    # -- plain values -----------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        """The value under ``key``, or None."""
        ...

    def put(self, key: str, value: bytes, *, ttl: float) -> None:
        """Keep ``value`` under ``key`` for ``ttl`` seconds (replacing any)."""
        ...

    def add(self, key: str, value: bytes, *, ttl: float) -> bool:
        """Keep ``value`` under ``key`` only if there is none yet; True if it was kept."""
        ...

    # -- any kind ---------------------------------------------------------------

    def delete(self, *keys: str) -> None:
        """Forget these records, of whatever kind (unknown keys are ignored)."""
        ...

    def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the store answers."""
        ...
