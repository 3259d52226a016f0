"""Fixtures for the OpenStack cloud layer: a fake cloud served by requests-mock
(:class:`tests.helpers.fake_cloud.FakeCloud`), and a provider and connection for it.
"""

from __future__ import annotations

import pytest

from tests.helpers.fake_cloud import FakeCloud
from webapp.cloud.openstack import CallLog
from webapp.cloud.openstack import OpenStackProvider


@pytest.fixture
def cloud(requests_mock) -> FakeCloud:
    """The fake cloud, answering nothing until a test registers answers."""
    return FakeCloud(requests_mock)


@pytest.fixture
def call_log() -> CallLog:
    """The call log the provider records into."""
    return CallLog()


@pytest.fixture
def provider(cloud, call_log) -> OpenStackProvider:
    """A provider for the fake cloud."""
    return OpenStackProvider(auth_url=cloud.auth_url, region_name="RegionOne", call_log=call_log)


@pytest.fixture
def conn(cloud, provider):
    """A connection for the fake cloud's user in project demo (Nova at 2.96)."""
    cloud.nova_version("2.96")
    return provider.connect(cloud.identity())
