"""Everything that talks with a cloud: OpenStack or the built-in demo cloud.

:func:`init_app` picks the provider from the configuration (a Keystone URL means a
real OpenStack, none means the demo cloud); :func:`get_provider` and
:func:`get_connection` give the rest of the app what it needs per request, and
:func:`get_operator` an operator's view of every project (``flask skiff expire``).
"""

from __future__ import annotations

import os

from flask import Flask
from flask import current_app
from flask import g

from webapp.cloud.base import CloudConnection
from webapp.cloud.base import CloudProvider
from webapp.cloud.models import Identity
from webapp.cloud.operator import OperatorCloud


def init_app(app: Flask) -> None:
    """Build the app's cloud provider from its configuration."""
    config = app.config
    provider: CloudProvider
    if config["CLOUD_AUTH_URL"]:
        from webapp.cloud.openstack import OpenStackProvider

        provider = OpenStackProvider(
            auth_url=config["CLOUD_AUTH_URL"],
            user_domain_name=config["CLOUD_USER_DOMAIN"],
            region_name=config["CLOUD_REGION"],
            interface=config["CLOUD_INTERFACE"],
            verify=config["CLOUD_VERIFY"],
            timeout=float(config["CLOUD_TIMEOUT"]),
        )
    else:
        from webapp.cloud.demo import DemoProvider

        provider = DemoProvider(
            config["DEMO_DATABASE"] or os.path.join(app.instance_path, "demo-cloud.sqlite"),
            build_seconds=float(config["DEMO_BUILD_SECONDS"]),
            action_seconds=_seconds(config["DEMO_ACTION_SECONDS"]),
            boot_seconds=_seconds(config["DEMO_BOOT_SECONDS"]),
            latency=float(config["DEMO_LATENCY"]),
        )
    app.extensions["skiff.cloud"] = provider


def _seconds(value: object) -> float | None:
    """A duration from the configuration; None (unset) keeps the default."""
    return None if value is None else float(str(value))


def get_provider() -> CloudProvider:
    """The app's cloud provider."""
    provider: CloudProvider = current_app.extensions["skiff.cloud"]
    return provider


def get_connection(identity: Identity) -> CloudConnection:
    """A connection for the logged-in user, built once per request."""
    if "cloud" not in g:
        g.cloud = get_provider().connect(identity)
    connection: CloudConnection = g.cloud
    return connection


def get_operator() -> OperatorCloud:
    """The app's cloud as its operator sees it (every project): the demo cloud's
    store, or the ``clouds.yaml`` entry ``EXPIRE_CLOUD`` (openstacksdk's config
    loader); CloudUnavailable when that cannot be read."""
    from webapp.cloud.demo import DemoProvider

    provider = get_provider()
    if isinstance(provider, DemoProvider):
        from webapp.cloud.demo.operator import DemoOperator

        return DemoOperator(provider.store)
    from webapp.cloud.openstack.operator import OpenStackOperator

    return OpenStackOperator.from_clouds_yaml(current_app.config["EXPIRE_CLOUD"])
