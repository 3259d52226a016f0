"""Launch profiles in the state store (:mod:`webapp.state.profiles`), on SQLite and
on a real Redis: kept per user, names unique per user, sealed at rest, no expiry,
and changes made at once by several threads all counted; the operator's profiles
read from the setting."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from webapp.state.profiles import KEEP
from webapp.state.profiles import NameTaken
from webapp.state.profiles import ProfileError
from webapp.state.profiles import ProfileGone
from webapp.state.profiles import ProfileStore
from webapp.state.profiles import operator_profiles
from webapp.state.profiles import same_name
from webapp.state.redis_store import RedisStore
from webapp.state.sealing import Sealer
from webapp.state.sqlite_store import SQLiteStore

INPUT = {
    "details": {"name": ["web"], "count": ["1"]},
    "source": {"source_id": ["img-1"]},
    "access": {
        "keypair": ["demo-key"],
        "security_groups": ["web", "ssh"],
        "admin_pass": ["s3cret-pass"],
        "confirm_admin_pass": ["s3cret-pass"],
    },
    "config": {"user_data": ["#!/bin/sh\necho very-secret-script\n"]},
}


@pytest.fixture
def sealer() -> Sealer:
    return Sealer("test")


@pytest.fixture
def profiles(store, sealer) -> ProfileStore:
    return ProfileStore(store, sealer, user_id="user-1")


def test_a_new_user_has_none(profiles):
    assert profiles.listed() == []
    assert profiles.get("nothing") is None


def test_add_keeps_the_input_without_the_admin_password(profiles):
    added = profiles.add("Web", INPUT, description=" front end ", names={"img-1": "cirros"})
    assert added.name == "Web" and added.description == "front end"
    assert added.saved_at.endswith("Z") and not added.operator
    (kept,) = profiles.listed()
    assert kept == added
    assert profiles.get(added.id) == added
    assert kept.input["access"] == {"keypair": ["demo-key"], "security_groups": ["web", "ssh"]}
    assert kept.input["config"] == INPUT["config"]
    assert kept.input["details"] == INPUT["details"]
    assert kept.names == {"img-1": "cirros"}


def test_any_number_listed_by_name(profiles):
    for name in ("zeta", "Alpha", "beta", "Gamma"):
        profiles.add(name, INPUT)
    assert [p.name for p in profiles.listed()] == ["Alpha", "beta", "Gamma", "zeta"]
    assert len({p.id for p in profiles.listed()}) == 4


@pytest.mark.parametrize("again", ["Web", "web", "WEB", " web  "])
def test_names_are_unique_per_user_case_and_spaces_aside(profiles, again):
    profiles.add("Web", INPUT)
    with pytest.raises(NameTaken):
        profiles.add(again, INPUT)
    assert len(profiles.listed()) == 1


def test_same_name():
    assert same_name("Small  web", " small web ")
    assert not same_name("web", "web-2")


def test_each_user_has_their_own(store, sealer):
    ada = ProfileStore(store, sealer, user_id="ada")
    bob = ProfileStore(store, sealer, user_id="bob")
    ada.add("web", INPUT)
    bob.add("web", INPUT)  # the same name for another user
    bob.add("db", INPUT)
    assert [p.name for p in ada.listed()] == ["web"]
    assert [p.name for p in bob.listed()] == ["db", "web"]
    assert ada.get(bob.listed()[0].id) is None


def test_rename_keeps_the_id_and_the_input(profiles):
    added = profiles.add("web", INPUT, description="old")
    renamed = profiles.rename(added.id, "front", "new words")
    assert (renamed.id, renamed.name, renamed.description) == (added.id, "front", "new words")
    assert profiles.get(added.id) == renamed
    assert renamed.input == added.input


def test_rename_to_its_own_name_in_other_case_is_allowed(profiles):
    added = profiles.add("web", INPUT)
    assert profiles.rename(added.id, "Web", "").name == "Web"


def test_rename_to_another_profiles_name_is_refused(profiles):
    profiles.add("web", INPUT)
    db = profiles.add("db", INPUT)
    with pytest.raises(NameTaken):
        profiles.rename(db.id, "WEB", "")
    assert profiles.get(db.id) == db


def test_delete(profiles):
    web = profiles.add("web", INPUT)
    db = profiles.add("db", INPUT)
    assert profiles.delete(web.id) == web
    assert profiles.listed() == [db]
    with pytest.raises(ProfileGone):
        profiles.delete(web.id)
    with pytest.raises(ProfileGone):
        profiles.rename(web.id, "x", "")
    profiles.add("web", INPUT)  # the name is free again


def test_sealed_at_rest(tmp_path, sealer):
    path = tmp_path / "state.sqlite"
    profiles = ProfileStore(SQLiteStore(str(path)), sealer, user_id="user-1")
    profiles.add("my-web-profile", INPUT, description="my description")
    with sqlite3.connect(path) as db:
        ((value,),) = db.execute("SELECT value FROM versioned").fetchall()
    for clear in (b"my-web-profile", b"my description", b"very-secret-script", b"demo-key"):
        assert clear not in value
    assert b"s3cret-pass" not in value


def test_sealed_under_another_key_as_good_as_none_and_replaced(store):
    ProfileStore(store, Sealer("old key"), user_id="u").add("web", INPUT)
    profiles = ProfileStore(store, Sealer("new key"), user_id="u")
    assert profiles.listed() == []
    profiles.add("web", INPUT)
    assert [p.name for p in profiles.listed()] == ["web"]


def test_no_expiry_on_sqlite(tmp_path, sealer):
    path = tmp_path / "state.sqlite"
    ProfileStore(SQLiteStore(str(path)), sealer, user_id="u").add("web", INPUT)
    with sqlite3.connect(path) as db:
        ((expires,),) = db.execute("SELECT expires FROM versioned").fetchall()
    assert expires > time.time() + 99 * 365 * 86400
    assert KEEP >= 100 * 365 * 86400


def test_no_expiry_on_redis(redis_store, sealer):
    ProfileStore(redis_store, sealer, user_id="u").add("web", INPUT)
    left_ms = redis_store.client.pttl(f"{redis_store.prefix}v:profiles:u")
    assert left_ms > 99 * 365 * 86400 * 1000


def test_saves_at_once_all_count(store, sealer):
    """Several threads (two tabs, two workers) adding at once: none is lost."""
    names = [f"p{n}" for n in range(12)]
    barrier = threading.Barrier(len(names))
    failures: list[BaseException] = []

    def add(name: str) -> None:
        profiles = ProfileStore(store, sealer, user_id="u", attempts=50)
        barrier.wait()
        try:
            profiles.add(name, INPUT)
        except BaseException as error:  # pragma: no cover - said below
            failures.append(error)

    threads = [threading.Thread(target=add, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(p.name for p in ProfileStore(store, sealer, user_id="u").listed()) == sorted(
        names
    )


def test_one_name_saved_at_once_twice_is_kept_once(store, sealer):
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def add() -> None:
        profiles = ProfileStore(store, sealer, user_id="u", attempts=50)
        barrier.wait()
        try:
            profiles.add("web", INPUT)
            outcomes.append("saved")
        except NameTaken:
            outcomes.append("taken")

    threads = [threading.Thread(target=add) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved"] + ["taken"] * 5
    assert len(ProfileStore(store, sealer, user_id="u").listed()) == 1


def test_a_record_that_keeps_changing_is_said(store, sealer, monkeypatch):
    profiles = ProfileStore(store, sealer, user_id="u", attempts=3)
    monkeypatch.setattr(type(store), "put_versioned", lambda *args, **kwargs: None)
    with pytest.raises(ProfileError):
        profiles.add("web", INPUT)


def test_redis_keeps_them_under_its_prefix(redis_store, sealer):
    ProfileStore(redis_store, sealer, user_id="u").add("web", INPUT)
    assert isinstance(redis_store, RedisStore)
    assert redis_store.client.exists(f"{redis_store.prefix}v:profiles:u")


# -- the operator's ------------------------------------------------------------------


def test_operator_profiles_from_the_setting():
    found = operator_profiles(
        [
            {
                "name": " Small web ",
                "description": "nginx on Debian",
                "input": {
                    "source": {"source_id": "img-1"},
                    "access": {"security_groups": ["web", "ssh"], "admin_pass": "x"},
                },
            },
            {"name": "Bare", "input": {}},
        ]
    )
    assert [p.id for p in found] == ["operator-1", "operator-2"]
    assert all(p.operator for p in found)
    first = found[0]
    assert (first.name, first.description) == ("Small web", "nginx on Debian")
    assert first.input == {
        "source": {"source_id": ["img-1"]},
        "access": {"security_groups": ["web", "ssh"]},  # never a password
    }


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ({"name": "x"}, "must be a list"),
        (["x"], "must be a mapping"),
        ([{"input": {}}], "'name'"),
        ([{"name": "  ", "input": {}}], "'name'"),
        ([{"name": "x" * 65, "input": {}}], "'name'"),
        ([{"name": "x", "description": 3, "input": {}}], "'description'"),
        ([{"name": "x"}], "'input'"),
        ([{"name": "x", "input": {"source": "img"}}], "input['source']"),
        ([{"name": "x", "input": {"source": {"source_id": 3}}}], "input['source']['source_id']"),
        ([{"name": "x", "input": {}}, {"name": "X", "input": {}}], "used twice"),
    ],
)
def test_a_malformed_setting_is_refused_saying_where(setting, words):
    with pytest.raises(ValueError, match=None) as error:
        operator_profiles(setting)
    assert words in str(error.value)
