"""What only the Redis store does: its keys, its lifetimes, a Redis that stops."""

from __future__ import annotations

import pytest

from tests.helpers.redis_server import RedisServer
from webapp.state.redis_store import RedisStore
from webapp.state.store import StoreUnavailable


def test_keys_are_under_the_prefix_one_space_per_kind(redis_store):
    redis_store.create_fields("k", {"a": b"1"}, ttl=60)
    redis_store.put_versioned("k", b"1", version=0, ttl=60)
    redis_store.put("k", b"1", ttl=60)
    assert sorted(redis_store.client.keys("*")) == [b"skiff:f:k", b"skiff:p:k", b"skiff:v:k"]


def test_stores_with_other_prefixes_do_not_meet(redis_store):
    other = RedisStore(redis_store.client, prefix="other:")
    redis_store.put("k", b"mine", ttl=60)
    assert other.get("k") is None
    assert other.add("k", b"theirs", ttl=60)
    other.delete("k")
    assert redis_store.get("k") == b"mine"


def test_lifetimes_are_in_milliseconds(redis_store):
    redis_store.put("p", b"1", ttl=1.5)
    redis_store.create_fields("f", {"a": b"1"}, ttl=2.5)
    redis_store.put_versioned("v", b"1", version=0, ttl=3.5)
    assert 1000 < redis_store.client.pttl("skiff:p:p") <= 1500
    assert 2000 < redis_store.client.pttl("skiff:f:f") <= 2500
    assert 3000 < redis_store.client.pttl("skiff:v:v") <= 3500


def test_update_fields_keeps_the_redis_lifetime(redis_store):
    redis_store.create_fields("f", {"a": b"1"}, ttl=2.5)
    assert redis_store.update_fields("f", {"b": b"2"}, remove=["a"])
    assert 2000 < redis_store.client.pttl("skiff:f:f") <= 2500


def test_a_stopped_redis_is_unavailable_then_back_with_its_data():
    with RedisServer() as server:
        store = RedisStore.from_url(server.url)
        try:
            store.create_fields("f", {"a": b"1"}, ttl=60)
            store.put_versioned("v", b"one", version=0, ttl=60)
            store.put("p", b"1", ttl=60)
            server.stop()
            with pytest.raises(StoreUnavailable, match="Redis"):
                store.get("p")
            with pytest.raises(StoreUnavailable):
                store.put_versioned("v", b"two", version=1, ttl=60)
            server.start()
            store.ping()
            assert store.fields("f") == {"a": b"1"}
            assert store.versioned("v") == (b"one", 1)
            assert store.get("p") == b"1"
            # The scripts are loaded again into the new server.
            assert store.update_fields("f", {"b": b"2"})
            assert store.put_versioned("v", b"two", version=1, ttl=60) == 2
        finally:
            store.client.close()


def test_a_missing_redis_server_skips_outside_ci(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="missing"):
        RedisServer(str(tmp_path / "redis-server"))


def test_a_missing_redis_server_fails_on_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="missing"):
        RedisServer(str(tmp_path / "redis-server"))
