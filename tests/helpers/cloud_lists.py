"""The wizard's lists as a test needs them: slow to come, refused, partly missing,
or forgotten by the cache (for the loading page of the launch wizard)."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webapp.cloud.catalog import fetched_fields
from webapp.state import LOGIN
from webapp.state import state
from webapp.state.records import StoreCatalogCache

#: the connection methods that fetch the wizard's lists
LIST_METHODS = frozenset(fetched.method for fetched in fetched_fields().values())


class ListsConnection:
    """A connection whose list calls wait ``delay`` seconds, then raise the error
    given for their method (if any), counting each call in ``calls``."""

    def __init__(self, connection, *, delay: float, errors: dict, calls: Counter):
        self._connection = connection
        self._delay = delay
        self._errors = errors
        self._calls = calls

    def __getattr__(self, name):
        attribute = getattr(self._connection, name)
        if name not in LIST_METHODS:
            return attribute

        def listed(*args, **kwargs):
            self._calls[name] += 1
            time.sleep(self._delay)
            if name in self._errors:
                raise self._errors[name]
            return attribute(*args, **kwargs)

        return listed


@contextmanager
def cloud_lists(app: Flask, *, delay: float = 0.0, errors: dict | None = None):
    """While the block runs, every list the app asks of the cloud takes ``delay``
    seconds and raises ``errors[method]`` if given; yields the calls (a Counter).
    The cloud is itself again after the block."""
    provider = app.extensions["skiff.cloud"]
    connect = provider.connect
    calls: Counter = Counter()

    def slow_connect(identity):
        return ListsConnection(connect(identity), delay=delay, errors=errors or {}, calls=calls)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(provider, "connect", slow_connect)
        yield calls


def forget_lists(app: Flask, client: FlaskClient, wizard_id: str) -> None:
    """Drop the cached lists of one of the client's wizards, as their lifetime
    ending would."""
    with client.session_transaction() as session:
        login = session[LOGIN]
    with app.app_context():
        kept = state()
        kept.store.delete(StoreCatalogCache(kept.store, login=login).key(wizard_id))
