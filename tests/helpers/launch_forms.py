"""The Launch Instance workflow on a catalog made by a test, without an app:
building it, posting one step's input, and completing the steps before one with
valid input (for the form tests in ``tests/forms/``)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from webapp.cloud.catalog import Catalog
from webapp.forms.launch import LaunchInstance
from webapp.forms.launch import LaunchResources
from webapp.forms.launch.settings import LaunchSettings
from webapp.workflow import MemoryWizardRecords
from webapp.workflow import WizardStore

#: the operator's launch settings of these tests (overridable per wizard)
SETTINGS = {
    "default_source": "image",
    "disabled_sources": (),
    "create_volume": False,
    "delete_volume_on_termination": True,
    "config_drive": False,
    "admin_password": True,
}
ALL_STEPS = frozenset({"launch.step.config", "launch.step.review"})
#: valid input for each step, on a catalog with image "img-small", flavor
#: "f-tiny", network "net-a", key pair "mine" and security group "default"
VALID = {
    "details": {"name": "vm", "count": "1"},
    "source": {"source_id": "img-small"},
    "flavor": {"flavor": "f-tiny"},
    "network": {"nic_1": "net-a"},
    "access": {"keypair": "mine", "security_groups": ["default"]},
    "config": {},
}


def launch_wizard(catalog: Catalog, *, connection=None, **settings) -> LaunchInstance:
    """A new wizard on ``catalog``, every step allowed; ``connection`` is what
    the launch would reach the cloud through."""
    state = WizardStore(MemoryWizardRecords()).create(
        "launch_instance", {"project_id": "p", "user_id": "u", "region": "RegionOne"}
    )
    resources = LaunchResources(
        catalog=catalog,
        connect=lambda: connection,
        settings=LaunchSettings(**{**SETTINGS, **settings}),
    )
    return LaunchInstance(state, resources=resources, permissions=ALL_STEPS)


def post(workflow: LaunchInstance, slug: str, **data):
    """Validate step ``slug`` with ``data``: its errors, and its action."""
    action = workflow.validate_step(workflow.get_step(slug), MultiDict(data))
    return workflow.errors.get(slug, {}), action


def through(workflow: LaunchInstance, upto: str | None = None, **overrides) -> None:
    """Complete the steps before ``upto`` (all of them: None) with :data:`VALID`
    input, each step's overridable (``details={"count": "2"}``)."""
    for slug, data in VALID.items():
        if slug == upto:
            return
        errors, _ = post(workflow, slug, **{**data, **overrides.get(slug, {})})
        assert errors == {}, (slug, errors)
