"""Cinder as the integration tests see it: a few calls over a connection's
keystoneauth session (cinderclient is not a dependency), and a poll helper."""

from __future__ import annotations

import time

import pytest

BLOCK_STORAGE = {"service_type": "block-storage"}


def poll(check, *, timeout: float, what: str):
    """The first true result of ``check()``, tried every half second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"{what} after {timeout} s")


class Cinder:
    """The few Cinder calls the tests need, over the connection's session."""

    def __init__(self, session) -> None:
        self.session = session

    def get(self, kind: str, item_id: str) -> dict | None:
        """A volume or snapshot (``kind`` "volumes" or "snapshots"), None if gone."""
        response = self.session.get(
            f"/{kind}/{item_id}", endpoint_filter=BLOCK_STORAGE, raise_exc=False
        )
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()[kind[:-1]]

    def create(self, kind: str, body: dict) -> dict:
        """Make a volume or snapshot and wait until it is available."""
        response = self.session.post(
            f"/{kind}", endpoint_filter=BLOCK_STORAGE, json={kind[:-1]: body}
        )
        item_id = response.json()[kind[:-1]]["id"]
        return self.wait(kind, item_id, "available")

    def wait(self, kind: str, item_id: str, status: str) -> dict:
        def reached():
            item = self.get(kind, item_id)
            assert item is None or item["status"] != "error", item
            return item if item and item["status"] == status else None

        return poll(reached, timeout=60, what=f"{kind} {item_id} not {status}")

    def delete(self, kind: str, item_id: str) -> None:
        self.session.delete(f"/{kind}/{item_id}", endpoint_filter=BLOCK_STORAGE)
        self.wait_gone(kind, item_id)

    def wait_gone(self, kind: str, item_id: str) -> None:
        poll(
            lambda: self.get(kind, item_id) is None,
            timeout=60,
            what=f"{kind} {item_id} still there",
        )
