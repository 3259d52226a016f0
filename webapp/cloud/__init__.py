"""Everything that talks with a cloud: OpenStack or the built-in demo cloud.

:func:`use_clouds_yaml` fills the cloud's settings from the ``clouds.yaml``
entry ``SKIFF_CLOUD`` names, if any; :func:`init_app` picks the provider from
the configuration (a Keystone URL means a real OpenStack, none means the demo
cloud); :func:`get_provider` and
:func:`get_connection` give the rest of the app what it needs per request, and
:func:`get_operator` an operator's view of every project (``flask skiff expire``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Config
from flask import Flask
from flask import current_app
from flask import g

from webapp.cloud.base import CloudConnection
from webapp.cloud.base import CloudProvider
from webapp.cloud.models import Identity
from webapp.cloud.operator import OperatorCloud


def use_clouds_yaml(app: Flask, explicit: Mapping[str, Any] | None = None) -> None:
    """With ``CLOUD`` set, take the cloud's settings from that ``clouds.yaml``
    entry (:mod:`.clouds_yaml`), except those set explicitly: in
    ``instance/config.py``, as ``SKIFF_<NAME>`` or in ``explicit`` (the mapping
    given to ``create_app``). CloudsYamlError, which stops the app, when the
    entry cannot be read."""
    name = app.config.get("CLOUD")
    if not name:
        return
    from webapp.cloud.clouds_yaml import cloud_settings

    # The same layers as the app's configuration, without the defaults.
    given = Config(app.config.root_path)
    given.from_pyfile("config.py", silent=True)
    given.from_prefixed_env("SKIFF")
    given.update(explicit or {})
    for key, value in cloud_settings(str(name)).items():
        if key not in given:
            app.config[key] = value


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
