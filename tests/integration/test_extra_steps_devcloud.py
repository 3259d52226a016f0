"""The operator's own steps on a real OpenStack: a declared step's values and the
example package's step reach Nova as server metadata and tags, read back with
novaclient as the user."""

from __future__ import annotations

import uuid

import pytest

from tests.helpers.extra_steps import COST_CENTRE
from tests.helpers.extra_steps import EXAMPLE_PACKAGE
from tests.helpers.extra_steps import OWNER_STEP
from tests.helpers.wizard import Wizard
from webapp import create_app

pytestmark = pytest.mark.devcloud


@pytest.fixture
def operator_portal(os_config, tmp_path, monkeypatch):
    """A portal on the test cloud with the owner and cost-centre steps, logged in."""
    monkeypatch.syspath_prepend(str(EXAMPLE_PACKAGE))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "CLOUD_AUTH_URL": os_config.auth_url,
            "CLOUD_REGION": os_config.region_name,
            "DEMO_DATABASE": str(tmp_path / "unused.sqlite"),
            "LAUNCH_EXTRA_STEPS": [OWNER_STEP, COST_CENTRE],
        },
        instance_path=str(tmp_path),
    )
    wizard = Wizard(app.test_client())
    response = wizard.login(os_config.username, os_config.password)
    assert response.status_code == 303, "login through the portal failed"
    return wizard


def test_the_steps_values_reach_nova_as_metadata_and_tags(
    operator_portal,
    keypair,
    cleanup,
    nova,
):
    portal = operator_portal
    name = f"skiff-steps-{uuid.uuid4().hex[:6]}"
    cleanup.append(name)
    portal.open()
    portal.fill_all(
        name=name, image="devcloud-tiny-raw", flavor="m1.nano", network="demo-net", keypair=keypair
    )
    assert portal.post("owner", owner="alice", purpose="prod", ticket="T-7").status_code == 303
    assert portal.post("cost_centre", cost_centre="cc-100").status_code == 303
    response = portal.launch(metadata="owner=mallory\nrole=web", tags="web")
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    server = nova.servers.get(response.headers["Location"].rsplit("/", 1)[1])
    assert server.metadata == {
        "owner": "alice",
        "role": "web",
        "ticket": "T-7",
        "cost_centre": "cc-100",
    }
    assert sorted(server.tags) == sorted(["web", "purpose:prod", "T-7", "cc:cc-100"])
