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

import pytest
import requests
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from novaclient import client as nova_client

from tests.helpers.cloud_config import CloudConfig
from tests.helpers.skips import unavailable
from webapp.cloud import errors
from webapp.cloud.models import Identity
from webapp.cloud.openstack import OpenStackProvider

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
