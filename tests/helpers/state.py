"""Reading what the app keeps in its state store, as a test needs to."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from webapp.state import LOGIN
from webapp.state import state
from webapp.state.records import StoreWizardRecords


def wizard_record(app: Flask, client: FlaskClient, wizard_id: str) -> dict[str, Any] | None:
    """The wizard's record as the app reads it (unsealed), for the client's login."""
    with client.session_transaction() as session:
        login = session[LOGIN]
    with app.app_context():
        kept = state()
        records = StoreWizardRecords(kept.store, kept.sealer, login=login, ttl=kept.lifetime)
        found = records.load(wizard_id)
    return found[0] if found else None


def sqlite_bytes(app: Flask) -> bytes:
    """Everything the SQLite store holds on disk (its file and write-ahead log)."""
    data = b""
    for suffix in ("", "-wal"):
        try:
            with open(f"{app.instance_path}/state.sqlite{suffix}", "rb") as file:
                data += file.read()
        except FileNotFoundError:
            pass
    return data
