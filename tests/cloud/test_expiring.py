"""The worker's expiring map behind the discovery and lookup caches."""

from __future__ import annotations

from webapp.cloud.expiring import ExpiringMap


def test_an_entry_is_trusted_for_ttl_seconds_then_forgotten():
    now = [100.0]
    facts: ExpiringMap[str, str] = ExpiringMap(ttl=10, clock=lambda: now[0])
    facts.put("nova", "2.96")
    now[0] = 109.9
    assert facts.get("nova") == "2.96"
    now[0] = 110.0
    assert facts.get("nova") is None
    assert facts.get("glance") is None


def test_a_ttl_of_zero_keeps_nothing_and_clear_forgets_everything():
    assert _filled(ExpiringMap(ttl=0)).get("a") is None
    facts = _filled(ExpiringMap(ttl=60))
    assert facts.get("a") == 1
    facts.clear()
    assert facts.get("a") is None


def _filled(facts: ExpiringMap[str, int]) -> ExpiringMap[str, int]:
    facts.put("a", 1)
    return facts
