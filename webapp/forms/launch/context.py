"""The launch context: every key the steps contribute, with its type.

The engine keeps a context as a plain dict (it is JSON in the wizard's saved
state); the launch code reads it through :class:`LaunchContext`, so a misspelt key
or a wrong type is a type error, not a silent ``None``.
"""

from __future__ import annotations

from typing import Literal
from typing import TypedDict

__all__ = [
    "LaunchContext",
    "Networks",
    "Nic",
    "StepAdditions",
    "nic_list",
    "special_network",
]


class Nic(TypedDict, total=False):
    """One interface as the context keeps it: a network (and maybe a fixed IP), or a port."""

    network_id: str
    fixed_ip: str | None
    port_id: str


#: the interfaces in order, or Nova's "auto" (get me a network) / "none"
Networks = Literal["auto", "none"] | list[Nic]


class StepAdditions(TypedDict):
    """What one of the operator's steps adds to the server (``extra_steps``)."""

    metadata: dict[str, str]
    tags: list[str]


class LaunchContext(TypedDict, total=False):
    """What the Launch Instance steps put in the context, step by step."""

    # the hidden first step: who launches, into which project and region
    project_id: str
    user_id: str
    region: str
    # Details
    name: str
    description: str | None
    availability_zone: str
    count: int
    expires: str  # "never" or "after" (absent when "never" is not offered)
    expiry_amount: int | None
    expiry_unit: str  # "minutes", "hours" or "days"
    expiry_action: str  # "stop" or "delete"
    # Source, and what follows from it
    source_id: str
    create_volume: bool
    volume_size: int | None
    volume_type: str
    delete_on_termination: bool
    data_volume_size: int | None
    data_volume_count: int | None
    data_volume_type: str
    data_delete_on_termination: bool
    source_type: str
    boot_volume: bool
    volumes_per_server: list[int]
    # Flavor
    flavor: str
    # Networking: the form's slots, then what they mean
    nic_1: str
    ip_1: str
    nic_2: str
    ip_2: str
    nic_3: str
    ip_3: str
    networks: Networks
    port_security: bool
    # Access & Security
    keypair: str
    new_keypair_name: str
    public_key: str
    security_groups: list[str]
    admin_pass: str
    confirm_admin_pass: str
    # Configuration: the cloud-init helper, its document, the script
    init_updates: bool
    init_packages: str
    init_user: str
    init_ssh_keys: str
    init_sudo: bool
    init_timezone: str
    init_commands: str
    cloud_config: str
    cloud_config_made: str
    user_data: str
    config_drive: bool
    disk_config: str
    server_group: str
    metadata: str
    tags: str
    hostname: str
    scheduler_hints: str
    # the operator's own steps (LAUNCH_EXTRA_STEPS): step slug -> what it adds;
    # their fields are context keys too, unknown here
    operator_additions: dict[str, StepAdditions]
    # after the launch
    server_ids: list[str]


def special_network(networks: Networks | None) -> Literal["auto", "none"] | None:
    """ "auto" or "none" when the launch asks Nova for that instead of interfaces."""
    if networks == "auto" or networks == "none":
        return networks
    return None


def nic_list(networks: Networks | None) -> list[Nic]:
    """The interfaces one by one (none for "auto" and "none")."""
    return [] if networks is None or isinstance(networks, str) else networks
