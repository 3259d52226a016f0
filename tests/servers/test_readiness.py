"""Readiness, status words, ages, polling delays, fault explanations and the
lookup cache: pure functions, no app."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from webapp.blueprints.servers import presenting
from webapp.blueprints.servers import readiness
from webapp.cloud.faults import explain
from webapp.cloud.faults import short_cause
from webapp.cloud.lookup import LookupCache
from webapp.cloud.models import Flavor
from webapp.cloud.models import Image
from webapp.cloud.models import Server
from webapp.cloud.models import ServerAddress

CREATED = "2026-12-01T16:50:00Z"
LAUNCHED = "2026-12-01T16:50:09Z"
LINE = (
    "Cloud-init v. 24.1.3 finished at Tue, 01 Dec 2026 16:50:28 +0000. "
    "Datasource DataSourceNoCloud.  Up 14.20 seconds\n"
)


def server(**kw) -> Server:
    values = {"id": "s1", "name": "web-1", "status": "ACTIVE", "created": CREATED}
    return Server(**{"launched_at": LAUNCHED, **values, **kw})


def at(seconds: int) -> datetime:
    """``seconds`` after the server became ACTIVE."""
    return datetime(2026, 12, 1, 16, 50, 9, tzinfo=UTC) + timedelta(seconds=seconds)


def test_ready_line_gives_seconds_from_creation():
    found = readiness.assess(server(), "boot...\n" + LINE, now=at(30), timeout=600)
    assert found.state == readiness.READY
    assert found.ready_after == 28
    assert found.active_after == 9
    assert found.known


def test_without_the_line_it_waits_then_says_no_report():
    assert (
        readiness.assess(server(), "booting", now=at(599), timeout=600).state == readiness.WAITING
    )
    assert (
        readiness.assess(server(), "booting", now=at(600), timeout=600).state == readiness.NO_REPORT
    )


def test_not_active_means_nothing_to_wait_for():
    found = readiness.assess(server(status="SHUTOFF"), LINE, now=at(5), timeout=600)
    assert found.state is None and found.known
    assert (
        readiness.assess(server(task_state="rebooting"), LINE, now=at(5), timeout=600).state is None
    )


def test_the_last_finished_line_counts():
    earlier = LINE.replace("16:50:28", "16:40:00")
    assert readiness.cloud_init_finished(earlier + LINE) == datetime(
        2026, 12, 1, 16, 50, 28, tzinfo=UTC
    )
    assert readiness.cloud_init_finished("Cloud-init v. 24.1.3 running 'init'") is None


@pytest.mark.parametrize(
    ("image", "user"),
    [
        (Image("i", "x", os_admin_user="admin", os_distro="ubuntu"), "admin"),
        (Image("i", "x", os_distro="Ubuntu"), "ubuntu"),
        (Image("i", "x", os_distro="rocky"), "rocky"),
        (Image("i", "x", os_distro="plan9"), "<user>"),
        (None, "<user>"),
    ],
)
def test_ssh_user(image, user):
    assert readiness.ssh_user(image) == user


def test_ssh_command_prefers_the_floating_address_and_names_the_key():
    ips = (
        ServerAddress("private", "10.0.0.5"),
        ServerAddress("private", "203.0.113.7", kind="floating"),
    )
    command = readiness.ssh_command(server(ips=ips, key_name="demo-key"), "debian")
    assert command == "ssh -i demo-key.pem debian@203.0.113.7"
    assert readiness.ssh_command(server(addresses=("10.0.0.9",)), "x") == "ssh x@10.0.0.9"
    assert readiness.ssh_command(server(), "x") is None


@pytest.mark.parametrize(
    ("kw", "words", "tone"),
    [
        ({"status": "BUILD", "task_state": "spawning"}, "Building: spawning", "busy"),
        (
            {"status": "BUILD", "task_state": "block_device_mapping"},
            "Building: block device mapping",
            "busy",
        ),
        ({"status": "ACTIVE"}, "Running", "ok"),
        ({"status": "SHUTOFF"}, "Stopped", "off"),
        ({"status": "ACTIVE", "task_state": "powering-off"}, "Stopping", "busy"),
        ({"status": "REBOOT", "task_state": "rebooting"}, "Rebooting", "busy"),
        ({"status": "HARD_REBOOT"}, "Rebooting (hard)", "busy"),
        ({"status": "ERROR", "task_state": "deleting"}, "Deleting", "busy"),
        (
            {"status": "ERROR", "fault": "No valid host was found."},
            "Error: No host could take it",
            "bad",
        ),
    ],
)
def test_status_in_words(kw, words, tone):
    status = presenting.status_of(server(**kw))
    assert (status.words, status.tone) == (words, tone)


def test_age_in_words():
    now = datetime(2026, 12, 1, 17, 0, 0, tzinfo=UTC)
    assert presenting.age_in_words("2026-12-01T16:59:55Z", now=now) == "just now"
    assert presenting.age_in_words("2026-12-01T16:57:00Z", now=now) == "3 minutes ago"
    assert presenting.age_in_words("2026-12-01T15:59:00Z", now=now) == "1 hour ago"
    assert presenting.age_in_words("2026-11-28T17:00:00Z", now=now) == "3 days ago"
    assert presenting.age_in_words("", now=now) == "—"


def test_poll_delays_are_fast_for_ten_seconds_then_back_off_to_five():
    delays = [presenting.poll_delay(n) for n in range(40)]
    assert delays[:20] == [0.5] * 20
    assert delays[20] == 0.75
    assert all(b >= a for a, b in zip(delays, delays[1:], strict=False))
    assert delays[-1] == 5.0


@pytest.mark.parametrize(
    ("fault", "short"),
    [
        ("No valid host was found. There are not enough hosts available.", "No host could take it"),
        (
            "Quota exceeded for cores: Requested 4, but already used 20 of 20 cores",
            "Quota exceeded",
        ),
        ("Quota exceeded for ram: Requested 2048, but already used 51200", "Quota exceeded"),
        (
            "Build of instance 1 aborted: Volume 2 did not finish being created even after we "
            "waited 3 seconds or 2 attempts. And its status is error.",
            "Volume not created",
        ),
        ("Block Device Mapping is Invalid: failed to get volume 3.", "Invalid disks"),
        (
            "VolumeLimitExceeded: Maximum number of volumes allowed (10) exceeded",
            "Volume quota full",
        ),
        ("Image 5 could not be found.", "Image gone"),
        ("Image 5 is not active.", "Image unusable"),
        ("Image 5 is unacceptable: bad format", "Image unusable"),
        ("Flavor's disk is too small for requested image.", "Flavor too small for image"),
        ("Port 7 is still in use.", "Port in use"),
        ("IP address 10.0.0.5 already allocated in subnet 9", "IP address taken"),
        ("No more IP addresses available on network 8.", "Network full"),
    ],
)
def test_fault_explanations_say_cause_and_remedy(fault, short):
    found = explain(fault)
    assert found is not None and found.short == short
    assert found.cause and found.remedy
    assert short_cause(fault) == short


def test_unknown_fault_is_shown_shortened():
    assert explain("Something odd") is None
    assert short_cause("x" * 100).endswith("…") and len(short_cause("x" * 100)) == 60


def test_lookup_cache_fetches_once_per_project_within_its_ttl():
    now = [0.0]
    cache = LookupCache(ttl=60, clock=lambda: now[0])
    fetched = []

    def fetch():
        fetched.append(1)
        return [Flavor("f1", "m1.tiny", 1, 512, 1)]

    assert cache.flavors("p1", fetch)["f1"].name == "m1.tiny"
    cache.flavors("p1", fetch)
    assert len(fetched) == 1
    cache.flavors("p2", fetch)  # another project: its own entry
    assert len(fetched) == 2
    now[0] = 61
    cache.flavors("p1", fetch)
    assert len(fetched) == 3
    assert cache.cached_image("p1", "i1") is None
