"""The lease on the Details step: its fields and the operator's rules, what it
becomes in the request (the expiry metadata, which the equivalents show), its
place in the metadata quota, and its words on Review."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask

from tests.helpers.expiry import NOW
from tests.helpers.launch_forms import launch_wizard
from tests.helpers.launch_forms import post
from tests.helpers.launch_forms import through
from webapp.cloud.catalog import Catalog
from webapp.cloud.equivalents import api_request
from webapp.cloud.equivalents import openstack_command
from webapp.cloud.equivalents import terraform_config
from webapp.cloud.models import Features
from webapp.cloud.models import Flavor
from webapp.cloud.models import Image
from webapp.cloud.models import KeyPair
from webapp.cloud.models import Limits
from webapp.cloud.models import Network
from webapp.cloud.models import SecurityGroup
from webapp.expiry.lease import Lease
from webapp.expiry.policy import ExpiryPolicy
from webapp.forms.launch.expiry import expiry_summary
from webapp.forms.launch.server_request import server_request

CATALOG = Catalog(
    images=(Image("img-small", "small", min_disk_gb=1),),
    flavors=(Flavor("f-tiny", "tiny", 1, 512, 1),),
    keypairs=(KeyPair("mine"),),
    networks=(Network("net-a", "a", subnets=("10.0.0.0/24",)),),
    security_groups=(SecurityGroup("sg-d", "default"),),
    limits=Limits(max_server_meta=3),
    features=Features(compute_microversion="2.96", description=True, tags=True),
)
AFTER_8_HOURS = {"expires": "after", "expiry_amount": "8", "expiry_unit": "hours"}


@pytest.fixture(autouse=True)
def request_context():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    with app.test_request_context():
        yield


def details(workflow, **data):
    return post(workflow, "details", name="vm", count="1", **data)


def test_by_default_a_server_never_expires():
    workflow = launch_wizard(CATALOG)
    action = workflow.build_action(workflow.get_step("details"))
    assert (action.expires.data, action.expiry_amount.data) == ("never", None)
    assert (action.expiry_unit.data, action.expiry_action.data) == ("hours", "stop")
    through(workflow)
    assert workflow.context["expires"] == "never"
    request = server_request(CATALOG, workflow.context, now=NOW)
    assert request.metadata == {}
    assert expiry_summary(workflow.context) == "never"


def test_a_lease_becomes_the_expiry_metadata_from_the_moment_of_the_request():
    workflow = launch_wizard(CATALOG)
    through(workflow, details={**AFTER_8_HOURS, "expiry_action": "delete"})
    context = workflow.context
    assert (context["expiry_amount"], context["expiry_unit"], context["expiry_action"]) == (
        8,
        "hours",
        "delete",
    )
    request = server_request(CATALOG, context, now=NOW)
    assert request.metadata == {
        "skiff:expires_at": "2026-12-01T20:00:00Z",
        "skiff:expiry_action": "delete",
    }
    later = server_request(CATALOG, context, now=NOW + timedelta(minutes=5))
    assert later.metadata["skiff:expires_at"] == "2026-12-01T20:05:00Z"
    assert expiry_summary(context) == "deleted 8 hours after launch"


def test_the_equivalents_carry_it():
    workflow = launch_wizard(CATALOG)
    through(workflow, details=AFTER_8_HOURS, config={"metadata": "role=web"})
    request = server_request(CATALOG, workflow.context, now=NOW)
    command = openstack_command(request)
    assert "--property skiff:expires_at=2026-12-01T20:00:00Z" in command
    assert "--property skiff:expiry_action=stop" in command
    assert "--property role=web" in command
    body = api_request(request, "2.96").body
    assert body["server"]["metadata"] == {
        "role": "web",
        "skiff:expires_at": "2026-12-01T20:00:00Z",
        "skiff:expiry_action": "stop",
    }
    assert re.search(r'"skiff:expires_at" += "2026-12-01T20:00:00Z"', terraform_config(request))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"expires": "after"}, "Give a whole number of minutes, hours or days, 1 or more."),
        ({"expires": "after", "expiry_amount": ""}, "Give a whole number"),
        ({**AFTER_8_HOURS, "expiry_amount": "0"}, "Give a whole number"),
        ({**AFTER_8_HOURS, "expiry_amount": "-2"}, "Give a whole number"),
        ({**AFTER_8_HOURS, "expiry_amount": "8.5"}, "Not a valid integer value."),
        ({**AFTER_8_HOURS, "expiry_amount": "721"}, "At most 30 days: the longest this cloud"),
        ({**AFTER_8_HOURS, "expiry_unit": "days", "expiry_amount": "31"}, "At most 30 days"),
        ({**AFTER_8_HOURS, "expiry_unit": "weeks"}, "Not a valid choice."),
        ({**AFTER_8_HOURS, "expiry_action": "shelve"}, "Not a valid choice."),
    ],
)
def test_what_the_details_step_refuses(data, message):
    errors, _ = details(launch_wizard(CATALOG), **data)
    assert any(message in e for field in errors.values() for e in field), errors


def test_the_longest_lease_is_allowed_and_never_ignores_the_number():
    errors, _ = details(launch_wizard(CATALOG), **{**AFTER_8_HOURS, "expiry_amount": "720"})
    assert errors == {}
    workflow = launch_wizard(CATALOG)
    errors, _ = details(workflow, expires="never", expiry_amount="soon")
    assert errors == {}
    assert workflow.context["expiry_amount"] is None


def test_the_operators_default_lease():
    rules = ExpiryPolicy(default=Lease(2, "days"), default_action="delete")
    workflow = launch_wizard(CATALOG, expiry=rules)
    action = workflow.build_action(workflow.get_step("details"))
    assert (action.expires.data, action.expiry_amount.data) == ("after", 2)
    assert (action.expiry_unit.data, action.expiry_action.data) == ("days", "delete")
    assert "30 days" in action.expiry_hint()
    # input without the fields (a seeded wizard) gets the default too
    through(workflow)
    assert expiry_summary(workflow.context) == "deleted 2 days after launch"


def test_without_never_every_launch_chooses_a_lease():
    rules = ExpiryPolicy(default=Lease(12, "hours"), max_hours=36, allow_never=False)
    workflow = launch_wizard(CATALOG, expiry=rules)
    action = workflow.build_action(workflow.get_step("details"))
    assert "expires" not in action
    assert action.expiry_amount.data == 12
    assert "This cloud keeps servers for at most 36 hours" in action.expiry_hint()
    errors, _ = details(workflow, expiry_amount="", expiry_unit="hours")
    assert errors["expiry_amount"] == [
        "This cloud keeps servers for at most 36 hours: choose when this one expires."
    ]
    errors, _ = details(workflow, expires="never", expiry_amount="2", expiry_unit="days")
    assert errors["expiry_amount"] == ["At most 36 hours: the longest this cloud allows."]
    through(workflow, details={"expiry_amount": "1", "expiry_unit": "days"})
    assert "expires" not in workflow.context
    request = server_request(CATALOG, workflow.context, now=NOW)
    assert request.metadata["skiff:expires_at"] == "2026-12-02T12:00:00Z"


def test_the_expiry_counts_in_the_projects_metadata_limit():
    workflow = launch_wizard(CATALOG)  # at most 3 items
    through(workflow, upto="config", details=AFTER_8_HOURS)
    errors, _ = post(workflow, "config", metadata="a=1\nb=2")
    assert errors["metadata"] == [
        "2 items and the 2 that keep the expiry (Details): this project allows at most 3."
    ]
    errors, _ = post(workflow, "config", metadata="a=1")
    assert errors == {}
    never = launch_wizard(CATALOG)
    through(never, upto="config")
    errors, _ = post(never, "config", metadata="a=1\nb=2\nc=3")
    assert errors == {}


@pytest.mark.parametrize("key", ["skiff:expires_at", "skiff:expiry_action"])
def test_the_expirys_keys_are_chosen_on_details_only(key):
    workflow = launch_wizard(CATALOG)
    through(workflow, upto="config")
    errors, _ = post(workflow, "config", metadata=f"{key}=2099-01-01T00:00:00Z")
    assert errors["metadata"] == [
        f"Key '{key}' is the portal's own: choose when the server expires on Details."
    ]
