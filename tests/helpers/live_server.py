"""The app served over HTTP from a thread of the test process, for a real browser."""

from __future__ import annotations

import json
import sqlite3
import threading

import flask
from werkzeug.serving import make_server


class LiveServer:
    """The app, served over HTTP from a thread, and a look into its demo cloud."""

    def __init__(self, app: flask.Flask, database: str) -> None:
        self.app = app
        self.database = database
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def servers(self) -> list[dict]:
        """Every server of the demo cloud, oldest first."""
        db = sqlite3.connect(self.database)
        try:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM servers ORDER BY created_at").fetchall()
        finally:
            db.close()
        return [
            {**dict(row), "security_groups": json.loads(row["security_groups"])} for row in rows
        ]
