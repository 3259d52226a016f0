"""Leases and expiries as the metadata keeps them, and the operator's rules for
them: parsing, limits, extensions."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from tests.helpers.expiry import NOW
from webapp.expiry.lease import EXPIRES_AT
from webapp.expiry.lease import EXPIRY_ACTION
from webapp.expiry.lease import Expiry
from webapp.expiry.lease import InvalidExpiry
from webapp.expiry.lease import Lease
from webapp.expiry.lease import iso
from webapp.expiry.lease import parse_lease
from webapp.expiry.lease import read_expiry
from webapp.expiry.policy import ExpiryPolicy
from webapp.expiry.policy import Refusal

SETTINGS = {
    "EXPIRY_DEFAULT": "never",
    "EXPIRY_DEFAULT_ACTION": "stop",
    "EXPIRY_MAX_HOURS": 720,
    "EXPIRY_ALLOW_NEVER": True,
}


def policy(**settings) -> ExpiryPolicy:
    return ExpiryPolicy.from_config({**SETTINGS, **settings})


# -- leases ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lease"),
    [
        ("never", None),
        (" NEVER ", None),
        ("8 hours", Lease(8, "hours")),
        ("1 hour", Lease(1, "hours")),
        ("7d", Lease(7, "days")),
        (" 3 Days ", Lease(3, "days")),
        ("90 min", Lease(90, "minutes")),
        ("1 minute", Lease(1, "minutes")),
        ("12h", Lease(12, "hours")),
    ],
)
def test_leases_as_the_settings_write_them(text, lease):
    assert parse_lease(text) == lease


@pytest.mark.parametrize("text", ["", "8", "0 hours", "-1 h", "8 weeks", "eight hours", "8.5 h"])
def test_what_is_not_a_lease(text):
    with pytest.raises(ValueError, match="is not a lease"):
        parse_lease(text)


def test_a_lease_ends_in_utc_to_the_second():
    start = datetime(2026, 12, 1, 13, 0, 0, 999999, tzinfo=timezone(timedelta(hours=1)))
    assert Lease(90, "minutes").ends(start) == datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
    assert Lease(2, "days").length == timedelta(days=2)


@pytest.mark.parametrize(
    ("hours", "lease"),
    [(720, Lease(30, "days")), (36, Lease(36, "hours")), (0.5, Lease(30, "minutes"))],
)
def test_hours_in_the_largest_whole_unit(hours, lease):
    assert Lease.of_hours(hours) == lease


# -- the metadata ------------------------------------------------------------------


def test_an_expiry_round_trips_through_the_metadata():
    expiry = Expiry(datetime(2026, 12, 1, 20, 0, tzinfo=UTC), "delete")
    metadata = expiry.metadata()
    assert metadata == {EXPIRES_AT: "2026-12-01T20:00:00Z", EXPIRY_ACTION: "delete"}
    assert read_expiry({**metadata, "role": "web"}) == expiry


def test_times_are_written_in_utc_with_z():
    assert iso(datetime(2026, 12, 1, 21, 0, tzinfo=timezone(timedelta(hours=9)))) == (
        "2026-12-01T12:00:00Z"
    )


def test_reading_what_was_set_by_hand():
    assert read_expiry({}) is None
    assert read_expiry({"role": "web"}) is None
    # an offset, or none (the metadata's times are UTC); no action: stopped
    assert read_expiry({EXPIRES_AT: "2026-12-01T13:00:00+01:00"}) == Expiry(NOW, "stop")
    assert read_expiry({EXPIRES_AT: "2026-12-01T12:00:00", EXPIRY_ACTION: " Delete"}) == Expiry(
        NOW, "delete"
    )
    with pytest.raises(InvalidExpiry, match="not an ISO 8601 time"):
        read_expiry({EXPIRES_AT: "tomorrow"})
    with pytest.raises(InvalidExpiry, match="not stop or delete"):
        read_expiry({EXPIRES_AT: "2026-12-01T12:00:00Z", EXPIRY_ACTION: "shelve"})


def test_expired_from_the_very_moment():
    expiry = Expiry(NOW, "stop")
    assert not expiry.expired(NOW - timedelta(seconds=1))
    assert expiry.expired(NOW)


# -- the operator's rules ---------------------------------------------------------


def test_the_defaults():
    rules = policy()
    assert rules == ExpiryPolicy(None, "stop", 720.0, True)
    assert rules.longest == Lease(30, "days")
    assert ExpiryPolicy() == ExpiryPolicy.from_config(SETTINGS)


def test_a_default_lease_and_action():
    rules = policy(EXPIRY_DEFAULT="8 hours", EXPIRY_DEFAULT_ACTION="Delete", EXPIRY_MAX_HOURS="48")
    assert rules == ExpiryPolicy(Lease(8, "hours"), "delete", 48.0, True)
    assert rules.longest == Lease(2, "days")


def test_without_never_the_default_is_the_longest_lease():
    rules = policy(EXPIRY_ALLOW_NEVER=False, EXPIRY_MAX_HOURS=36)
    assert rules.default == Lease(36, "hours")
    with pytest.raises(ValueError, match="EXPIRY_DEFAULT is never but EXPIRY_ALLOW_NEVER"):
        policy(EXPIRY_ALLOW_NEVER=False, EXPIRY_MAX_HOURS=None)


def test_no_maximum_but_ten_years():
    rules = policy(EXPIRY_MAX_HOURS=None)
    assert rules.longest == Lease(3650, "days")
    assert rules.check(Lease(3650, "days")) is None
    assert rules.check(Lease(3651, "days")) is Refusal.TOO_LONG


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"EXPIRY_DEFAULT": "soon"}, "EXPIRY_DEFAULT: 'soon' is not a lease"),
        ({"EXPIRY_DEFAULT": "31 days"}, "EXPIRY_DEFAULT '31 days' is beyond the maximum"),
        ({"EXPIRY_DEFAULT_ACTION": "shelve"}, "EXPIRY_DEFAULT_ACTION is 'shelve'"),
        ({"EXPIRY_MAX_HOURS": 0}, "EXPIRY_MAX_HOURS is 0"),
        ({"EXPIRY_MAX_HOURS": "a month"}, "EXPIRY_MAX_HOURS is 'a month'"),
        ({"EXPIRY_MAX_HOURS": 10**6}, "EXPIRY_MAX_HOURS is 1000000"),
    ],
)
def test_settings_that_make_no_sense_stop_the_app(settings, message):
    with pytest.raises(ValueError, match=message):
        policy(**settings)


@pytest.mark.parametrize(
    ("lease", "refusal"),
    [
        (None, None),
        (Lease(1, "minutes"), None),
        (Lease(720, "hours"), None),
        (Lease(30, "days"), None),
        (Lease(43200, "minutes"), None),
        (Lease(0, "hours"), Refusal.TOO_SHORT),
        (Lease(-3, "days"), Refusal.TOO_SHORT),
        (Lease(721, "hours"), Refusal.TOO_LONG),
        (Lease(31, "days"), Refusal.TOO_LONG),
        (Lease(43201, "minutes"), Refusal.TOO_LONG),
        (Lease(10**12, "days"), Refusal.TOO_LONG),  # not an OverflowError
    ],
)
def test_leases_within_the_maximum(lease, refusal):
    assert policy().check(lease) is refusal


def test_never_only_where_the_operator_allows_it():
    assert policy(EXPIRY_ALLOW_NEVER=False).check(None) is Refusal.NEVER


def test_an_extension_goes_later_never_beyond_the_maximum_from_now():
    rules = policy()
    in_a_day = NOW + timedelta(days=1)
    check = rules.check_extension
    assert check(Lease(2, "days"), now=NOW, expires_at=in_a_day) is None
    assert check(Lease(24, "hours"), now=NOW, expires_at=in_a_day) is None
    assert check(Lease(23, "hours"), now=NOW, expires_at=in_a_day) is Refusal.SOONER
    # 29 days left: 30 days from now is the most
    late = NOW + timedelta(days=29)
    assert check(Lease(30, "days"), now=NOW, expires_at=late) is None
    assert check(Lease(31, "days"), now=NOW, expires_at=late) is Refusal.TOO_LONG
    # an expired server may be given any lease
    assert check(Lease(1, "minutes"), now=NOW, expires_at=NOW - timedelta(days=3)) is None
    assert check(None, now=NOW, expires_at=in_a_day) is None
    assert (
        policy(EXPIRY_ALLOW_NEVER=False).check_extension(None, now=NOW, expires_at=in_a_day)
        is Refusal.NEVER
    )
