"""Fixtures for tests against a real OpenStack (../shared/devcloud or any other).

Which cloud, from the environment:

* ``SKIFF_TEST_OS_AUTH_URL``: the Keystone v3 URL. When unset and
  ``/opt/devcloud/clouds.yaml`` exists, the devcloud at http://127.0.0.1:5000/v3.
* ``SKIFF_TEST_OS_USERNAME`` / ``SKIFF_TEST_OS_PASSWORD``: the portal user
  (default ``demo`` / ``devcloud-demo``).
* ``SKIFF_TEST_OS_ADMIN_USERNAME`` / ``..._PASSWORD`` / ``..._PROJECT``: a cloud admin,
  for quota changes (default ``admin`` / ``devcloud-admin`` / ``admin``).
* ``SKIFF_TEST_OS_REGION``: the region (default: any).

Without a reachable cloud the tests are skipped, except when ``CI`` is set: then
they fail, so a CI job cannot pass by testing nothing.
"""

from __future__ import annotations

import os
import uuid

import pytest
import requests
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from novaclient import client as nova_client

from tests.helpers.cloud_config import CloudConfig
from tests.helpers.skips import unavailable
from tests.helpers.wizard import Wizard
from webapp import create_app
from webapp.cloud import errors
from webapp.cloud.models import Identity
from webapp.cloud.openstack import OpenStackProvider

PUBLIC_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx7lI1h5J9Ckq6y7Qm3m1r1b2Q8d0h0Yk3Zr7m9oU1V skiff@test"
)
DEVCLOUD_CONFIG = "/opt/devcloud/clouds.yaml"
DEVCLOUD_AUTH_URL = "http://127.0.0.1:5000/v3"
SKIP_MESSAGE = "no OpenStack configured: run ../shared/devcloud/up.sh or set SKIFF_TEST_OS_AUTH_URL"


@pytest.fixture(scope="session")
def os_config() -> CloudConfig:
    """The test cloud's settings; skips (fails in CI) when none is reachable."""
    env = os.environ.get
    auth_url = env("SKIFF_TEST_OS_AUTH_URL")
    if not auth_url and os.path.exists(DEVCLOUD_CONFIG):
        auth_url = DEVCLOUD_AUTH_URL
    if not auth_url:
        unavailable(SKIP_MESSAGE, "no auth URL")
    try:
        requests.get(auth_url, timeout=5).raise_for_status()
    except requests.RequestException as exc:
        unavailable(SKIP_MESSAGE, f"{auth_url} did not answer: {type(exc).__name__}")
    return CloudConfig(
        auth_url=auth_url,
        username=env("SKIFF_TEST_OS_USERNAME", "demo"),
        password=env("SKIFF_TEST_OS_PASSWORD", "devcloud-demo"),
        admin_username=env("SKIFF_TEST_OS_ADMIN_USERNAME", "admin"),
        admin_password=env("SKIFF_TEST_OS_ADMIN_PASSWORD", "devcloud-admin"),
        admin_project=env("SKIFF_TEST_OS_ADMIN_PROJECT", "admin"),
        region_name=env("SKIFF_TEST_OS_REGION") or None,
    )


@pytest.fixture(scope="session")
def os_provider(os_config) -> OpenStackProvider:
    """An OpenStackProvider for the test cloud."""
    return OpenStackProvider(
        auth_url=os_config.auth_url, region_name=os_config.region_name, timeout=30
    )


@pytest.fixture(scope="session")
def os_identity(os_config, os_provider) -> Identity:
    """The test user, logged in (once per test session)."""
    try:
        return os_provider.login(os_config.username, os_config.password)
    except errors.CloudError as exc:
        unavailable(SKIP_MESSAGE, f"login as {os_config.username} failed: {exc}")
        raise


@pytest.fixture(scope="session")
def os_admin_compute(os_config) -> nova_client.Client:
    """A novaclient acting as the cloud admin (for quotas)."""
    auth = v3.Password(
        auth_url=os_config.auth_url,
        username=os_config.admin_username,
        password=os_config.admin_password,
        user_domain_name="Default",
        project_name=os_config.admin_project,
        project_domain_name="Default",
    )
    session = ks_session.Session(auth=auth, timeout=30)
    return nova_client.Client("2.1", session=session, region_name=os_config.region_name)


@pytest.fixture
def portal(os_config, tmp_path):
    """A portal on the test cloud (in this process), with its user logged in: a
    :class:`Wizard` over its test client."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "CLOUD_AUTH_URL": os_config.auth_url,
            "CLOUD_REGION": os_config.region_name,
            "DEMO_DATABASE": str(tmp_path / "unused.sqlite"),
        },
        instance_path=str(tmp_path),
    )
    wizard = Wizard(app.test_client())
    response = wizard.login(os_config.username, os_config.password)
    assert response.status_code == 303, "login through the portal failed"
    return wizard


@pytest.fixture
def nova(os_config, os_provider, os_identity):
    """novaclient as the test user, for setting up and reading back."""
    connection = os_provider.connect(os_identity)
    return nova_client.Client("2.96", session=connection.session, region_name=os_config.region_name)


@pytest.fixture
def cleanup(nova):
    """Names of servers a test makes; they are deleted after it."""
    names = []
    yield names
    for server in nova.servers.list():
        if server.name in names:
            server.delete()


@pytest.fixture
def keypair(nova):
    """A key pair of the test user, deleted after the test."""
    name = f"skiff-test-{uuid.uuid4().hex[:8]}"
    nova.keypairs.create(name, public_key=PUBLIC_KEY)
    yield name
    nova.keypairs.delete(name)
