"""Regions and SKIFF_CLOUD on a real OpenStack (the devcloud has one region):
the login names its catalog's regions, and a portal configured from a clouds.yaml
entry (whose credentials it ignores) logs in, shows the region and lists servers."""

from __future__ import annotations

import pytest
import yaml

from tests.helpers.regions import header_region
from tests.helpers.wizard import Wizard
from webapp import create_app

pytestmark = pytest.mark.devcloud


def test_the_login_names_the_catalogs_regions(os_identity, os_config):
    assert os_identity.regions, "the catalog's endpoints have region ids"
    assert os_identity.region in os_identity.regions
    if os_config.region_name:
        assert os_identity.region == os_config.region_name


def test_a_portal_from_a_clouds_yaml_entry(os_config, os_identity, tmp_path, monkeypatch):
    entry = {
        "auth": {
            "auth_url": os_config.auth_url,
            # never used: the portal's users log in with their own
            "username": "not-a-user",
            "password": "not-the-password",
            "project_name": "not-a-project",
            "user_domain_name": "Default",
        },
        "interface": "public",
    }
    if os_config.region_name:
        entry["region_name"] = os_config.region_name
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"skiff-test": entry}}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "CLOUD": "skiff-test",
            "DEMO_DATABASE": str(tmp_path / "unused.sqlite"),
        },
        instance_path=str(tmp_path / "instance"),
    )
    assert app.config["CLOUD_AUTH_URL"] == os_config.auth_url
    assert "not-the-password" not in repr(dict(app.config))
    wizard = Wizard(app.test_client())

    assert wizard.login(os_config.username, os_config.password).status_code == 303

    page = wizard.client.get("/servers/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert header_region(html) == os_identity.region
    if len(os_identity.regions) == 1:
        assert 'class="region-switch"' not in html
