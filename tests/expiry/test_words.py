"""Leases, the time left and refusals in words (English: the source language)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers.expiry import NOW
from tests.helpers.expiry import expiring
from webapp.expiry.lease import EXPIRES_AT
from webapp.expiry.lease import Expiry
from webapp.expiry.lease import Lease
from webapp.expiry.policy import ExpiryPolicy
from webapp.expiry.policy import Refusal
from webapp.expiry.words import describe
from webapp.expiry.words import lease_words
from webapp.expiry.words import refusal_words
from webapp.expiry.words import time_left


@pytest.mark.parametrize(
    ("lease", "words"),
    [
        (Lease(1, "minutes"), "1 minute"),
        (Lease(90, "minutes"), "90 minutes"),
        (Lease(1, "hours"), "1 hour"),
        (Lease(8, "hours"), "8 hours"),
        (Lease(1, "days"), "1 day"),
        (Lease(30, "days"), "30 days"),
    ],
)
def test_leases(lease, words):
    assert lease_words(lease) == words


@pytest.mark.parametrize(
    ("left", "words"),
    [
        (timedelta(seconds=-3600), "expired"),
        (timedelta(0), "expired"),
        (timedelta(seconds=1), "less than a minute left"),
        (timedelta(seconds=59), "less than a minute left"),
        (timedelta(seconds=60), "1 minute left"),
        (timedelta(seconds=89), "1 minute left"),
        (timedelta(seconds=90), "2 minutes left"),
        (timedelta(hours=2, seconds=-61), "119 minutes left"),
        (timedelta(hours=2, seconds=-1), "2 hours left"),
        (timedelta(hours=2), "2 hours left"),
        (timedelta(hours=8, seconds=-2), "8 hours left"),  # just extended by 8 hours
        (timedelta(days=1), "24 hours left"),
        (timedelta(days=2, seconds=-61), "48 hours left"),
        (timedelta(days=2, seconds=-1), "2 days left"),
        (timedelta(days=2), "2 days left"),
        (timedelta(days=3, seconds=-5), "3 days left"),
        (timedelta(days=3, hours=13), "4 days left"),
    ],
)
def test_time_left(left, words):
    assert time_left(Expiry(NOW + left, "stop"), NOW) == words


def test_refusals_say_what_is_allowed():
    rules = ExpiryPolicy(max_hours=720)
    assert (
        refusal_words(rules, Refusal.TOO_LONG) == "At most 30 days: the longest this cloud allows."
    )
    assert refusal_words(ExpiryPolicy(max_hours=8), Refusal.NEVER) == (
        "This cloud keeps servers for at most 8 hours: choose when this one expires."
    )
    assert refusal_words(rules, Refusal.TOO_SHORT) == (
        "Give a whole number of minutes, hours or days, 1 or more."
    )
    assert "only move it later" in refusal_words(rules, Refusal.SOONER)


def test_what_the_pages_say():
    assert describe({}, "ACTIVE", NOW) is None
    assert describe({EXPIRES_AT: "someday"}, "ACTIVE", NOW) is None
    view = describe(expiring(NOW + timedelta(hours=3)), "ACTIVE", NOW)
    assert (view.expires_at, view.left, view.expired, view.action, view.then) == (
        "2026-12-01T15:00:00Z",
        "3 hours left",
        False,
        "stop",
        "then stopped",
    )
    assert describe(expiring(NOW, "delete"), "ACTIVE", NOW).then == "due to be deleted"
    past = expiring(NOW - timedelta(minutes=5))
    assert describe(past, "ACTIVE", NOW).then == "due to be stopped"
    stopped = describe(past, "SHUTOFF", NOW)
    assert (stopped.left, stopped.then, stopped.expired) == ("expired", "stopped", True)
    assert describe(expiring(NOW + timedelta(days=9), "delete"), "ACTIVE", NOW).then == (
        "then deleted"
    )
