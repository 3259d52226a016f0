"""Where Skiff keeps what must outlive a request, and who writes it.

One :class:`~webapp.state.store.StateStore` holds it all: by default a SQLite file
in the instance folder (``instance/state.sqlite``), which every worker of one host
shares; with ``REDIS_URL``, Redis, so that several hosts can serve the portal
without sticky sessions.

- sessions (:mod:`.sessions`): who the user is; written at login, project switch,
  logout and when a message is flashed, field by field;
- each login's index of its wizards (``wizards:<login>``, a field per wizard), so
  that logout can delete them;
- wizards (:mod:`.records`): one sealed, versioned record each, written by a step
  POST (never by a page that only shows something);
- each wizard's lists (:mod:`.records`), for ``CATALOG_TTL`` seconds;
- submit claims (:mod:`.guard`): which wizards were launched, and where to.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from flask import Flask
from flask import current_app
from flask import session

from webapp.state.guard import SubmitGuard
from webapp.state.records import StoreCatalogCache
from webapp.state.records import StoreWizardRecords
from webapp.state.sealing import Sealer
from webapp.state.sessions import LOGIN
from webapp.state.sessions import StoreSession
from webapp.state.sessions import StoreSessionInterface
from webapp.state.sqlite_store import SQLiteStore
from webapp.state.store import StateStore
from webapp.state.store import StoreUnavailable

__all__ = [
    "LOGIN",
    "State",
    "StoreUnavailable",
    "add_wizard",
    "begin_login",
    "catalog_cache",
    "configure_state",
    "end_login",
    "listed_wizards",
    "state",
    "submit_guard",
    "wizard_records",
]


@dataclass(frozen=True)
class State:
    """The app's stores, built once (``app.extensions["skiff.state"]``).

    :param lifetime: seconds a login, and a wizard after its last save, lives.
    """

    store: StateStore
    sealer: Sealer
    guard: SubmitGuard
    sessions: StoreSessionInterface
    lifetime: float


def configure_state(app: Flask) -> None:
    """Choose the store from the configuration and put sessions on it."""
    url = app.config["REDIS_URL"]
    store: StateStore
    if url:
        from webapp.state.redis_store import RedisStore  # needs 'skiff[redis]'

        store = RedisStore.from_url(url)
    else:
        store = SQLiteStore(os.path.join(app.instance_path, "state.sqlite"))
    sealer = Sealer(app.config["SECRET_KEY"])
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    sessions = StoreSessionInterface(store, sealer, lifetime=lifetime)
    app.session_interface = sessions
    app.extensions["skiff.state"] = State(
        store=store,
        sealer=sealer,
        guard=SubmitGuard(store),
        sessions=sessions,
        lifetime=lifetime,
    )
    app.before_request(_refuse_without_store)


def state() -> State:
    """The app's stores."""
    found: State = current_app.extensions["skiff.state"]
    return found


def submit_guard() -> SubmitGuard:
    """The app's submit guard."""
    return state().guard


def wizard_records() -> StoreWizardRecords:
    """The wizards of the logged-in user's login."""
    kept = state()
    return StoreWizardRecords(kept.store, kept.sealer, login=session[LOGIN], ttl=kept.lifetime)


def catalog_cache() -> StoreCatalogCache:
    """The cache of the logged-in user's wizards' lists."""
    return StoreCatalogCache(state().store, login=session[LOGIN])


def begin_login() -> None:
    """Make (or renew) the login's index of wizards, living as long as the login.

    At login nothing else of the login runs, so the index can be written whole
    here; afterwards it is only ever changed field by field.
    """
    kept, key = state(), _index_key()
    listed = {**kept.store.fields(key), _INDEX_MARK: b""}
    kept.store.create_fields(key, listed, ttl=kept.lifetime)


def add_wizard(wizard_id: str) -> None:
    """Note a new wizard in its login's index, for :func:`end_login`.

    One field per wizard, so that two tabs opening wizards at once both count.
    """
    kept, key = state(), _index_key()
    if not kept.store.update_fields(key, {wizard_id: b""}):
        # The index outlived by its login (a store restored from a backup, say).
        kept.store.create_fields(key, {_INDEX_MARK: b"", wizard_id: b""}, ttl=kept.lifetime)


def listed_wizards(login: str) -> list[str]:
    """The ids in a login's index of wizards."""
    return [name for name in state().store.fields(f"wizards:{login}") if name != _INDEX_MARK]


def end_login() -> None:
    """Forget a login: its wizards, their lists, its index and its session record."""
    kept, key = state(), _index_key()
    wizard_ids = listed_wizards(session[LOGIN])
    records, cache = wizard_records(), catalog_cache()
    kept.store.delete(
        key,
        *(records.key(wid) for wid in wizard_ids),
        *(cache.key(wid) for wid in wizard_ids),
    )
    kept.sessions.end(session)


#: the field that keeps a login's index of wizards in being while it lists none
_INDEX_MARK = "_"


def _index_key() -> str:
    return f"wizards:{session[LOGIN]}"


def _refuse_without_store() -> None:
    """A before-request hook: a session that could not be read means the store is
    down; say so (503) instead of acting as if the user were logged out."""
    if isinstance(session, StoreSession) and session.unavailable:
        raise StoreUnavailable("The session store did not answer.")
