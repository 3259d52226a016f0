"""The submit guard, on every store: one claim wins, its outcome is kept."""

from __future__ import annotations

import threading
import time

import pytest

from webapp.state import guard as guard_module
from webapp.state.guard import SubmitGuard
from webapp.state.guard import wait_for_outcome


@pytest.fixture
def guard(store) -> SubmitGuard:
    return SubmitGuard(store)


def test_claims_of_other_keys_are_independent(guard):
    assert guard.claim("one")
    assert guard.claim("two")
    assert not guard.claim("one")


def test_a_running_claim_has_no_outcome(guard):
    assert guard.outcome("wizard") is None
    guard.claim("wizard")
    assert guard.outcome("wizard") is None


def test_release_frees_the_claim(guard):
    assert guard.claim("wizard")
    guard.release("wizard")
    assert guard.outcome("wizard") is None
    assert guard.claim("wizard")


def test_finish_keeps_the_outcome_and_the_claim(guard):
    assert guard.claim("wizard")
    guard.finish("wizard", {"url": "/servers/1", "count": 2})
    assert guard.outcome("wizard") == {"url": "/servers/1", "count": 2}
    assert not guard.claim("wizard")


def test_release_after_finish_keeps_the_outcome(guard):
    guard.claim("wizard")
    guard.finish("wizard", {"url": "/servers/1"})
    guard.release("wizard")
    assert guard.outcome("wizard") == {"url": "/servers/1"}
    assert not guard.claim("wizard")


def test_a_stale_claim_can_be_claimed_again(guard, monkeypatch):
    monkeypatch.setattr(guard_module, "STALE_AFTER", 0.2)
    assert guard.claim("wizard")
    assert not guard.claim("wizard")
    time.sleep(0.35)
    assert guard.claim("wizard")


def test_the_prefix_keeps_claims_apart_from_other_records(store, guard):
    store.put("wizard", b"something else", ttl=60)
    assert guard.claim("wizard")
    assert store.get("wizard") == b"something else"
    assert store.get("submit:wizard") == b""


def test_wait_for_outcome_returns_what_another_thread_records(guard):
    assert guard.claim("wizard")

    def submit() -> None:
        time.sleep(0.3)
        guard.finish("wizard", {"url": "/servers/1"})

    thread = threading.Thread(target=submit)
    thread.start()
    try:
        assert not guard.claim("wizard")
        assert wait_for_outcome(guard, "wizard", timeout=10, interval=0.05) == {"url": "/servers/1"}
    finally:
        thread.join()


def test_wait_for_outcome_gives_up_after_the_timeout(guard):
    guard.claim("wizard")
    assert wait_for_outcome(guard, "wizard", timeout=0.2, interval=0.05) is None
