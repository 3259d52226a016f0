"""The operator's launch settings, read once from the configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from webapp.expiry.policy import ExpiryPolicy

__all__ = ["OPTIONAL_STEPS", "LaunchSettings"]

#: steps the operator may hide (``LAUNCH_HIDDEN_STEPS``)
OPTIONAL_STEPS = ("config", "review")


@dataclass(frozen=True)
class LaunchSettings:
    """What the operator chose for every launch (see ``webapp/config.py``).

    :param default_source: the kind of boot source listed first.
    :param disabled_sources: kinds of boot source not offered.
    :param create_volume: "copy the image into a new volume" starts ticked.
    :param delete_volume_on_termination: new boot volumes go with their server.
    :param config_drive: "use a configuration drive" starts ticked.
    :param admin_password: the admin password field is offered.
    :param hidden_steps: optional steps not shown.
    :param expiry: the rules for leases (``EXPIRY_*``).
    """

    default_source: str = "image"
    disabled_sources: frozenset[str] = frozenset()
    create_volume: bool = False
    delete_volume_on_termination: bool = True
    config_drive: bool = False
    admin_password: bool = False
    hidden_steps: frozenset[str] = frozenset()
    expiry: ExpiryPolicy = ExpiryPolicy()

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, demo: bool) -> LaunchSettings:
        """The settings in an app's ``config``; the demo cloud always takes an
        admin password."""
        return cls(
            default_source=config["LAUNCH_DEFAULT_BOOT_SOURCE"],
            disabled_sources=frozenset(config["LAUNCH_DISABLED_SOURCES"]),
            create_volume=bool(config["LAUNCH_CREATE_VOLUME"]),
            delete_volume_on_termination=bool(config["LAUNCH_DELETE_VOLUME_ON_TERMINATION"]),
            config_drive=bool(config["LAUNCH_CONFIG_DRIVE"]),
            admin_password=bool(config["CLOUD_ADMIN_PASSWORD"]) or demo,
            hidden_steps=frozenset(config["LAUNCH_HIDDEN_STEPS"]),
            expiry=ExpiryPolicy.from_config(config),
        )

    def permissions(self) -> frozenset[str]:
        """The optional steps shown, as permissions of the launch workflow."""
        return frozenset(
            f"launch.step.{slug}" for slug in OPTIONAL_STEPS if slug not in self.hidden_steps
        )
