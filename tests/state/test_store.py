"""The contract of :class:`webapp.state.store.StateStore`, on every store."""

from __future__ import annotations

import time

import pytest

from webapp.state.store import StoreUnavailable

#: a lifetime no test outlives
LONG = 60.0
#: a lifetime a test outlives by sleeping AFTER it
SHORT = 0.2
AFTER = 0.35


# -- records of fields ---------------------------------------------------------


def test_fields_of_a_missing_record_are_empty(store):
    assert store.fields("nothing") == {}


def test_create_fields_then_read_them_all(store):
    store.create_fields("s", {"user": b"ada", "blob": b"\x00\xff\n", "é": b""}, ttl=LONG)
    assert store.fields("s") == {"user": b"ada", "blob": b"\x00\xff\n", "é": b""}


def test_create_fields_replaces_the_whole_record(store):
    store.create_fields("s", {"a": b"1", "b": b"2"}, ttl=LONG)
    store.create_fields("s", {"c": b"3"}, ttl=LONG)
    assert store.fields("s") == {"c": b"3"}


def test_fields_expire(store):
    store.create_fields("s", {"a": b"1"}, ttl=SHORT)
    time.sleep(AFTER)
    assert store.fields("s") == {}


def test_create_fields_replaces_an_expired_record(store):
    store.create_fields("s", {"old": b"1"}, ttl=SHORT)
    time.sleep(AFTER)
    store.create_fields("s", {"new": b"2"}, ttl=LONG)
    assert store.fields("s") == {"new": b"2"}


def test_update_fields_sets_and_removes_and_keeps_the_others(store):
    store.create_fields("s", {"a": b"1", "b": b"2", "c": b"3"}, ttl=LONG)
    assert store.update_fields("s", {"a": b"10", "d": b"4"}, remove=["b", "unknown"])
    assert store.fields("s") == {"a": b"10", "c": b"3", "d": b"4"}


def test_updates_of_different_fields_do_not_undo_each_other(store):
    store.create_fields("s", {"a": b"1", "b": b"1"}, ttl=LONG)
    assert store.update_fields("s", {"a": b"2"})
    assert store.update_fields("s", {"b": b"3"})
    assert store.fields("s") == {"a": b"2", "b": b"3"}


def test_update_fields_of_a_missing_record_writes_nothing(store):
    assert store.update_fields("s", {"a": b"1"}) is False
    assert store.fields("s") == {}


def test_update_fields_of_an_expired_record_writes_nothing(store):
    store.create_fields("s", {"a": b"1"}, ttl=SHORT)
    time.sleep(AFTER)
    assert store.update_fields("s", {"b": b"2"}) is False
    assert store.fields("s") == {}
    store.create_fields("s", {"c": b"3"}, ttl=LONG)
    assert store.fields("s") == {"c": b"3"}


def test_update_fields_keeps_the_lifetime(store):
    store.create_fields("s", {"a": b"1", "b": b"1"}, ttl=1.0)
    time.sleep(0.3)
    assert store.update_fields("s", {"a": b"2", "c": b"2"})
    assert store.fields("s") == {"a": b"2", "b": b"1", "c": b"2"}
    time.sleep(0.9)
    assert store.fields("s") == {}


def test_a_record_without_fields_does_not_exist(store):
    store.create_fields("empty", {}, ttl=LONG)
    assert store.update_fields("empty", {"a": b"1"}) is False
    store.create_fields("s", {"a": b"1"}, ttl=LONG)
    assert store.update_fields("s", {}, remove=["a"])
    assert store.update_fields("s", {"b": b"2"}) is False
    assert store.fields("s") == {}


# -- versioned values ----------------------------------------------------------


def test_versioned_of_a_missing_value_is_none(store):
    assert store.versioned("w") is None


def test_put_versioned_counts_versions(store):
    assert store.put_versioned("w", b"one", version=0, ttl=LONG) == 1
    assert store.versioned("w") == (b"one", 1)
    assert store.put_versioned("w", b"two", version=1, ttl=LONG) == 2
    assert store.versioned("w") == (b"two", 2)


def test_put_versioned_with_an_old_version_conflicts(store):
    store.put_versioned("w", b"one", version=0, ttl=LONG)
    store.put_versioned("w", b"two", version=1, ttl=LONG)
    assert store.put_versioned("w", b"stale", version=1, ttl=LONG) is None
    assert store.put_versioned("w", b"future", version=5, ttl=LONG) is None
    assert store.put_versioned("w", b"again", version=0, ttl=LONG) is None
    assert store.versioned("w") == (b"two", 2)


def test_put_versioned_of_a_missing_value_needs_version_zero(store):
    assert store.put_versioned("w", b"x", version=1, ttl=LONG) is None
    assert store.versioned("w") is None


def test_versioned_values_expire(store):
    store.put_versioned("w", b"one", version=0, ttl=SHORT)
    time.sleep(AFTER)
    assert store.versioned("w") is None
    assert store.put_versioned("w", b"late", version=1, ttl=LONG) is None
    assert store.put_versioned("w", b"new", version=0, ttl=LONG) == 1
    assert store.versioned("w") == (b"new", 1)


def test_put_versioned_renews_the_lifetime(store):
    store.put_versioned("w", b"one", version=0, ttl=SHORT)
    store.put_versioned("w", b"two", version=1, ttl=LONG)
    time.sleep(AFTER)
    assert store.versioned("w") == (b"two", 2)


# -- plain values --------------------------------------------------------------


def test_get_of_a_missing_value_is_none(store):
    assert store.get("p") is None


def test_put_keeps_and_replaces(store):
    store.put("p", b"\x00one", ttl=LONG)
    assert store.get("p") == b"\x00one"
    store.put("p", b"two", ttl=LONG)
    assert store.get("p") == b"two"


def test_put_with_a_new_lifetime(store):
    store.put("p", b"one", ttl=LONG)
    store.put("p", b"two", ttl=SHORT)
    time.sleep(AFTER)
    assert store.get("p") is None


def test_add_keeps_only_the_first_value(store):
    assert store.add("p", b"first", ttl=LONG) is True
    assert store.add("p", b"second", ttl=LONG) is False
    assert store.get("p") == b"first"


def test_add_replaces_an_expired_value(store):
    assert store.add("p", b"first", ttl=SHORT)
    time.sleep(AFTER)
    assert store.get("p") is None
    assert store.add("p", b"second", ttl=LONG) is True
    assert store.get("p") == b"second"


# -- any kind ------------------------------------------------------------------


def test_delete_forgets_every_kind(store):
    store.create_fields("a", {"f": b"1"}, ttl=LONG)
    store.put_versioned("b", b"2", version=0, ttl=LONG)
    store.put("c", b"3", ttl=LONG)
    store.put("kept", b"4", ttl=LONG)
    store.delete("a", "b", "c", "unknown")
    store.delete()
    assert store.fields("a") == {}
    assert store.versioned("b") is None
    assert store.get("c") is None
    assert store.get("kept") == b"4"
    assert store.put_versioned("b", b"again", version=0, ttl=LONG) == 1


def test_each_kind_has_its_own_keys(store):
    store.create_fields("k", {"f": b"fields"}, ttl=LONG)
    store.put_versioned("k", b"versioned", version=0, ttl=LONG)
    store.put("k", b"plain", ttl=LONG)
    assert store.fields("k") == {"f": b"fields"}
    assert store.versioned("k") == (b"versioned", 1)
    assert store.get("k") == b"plain"


@pytest.mark.parametrize("key", ["with space", "a:b:c", "ü/€", "x" * 300, ""])
def test_any_string_is_a_key(store, key):
    store.put(key, b"v", ttl=LONG)
    assert store.get(key) == b"v"
    assert store.get(key + "-other") is None


def test_ping_answers(store):
    store.ping()


#: one call of each method, for a store that cannot answer
CALLS = {
    "fields": lambda store: store.fields("k"),
    "create_fields": lambda store: store.create_fields("k", {"a": b"1"}, ttl=LONG),
    "update_fields": lambda store: store.update_fields("k", {"a": b"1"}, remove=["b"]),
    "versioned": lambda store: store.versioned("k"),
    "put_versioned": lambda store: store.put_versioned("k", b"1", version=0, ttl=LONG),
    "get": lambda store: store.get("k"),
    "put": lambda store: store.put("k", b"1", ttl=LONG),
    "add": lambda store: store.add("k", b"1", ttl=LONG),
    "delete": lambda store: store.delete("k"),
    "ping": lambda store: store.ping(),
}


@pytest.mark.parametrize("method", CALLS)
def test_every_method_of_an_unavailable_store_raises_store_unavailable(unavailable_store, method):
    with pytest.raises(StoreUnavailable):
        CALLS[method](unavailable_store)
