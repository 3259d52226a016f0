"""The operator's own launch steps in tests: a declared step, the example package
found through its entry point, an app or a workflow with them."""

from __future__ import annotations

from pathlib import Path

from webapp import create_app
from webapp.forms.launch import LaunchResources
from webapp.forms.launch.extra_steps import launch_workflow
from webapp.forms.launch.settings import LaunchSettings
from webapp.workflow import MemoryWizardRecords
from webapp.workflow import WizardStore

#: the folder to put on sys.path: the example module and its dist-info
EXAMPLE_PACKAGE = Path(__file__).parent.parent / "fixtures" / "skiff_steps_example"

#: a declared step after Details: an owner (a pattern, metadata) and a purpose
#: (a choice, a tag with a prefix), named in English and Chinese
OWNER_STEP = {
    "slug": "owner",
    "name": {"en": "Owner", "zh_CN": "负责人"},
    "help": {"en": "Who answers for these servers.", "zh_CN": "谁对这些实例负责。"},
    "after": "details",
    "fields": [
        {
            "name": "owner",
            "label": {"en": "Owner's login", "zh_CN": "负责人的登录名"},
            "help": "Lower-case letters, 2 to 20.",
            "required": True,
            "pattern": "[a-z]{2,20}",
            "pattern_message": {
                "en": "Lower-case letters only, 2 to 20.",
                "zh_CN": "仅限小写字母，2 到 20 个。",
            },
            "metadata": "owner",
        },
        {
            "name": "purpose",
            "label": "Purpose",
            "choices": ["test", ["prod", {"en": "Production", "zh_CN": "生产"}]],
            "tag": "purpose:",
        },
        {"name": "ticket", "label": "Ticket", "tag": True, "metadata": "ticket"},
    ],
}
#: the example package's step, before Review
COST_CENTRE = {"entry_point": "cost_centre", "before": "review"}

#: the settings of :func:`launch_wizard` (as tests/helpers/launch_forms.py)
SETTINGS = LaunchSettings(admin_password=True)
ALL_STEPS = frozenset({"launch.step.config", "launch.step.review"})


def extra_app(tmp_path, steps, **config):
    """An app (demo cloud, builds at once) with ``LAUNCH_EXTRA_STEPS = steps``."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DEMO_BUILD_SECONDS": 0,
            "DEMO_DATABASE": str(tmp_path / "demo.sqlite"),
            "SUBMIT_WAIT": 2,
            "LAUNCH_EXTRA_STEPS": steps,
            **config,
        },
        instance_path=str(tmp_path),
    )


def launch_wizard(catalog, steps, *, connection=None):
    """A new wizard of the launch workflow with ``steps``, on ``catalog``, without
    an app; what the hidden first step contributes comes from the initial context."""
    workflow = launch_workflow(steps, languages=["en", "zh_CN"])
    initial = workflow.get_initial({"project_id": "p", "user_id": "u", "region": "RegionOne"})
    state = WizardStore(MemoryWizardRecords()).create("launch_instance", initial)
    resources = LaunchResources(catalog=catalog, connect=lambda: connection, settings=SETTINGS)
    return workflow(state, resources=resources, permissions=ALL_STEPS)


def server_of(app, response):
    """The demo server a launch's answer (a 303 to its page) names."""
    assert response.status_code == 303, response.get_data(as_text=True)[-3000:]
    server_id = response.headers["Location"].rsplit("/", 1)[1]
    provider = app.extensions["skiff.cloud"]
    return provider.connect(provider.login("demo", "demo")).get_server(server_id)
