"""The quota words and figures of the launch: sentences, the largest count that
fits, the bars' colours, and an over-quota refusal of the cloud pinned to its step.
Pure functions of a catalog made here: no app."""

from __future__ import annotations

import pytest

from tests.helpers.quota import meter_region
from webapp.cloud.catalog import Catalog
from webapp.cloud.errors import QuotaExceeded
from webapp.cloud.models import Features
from webapp.cloud.models import Flavor
from webapp.cloud.models import Limits
from webapp.forms.launch.blame import step_error
from webapp.forms.launch.quota import CORES
from webapp.forms.launch.quota import GIGABYTES
from webapp.forms.launch.quota import INSTANCES
from webapp.forms.launch.quota import RAM
from webapp.forms.launch.quota import VOLUMES
from webapp.forms.launch.quota import QuotaRow
from webapp.forms.launch.quota import count_hint
from webapp.forms.launch.quota import max_count
from webapp.forms.launch.quota import no_room
from webapp.forms.launch.quota import over_limit
from webapp.forms.launch.quota import quota_rows

LARGE = Flavor("f-large", "m1.large", 4, 8192, 80)


def catalog(volumes=True, **limits) -> Catalog:
    return Catalog(limits=Limits(**limits), features=Features(volumes=volumes))


@pytest.mark.parametrize(
    ("resource", "asked", "used", "limit", "servers", "sentence"),
    [
        (INSTANCES, 3, 0, 2, 3, "3 instances would go over the project's limit of 2; 0 are in use"),
        (INSTANCES, 1, 2, 2, 1, "1 instance would go over the project's limit of 2; 2 are in use"),
        (INSTANCES, 2, 1, 2, 2, "2 instances would go over the project's limit of 2; 1 is in use"),
        (
            CORES,
            4,
            18,
            20,
            2,
            "4 vCPUs for 2 servers would go over the project's limit of 20 vCPUs; 18 are in use",
        ),
        (CORES, 1, 1, 1, 1, "1 vCPU would go over the project's limit of 1 vCPU; 1 is in use"),
        (
            RAM,
            16384,
            47104,
            51200,
            2,
            "16 GB of RAM for 2 servers would go over the project's limit of 50 GB; "
            "46 GB are in use",
        ),
        (
            RAM,
            512,
            7936,
            8192,
            1,
            "512 MB of RAM would go over the project's limit of 8 GB; 7.75 GB are in use",
        ),
        (
            VOLUMES,
            3,
            0,
            2,
            3,
            "3 volumes for 3 servers would go over the project's limit of 2 volumes; 0 are in use",
        ),
        (
            GIGABYTES,
            60,
            1,
            20,
            3,
            "60 GB of volume storage for 3 servers would go over the project's limit of 20 GB; "
            "1 GB is in use",
        ),
    ],
)
def test_over_the_limit_in_words(resource, asked, used, limit, servers, sentence):
    assert over_limit(resource, asked, used, limit, servers) == sentence


def test_a_full_project_is_said_with_its_figures_and_what_to_do():
    assert no_room(Limits(max_instances=10, used_instances=10)) == (
        "The project has no room for another server: 10 of 10 instances are in use. "
        "Delete a server or ask your cloud's operators for more quota."
    )


def test_rows_say_what_goes_over_and_by_how_much():
    rows = quota_rows(catalog(max_instances=2, max_cores=20, used_cores=18), LARGE, 2, (1, 10))
    by_label = {row.label: row for row in rows}
    assert list(by_label) == ["Instances", "vCPUs", "RAM (MB)", "Volumes", "Volume storage (GB)"]
    assert by_label["Instances"].fits and by_label["Instances"].problem() is None
    cores = by_label["vCPUs"]
    assert (cores.launch, cores.fits, cores.over_by, cores.left) == (8, False, 6, -6)
    assert cores.problem() == (
        "8 vCPUs for 2 servers would go over the project's limit of 20 vCPUs; 18 are in use"
    )
    assert by_label["Volumes"].launch == 2 and by_label["Volumes"].limit == -1


def test_volume_rows_only_where_the_cloud_has_volumes():
    rows = quota_rows(catalog(volumes=False), LARGE, 1)
    assert [row.resource for row in rows] == [INSTANCES, CORES, RAM]


@pytest.mark.parametrize(
    ("used", "launch", "limit", "region", "near"),
    [
        (0, 1, 10, "optimum", False),  # green
        (7, 1, 10, "optimum", False),  # 80 %: still green
        (8, 1, 10, "suboptimal", True),  # amber near the limit
        (9, 1, 10, "suboptimal", True),  # full, not over: amber
        (10, 1, 10, "even-less-good", False),  # over: red
        (0, 3, 2, "even-less-good", False),
        (0, 0, 0, "optimum", False),  # a limit of 0, nothing asked
        (0, 1, 0, "even-less-good", False),  # a limit of 0, something asked: red
        (0, 1, 1, "suboptimal", True),
    ],
)
def test_the_bar_is_green_amber_or_red_as_a_browser_draws_it(used, launch, limit, region, near):
    row = QuotaRow(INSTANCES, used, launch, limit)
    meter = row.meter()
    assert meter is not None
    assert meter_region(meter) == region
    assert row.near is near
    assert meter["value"] == used + launch and meter["max"] >= meter["value"]


def test_an_unlimited_quota_has_no_bar():
    assert QuotaRow(CORES, 5, 2, -1).meter() is None
    assert QuotaRow(CORES, 5, 2, -1).fits


@pytest.mark.parametrize(
    ("limits", "flavor", "volumes", "room", "by"),
    [
        ({}, None, (0, 0), None, None),  # no quota limits anything
        ({"max_instances": 10, "used_instances": 3}, None, (0, 0), 7, INSTANCES),
        ({"max_instances": 10, "used_instances": 12}, None, (0, 0), 0, INSTANCES),
        # a flavor chosen: vCPUs leave room for 2 servers of 4
        ({"max_instances": 10, "max_cores": 20, "used_cores": 10}, LARGE, (0, 0), 2, CORES),
        ({"max_instances": 10, "max_ram_mb": 20480}, LARGE, (0, 0), 2, RAM),
        # a volume per server, 1 left
        ({"max_instances": 10, "max_volumes": 5, "used_volumes": 4}, None, (1, 10), 1, VOLUMES),
        (
            {"max_instances": 10, "max_volume_gb": 100, "used_volume_gb": 90},
            None,
            (1, 4),
            2,
            GIGABYTES,
        ),
        # nothing chosen yet takes nothing
        ({"max_instances": 10, "max_cores": 1, "used_cores": 1}, None, (0, 0), 10, INSTANCES),
    ],
)
def test_the_largest_count_that_fits(limits, flavor, volumes, room, by):
    found, row = max_count(catalog(**limits), flavor, volumes)
    assert found == room
    assert (row.resource if row else None) == by


@pytest.mark.parametrize(
    ("limits", "flavor", "hint"),
    [
        ({}, None, None),
        (
            {"max_instances": 10, "used_instances": 8},
            None,
            "At most 2 more servers fit in the project's quotas.",
        ),
        (
            {"max_instances": 10, "used_instances": 9},
            None,
            "At most 1 more server fits in the project's quotas.",
        ),
        (
            {"max_instances": 10, "max_cores": 20, "used_cores": 10},
            LARGE,
            "At most 2 more servers fit in the project's quotas with the flavor chosen.",
        ),
        (
            {"max_instances": 10, "max_cores": 20, "used_cores": 18},
            LARGE,
            "No more servers of this size fit in the project's quotas: 4 vCPUs would go over "
            "the project's limit of 20 vCPUs; 18 are in use.",
        ),
        # full: said the one way, whatever the flavor
        (
            {"max_instances": 4, "used_instances": 4, "max_cores": 20},
            LARGE,
            no_room(Limits(max_instances=4, used_instances=4)),
        ),
        ({"max_instances": 1000}, None, None),  # more than any count
    ],
)
def test_the_count_hint(limits, flavor, hint):
    assert count_hint(catalog(**limits), flavor) == hint


@pytest.mark.parametrize(
    ("message", "step", "field", "words"),
    [
        (
            "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances",
            "details",
            "count",
            "The cloud refused the launch over the project's instances quota: 1 instance would "
            "go over the project's limit of 10; 10 are in use. The cloud said: Quota exceeded "
            "for instances: Requested 1, but already used 10 of 10 instances (request req-1)",
        ),
        (
            "Quota exceeded for cores: Requested 8, but already used 18 of 20 cores",
            "flavor",
            "flavor",
            "The cloud refused the launch over the project's vCPUs quota: 8 vCPUs would go over "
            "the project's limit of 20 vCPUs; 18 are in use.",
        ),
        (
            "Quota exceeded for ram: Requested 4096, but already used 49152 of 51200 ram",
            "flavor",
            "flavor",
            "over the project's RAM quota: 4 GB of RAM would go over the project's limit of "
            "50 GB; 48 GB are in use.",
        ),
        (
            "Maximum number of instances exceeded",
            "details",
            "count",
            "The cloud refused the launch over the project's instances quota. The cloud said: "
            "Maximum number of instances exceeded",
        ),
        (
            "Quota exceeded for cores, ram: Requested 8, 16384, but already used 18, 1 of 20, 2",
            "flavor",
            "flavor",
            "The cloud refused the launch over the project's vCPUs quota. The cloud said:",
        ),
        (
            "Quota exceeded, too many servers in group",
            "config",
            "server_group",
            "The cloud refused the launch over a server group's quota.",
        ),
        (
            "Maximum number of volumes allowed (2) exceeded for quota 'volumes'.",
            "source",
            "source_id",
            "The cloud refused the launch over the project's volume quota.",
        ),
        (
            "Quota exceeded for key_pairs.",
            "flavor",
            "flavor",
            "The cloud refused the launch over one of the project's quotas.",
        ),
    ],
)
def test_an_over_quota_refusal_lands_on_its_step_in_quota_words(message, step, field, words):
    error = step_error(QuotaExceeded(message, request_id="req-1"))
    assert (error.step, error.field) == (step, field)
    assert words in error.message
    assert error.message.endswith(f"{message} (request req-1)")
