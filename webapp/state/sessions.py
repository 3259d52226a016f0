"""Sessions: who the user is, on the server once they log in, and nowhere before.

Flask-Session (0.8) writes the whole session back whenever ``session.modified`` or
``SESSION_REFRESH_EACH_REQUEST`` holds, and stores any session something was put
in: Flask-WTF's CSRF token makes every anonymous visit a stored record, and two
overlapping requests of one login undo each other's changes. So Skiff has its
own interface, on its state store:

- **Anonymous visitors** get Flask's kind of session, a signed cookie (the login
  form's CSRF token, a flashed message): nothing is stored on the server, so a
  flood of anonymous requests cannot push anyone out.
- **A login** (the session holds ``login``) is a record of fields in the store, its
  cookie only a random id. A request writes the fields it changed, and only
  those, so a flashed message cannot undo a project switch made meanwhile.
  Requests that change nothing write nothing. Every field is sealed
  (:mod:`webapp.state.sealing`): the Keystone token is never in clear at rest.
- :meth:`StoreSessionInterface.regenerate` moves a login to a new id (at login,
  against fixation); :meth:`StoreSessionInterface.end` deletes the record (logout).
- When the store does not answer, the session is marked ``unavailable`` and the
  app answers 503 (see ``webapp.errors``); nothing is written.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask import Request
from flask.sessions import SessionInterface
from flask.sessions import SessionMixin
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer
from werkzeug.wrappers import Response

from webapp.state.sealing import Sealer
from webapp.state.store import StateStore
from webapp.state.store import StoreUnavailable

__all__ = ["LOGIN", "StoreSession", "StoreSessionInterface"]

LOG = logging.getLogger(__name__)

#: the session key whose presence makes a session a login, kept on the server
LOGIN = "login"
#: what starts the cookie of a session kept on the server (a signed cookie never does)
_SERVER = "s-"


class StoreSession(dict[str, Any], SessionMixin):
    """A session that remembers which of its keys a request changed.

    :param sid: the id of its record in the store; None for an anonymous session.
    """

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        sid: str | None = None,
        unavailable: bool = False,
        stale_cookie: bool = False,
    ) -> None:
        super().__init__(data or {})
        self.sid = sid
        #: the store did not answer: nothing may be written
        self.unavailable = unavailable
        #: the cookie names a record that is gone (expired, logged out elsewhere)
        self.stale_cookie = stale_cookie
        self.changed: set[str] = set()
        self.rotate = False
        self.ended = False
        self.accessed = False

    @property
    def modified(self) -> bool:  # type: ignore[override]  # a property here, an attribute in Flask's mixin
        return bool(self.changed)

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        return super().get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self.changed.add(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.changed.add(key)
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self.changed.add(key)
        return super().pop(key, *default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.changed.add(key)
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        values = dict(*args, **kwargs)
        self.changed.update(values)
        super().update(values)

    def clear(self) -> None:
        self.changed.update(self)
        super().clear()

    def popitem(self) -> tuple[str, Any]:
        key, value = super().popitem()
        self.changed.add(key)
        return key, value


class StoreSessionInterface(SessionInterface):
    """Flask's session interface on a :class:`~webapp.state.store.StateStore`.

    :param lifetime: seconds a login lasts; its record and cookie live that long.
    """

    def __init__(self, store: StateStore, sealer: Sealer, *, lifetime: float) -> None:
        self.store = store
        self.sealer = sealer
        self.lifetime = lifetime

    # -- what the app calls -------------------------------------------------------

    def regenerate(self, session: SessionMixin) -> None:
        """Give the login a new id when the response is saved (the old one dies)."""
        assert isinstance(session, StoreSession)
        session.rotate = True

    def end(self, session: SessionMixin) -> None:
        """Delete the login's record when the response is saved; what the session
        holds afterwards (a goodbye message) goes to a signed cookie."""
        assert isinstance(session, StoreSession)
        session.ended = True
        session.clear()

    # -- what Flask calls ---------------------------------------------------------

    def open_session(self, app: Flask, request: Request) -> StoreSession:
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return StoreSession()
        if not value.startswith(_SERVER):
            return StoreSession(self._unsign(app, value))
        sid = value.removeprefix(_SERVER)
        try:
            fields = self.store.fields(_key(sid))
        except StoreUnavailable:
            return StoreSession(unavailable=True)
        if not fields:
            return StoreSession(stale_cookie=True)
        return StoreSession(self._unseal(fields), sid=sid)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, StoreSession)
        if session.unavailable:
            return
        try:
            self._save(app, session, response)
        except StoreUnavailable as error:
            # The answer is already made: better sent without the change than lost.
            LOG.warning("Session not saved, the store did not answer: %s", error)

    def _save(self, app: Flask, session: StoreSession, response: Response) -> None:
        if session.accessed:
            response.vary.add("Cookie")
        if session.sid is not None and session.ended:
            self.store.delete(_key(session.sid))
            self._save_signed(app, session, response, force=True)
        elif session.sid is not None and session.rotate:
            old, session.sid = session.sid, _new_sid()
            self.store.create_fields(_key(session.sid), self._seal(session), ttl=self.lifetime)
            self.store.delete(_key(old))
            self._set_server_cookie(app, session.sid, response)
        elif session.sid is not None:
            if session.changed:
                present = [key for key in session.changed if key in session]
                self.store.update_fields(
                    _key(session.sid),
                    self._seal(session, present),
                    remove=[key for key in session.changed if key not in session],
                )
        elif LOGIN in session:
            session.sid = _new_sid()
            self.store.create_fields(_key(session.sid), self._seal(session), ttl=self.lifetime)
            self._set_server_cookie(app, session.sid, response)
        else:
            self._save_signed(app, session, response, force=session.stale_cookie)

    # -- helpers ------------------------------------------------------------------

    def _seal(self, session: StoreSession, keys: Iterable[str] | None = None) -> dict[str, bytes]:
        names = session.keys() if keys is None else keys
        return {
            name: self.sealer.seal(json.dumps(dict.__getitem__(session, name)).encode())
            for name in names
        }

    def _unseal(self, fields: Mapping[str, bytes]) -> dict[str, Any]:
        data = {}
        for name, sealed in fields.items():
            plain = self.sealer.unseal(sealed)
            if plain is not None:
                data[name] = json.loads(plain)
        return data

    def _serializer(self, app: Flask) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(app.secret_key or "", salt="skiff-anonymous-session")

    def _unsign(self, app: Flask, value: str) -> dict[str, Any]:
        try:
            data = self._serializer(app).loads(value, max_age=int(self.lifetime))
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def _save_signed(
        self, app: Flask, session: StoreSession, response: Response, *, force: bool
    ) -> None:
        if not (session.changed or force):
            return
        name = self.get_cookie_name(app)
        if not session:
            response.delete_cookie(
                name,
                domain=self.get_cookie_domain(app),
                path=self.get_cookie_path(app),
                secure=self.get_cookie_secure(app),
                httponly=self.get_cookie_httponly(app),
                samesite=self.get_cookie_samesite(app),
            )
            return
        self._set_cookie(app, response, self._serializer(app).dumps(dict(session)), max_age=None)

    def _set_server_cookie(self, app: Flask, sid: str, response: Response) -> None:
        self._set_cookie(app, response, _SERVER + sid, max_age=int(self.lifetime))

    def _set_cookie(
        self, app: Flask, response: Response, value: str, *, max_age: int | None
    ) -> None:
        response.set_cookie(
            self.get_cookie_name(app),
            value,
            max_age=max_age,
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            httponly=self.get_cookie_httponly(app),
            samesite=self.get_cookie_samesite(app),
        )


def _key(sid: str) -> str:
    return f"session:{sid}"


def _new_sid() -> str:
    return secrets.token_urlsafe(32)
