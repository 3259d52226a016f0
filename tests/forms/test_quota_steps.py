"""The quotas on the steps that set them: Count (Details) against the instances
quota, each flavor (Flavor) against vCPUs and RAM, and an early or refused launch
on the step to fix. The launch workflow on a catalog made here."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from tests.helpers.launch_forms import launch_wizard
from tests.helpers.launch_forms import post
from tests.helpers.launch_forms import through
from webapp.cloud.catalog import Catalog
from webapp.cloud.errors import QuotaExceeded
from webapp.cloud.models import Features
from webapp.cloud.models import Flavor
from webapp.cloud.models import Image
from webapp.cloud.models import KeyPair
from webapp.cloud.models import Limits
from webapp.cloud.models import Network
from webapp.cloud.models import SecurityGroup
from webapp.forms.launch import LaunchInstance
from webapp.forms.launch.details import DetailsAction
from webapp.forms.launch.flavor import FlavorAction
from webapp.forms.launch.quota import no_room

GIB = 1024**3
FLAVORS = (
    Flavor("f-tiny", "tiny", 1, 512, 1),
    Flavor("f-large", "large", 4, 8192, 80),
)
#: 2 more instances, 12 more vCPUs, 16 GB more RAM
LIMITS = Limits(
    max_instances=10,
    used_instances=8,
    max_cores=20,
    used_cores=8,
    max_ram_mb=24576,
    used_ram_mb=8192,
)


def catalog(limits=LIMITS) -> Catalog:
    return Catalog(
        images=(Image("img-small", "small", size_bytes=GIB // 2, min_disk_gb=1, min_ram_mb=64),),
        flavors=FLAVORS,
        keypairs=(KeyPair("mine"),),
        networks=(Network("net-a", "a", subnets=("10.0.0.0/24",)),),
        security_groups=(SecurityGroup("sg-d", "default"),),
        limits=limits,
        features=Features(compute_microversion="2.96"),
    )


class RefusingCloud:
    """A connection whose create answers like Nova over a quota."""

    def __init__(self, message: str) -> None:
        self.message = message

    def create_servers(self, request):
        raise QuotaExceeded(self.message, request_id="req-9")


@pytest.fixture(autouse=True)
def request_context():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    with app.test_request_context():
        yield


def wizard(limits=LIMITS, connection=None) -> LaunchInstance:
    return launch_wizard(catalog(limits), connection=connection)


def details(workflow) -> DetailsAction:
    action = workflow.build_action(workflow.get_step("details"))
    assert isinstance(action, DetailsAction)
    return action


# -- Count, on Details ---------------------------------------------------------------


def test_count_over_the_instances_quota_is_said_beside_count_with_the_figures():
    workflow = wizard()
    errors, action = post(workflow, "details", name="vm", count="3")
    assert errors == {
        "count": ["3 instances would go over the project's limit of 10; 8 are in use."]
    }
    # the hint still says how many fit, and the button lowers Count to it
    assert action.count_hint() == "At most 2 more servers fit in the project's quotas."
    assert action.fit_count() == 2


def test_count_that_fits_passes_and_offers_no_lowering():
    workflow = wizard()
    errors, action = post(workflow, "details", name="vm", count="2")
    assert errors == {}
    assert action.fit_count() is None
    assert action.count_hint() == "At most 2 more servers fit in the project's quotas."


def test_a_count_not_a_number_or_out_of_range_gets_only_its_own_error():
    workflow = wizard(Limits(max_instances=1, used_instances=1))
    errors, _ = post(workflow, "details", name="vm", count="0")
    assert errors == {"count": ["Number must be between 1 and 100."]}
    errors, _ = post(workflow, "details", name="vm", count="x")
    assert errors["count"][0] == "Not a valid integer value."
    assert not any("instances" in error for error in errors["count"])


def test_a_full_project_is_said_once_on_details():
    full = Limits(max_instances=10, used_instances=10, max_cores=20, used_cores=10)
    workflow = wizard(full)
    # before any check: the hint near Count says it
    assert details(workflow).count_hint() == no_room(full)
    assert details(workflow).fit_count() is None  # nothing to lower Count to
    # Next: the error says it, and the hint does not say it again
    errors, action = post(workflow, "details", name="vm", count="1")
    assert errors == {"count": [no_room(full)]}
    assert action.count_hint() is None


def test_unlimited_quotas_say_nothing_and_refuse_nothing():
    workflow = wizard(Limits())
    errors, action = post(workflow, "details", name="vm", count="100")
    assert errors == {}
    assert action.count_hint() is None and action.fit_count() is None


def test_with_a_flavor_chosen_the_hint_and_the_button_count_its_vcpus_and_ram():
    workflow = wizard(dataclasses.replace(LIMITS, max_instances=50))
    through(workflow, "network", flavor={"flavor": "f-large"})
    errors, action = post(workflow, "details", name="vm", count="5")
    # vCPUs are the Flavor step's to refuse, not Count's: Details passes
    assert errors == {}
    # 12 vCPUs left make room for 3 servers of 4, 16 GB of RAM for 2 of 8 GB
    assert action.count_hint() == (
        "At most 2 more servers fit in the project's quotas with the flavor chosen."
    )
    assert action.fit_count() == 2


# -- flavors, on Flavor --------------------------------------------------------------


def flavor_action(limits, count=1) -> FlavorAction:
    context = {"count": count, "source_id": "img-small", "boot_volume": False}
    return FlavorAction(context, resources=wizard(limits).resources, formdata=None, data={})


def test_a_full_instances_quota_does_not_make_flavors_look_wrong():
    action = flavor_action(Limits(max_instances=10, used_instances=10, max_cores=20))
    assert [action.unusable(flavor) for flavor in FLAVORS] == [None, None]


@pytest.mark.parametrize(
    ("count", "limits", "reason"),
    [
        (1, LIMITS, None),
        (
            4,
            LIMITS,
            "16 vCPUs for 4 servers would go over the project's limit of 20 vCPUs; 8 are in use",
        ),
        (
            3,
            Limits(max_ram_mb=20480, used_ram_mb=0),
            "24 GB of RAM for 3 servers would go over the project's limit of 20 GB; "
            "0 MB are in use",
        ),
        (
            1,
            Limits(max_cores=2),
            "4 vCPUs would go over the project's limit of 2 vCPUs; 0 are in use",
        ),
    ],
)
def test_each_flavor_says_which_of_its_quotas_it_goes_over(count, limits, reason):
    action = flavor_action(limits, count)
    assert action.unusable(FLAVORS[1]) == reason
    assert action.unusable(FLAVORS[0]) is None


def test_choosing_a_flavor_over_the_vcpus_quota_is_refused_in_words():
    workflow = wizard()
    through(workflow, "flavor", details={"count": "2"})
    errors, _ = post(workflow, "flavor", flavor="f-large")
    assert errors == {}
    workflow = wizard(Limits(max_instances=10, max_cores=6))
    through(workflow, "flavor", details={"count": "2"})
    errors, _ = post(workflow, "flavor", flavor="f-large")
    assert errors == {
        "flavor": [
            "large cannot be used: 8 vCPUs for 2 servers would go over the project's limit "
            "of 6 vCPUs; 0 are in use."
        ]
    }


# -- the final submit ----------------------------------------------------------------


def test_launching_early_over_the_instances_quota_lands_on_details():
    workflow = wizard(Limits(max_instances=2))
    workflow.save_input(workflow.get_step("details"), MultiDict({"name": "web", "count": "3"}))
    assert workflow.finalize() is False
    # Details is the first (and only) step with errors: later ones wait for it
    assert workflow.entry_point().slug() == "details"
    assert workflow.errors == {
        "details": {"count": ["3 instances would go over the project's limit of 2; 0 are in use."]}
    }


@pytest.mark.parametrize(
    ("message", "step", "field", "words"),
    [
        (
            "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances",
            "details",
            "count",
            "The cloud refused the launch over the project's instances quota: 1 instance would "
            "go over the project's limit of 10; 10 are in use.",
        ),
        (
            "Quota exceeded for cores: Requested 1, but already used 20 of 20 cores",
            "flavor",
            "flavor",
            "The cloud refused the launch over the project's vCPUs quota: 1 vCPU would go over "
            "the project's limit of 20 vCPUs; 20 are in use.",
        ),
    ],
)
def test_novas_refusal_over_quota_lands_on_the_step_that_sets_it(message, step, field, words):
    workflow = wizard(connection=RefusingCloud(message))
    through(workflow)
    assert workflow.finalize() is False
    assert workflow.entry_point().slug() == step
    (said,) = workflow.errors[step][field]
    assert said.startswith(words)
    assert said.endswith(f"The cloud said: {message} (request req-9)")
