"""Where the portal's cloud is, read from an entry of ``clouds.yaml`` (``SKIFF_CLOUD``).

openstacksdk's config loader (the optional extra ``skiff[clouds]``) finds the file
where every OpenStack client looks: ``OS_CLIENT_CONFIG_FILE``, ``./clouds.yaml``,
``~/.config/openstack/``, ``/etc/openstack/``. Only where the cloud is and how to
reach it is taken from the entry (:data:`TAKEN`): the portal's users log in with
their own credentials, so the entry's user name, password, project, application
credential or token are never read into the configuration, even when present.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["TAKEN", "CloudsYamlError", "cloud_settings"]

#: the settings an entry may give, each under an explicit SKIFF_<NAME>
TAKEN = (
    "CLOUD_AUTH_URL",
    "CLOUD_REGION",
    "CLOUD_INTERFACE",
    "CLOUD_VERIFY",
    "CLOUD_USER_DOMAIN",
)


class CloudsYamlError(RuntimeError):
    """The ``clouds.yaml`` entry named by ``SKIFF_CLOUD`` cannot be used; the
    portal does not start, and the message says why."""


def cloud_settings(name: str) -> dict[str, Any]:
    """The settings of :data:`TAKEN` that the ``clouds.yaml`` entry ``name`` gives.

    :raises CloudsYamlError: without openstacksdk, without a file, without such
        an entry, or with an entry that names no auth URL.
    """
    try:
        from openstack import config as os_config
        from openstack import exceptions as os_exc
    except ImportError as error:
        raise CloudsYamlError(
            f"SKIFF_CLOUD={name}: reading clouds.yaml needs openstacksdk: "
            "pip install 'skiff[clouds]'."
        ) from error
    try:
        # The environment is read for OS_CLIENT_CONFIG_FILE; its OS_PASSWORD and
        # the like make a cloud of their own ("envvars"), which is not read.
        loader = os_config.OpenStackConfig()
    except os_exc.ConfigException as error:
        raise CloudsYamlError(f"SKIFF_CLOUD={name}: clouds.yaml cannot be read: {error}") from error
    try:
        region = loader.get_one(cloud=name, validate=False)  # no auth plugin made
    except os_exc.ConfigException as error:
        found = loader.config_filename
        where = f"in {found}" if found else "(no clouds.yaml found: set OS_CLIENT_CONFIG_FILE)"
        raise CloudsYamlError(f"SKIFF_CLOUD={name}: no such clouds.yaml entry {where}.") from error
    verify = region.get_requests_verify_args()[0]
    return _taken(name, region.config, True if verify is None else verify)


def _taken(name: str, config: Mapping[str, Any], verify: bool | str) -> dict[str, Any]:
    auth: Mapping[str, Any] = config.get("auth") or {}
    auth_url = auth.get("auth_url")
    if not auth_url:
        raise CloudsYamlError(f"SKIFF_CLOUD={name}: the clouds.yaml entry has no auth_url.")
    settings: dict[str, Any] = {"CLOUD_AUTH_URL": str(auth_url), "CLOUD_VERIFY": verify}
    if config.get("region_name"):
        settings["CLOUD_REGION"] = str(config["region_name"])
    interface = config.get("interface")
    if isinstance(interface, str) and interface:
        # clouds.yaml also allows Keystone v2's "publicURL" spelling
        settings["CLOUD_INTERFACE"] = interface.removesuffix("URL")
    domain = auth.get("user_domain_name") or auth.get("domain_name")
    if domain:
        settings["CLOUD_USER_DOMAIN"] = str(domain)
    return settings
