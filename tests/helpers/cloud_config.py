"""Where a real test cloud is and who may use it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CloudConfig:
    """Where the test cloud is and who may use it."""

    auth_url: str
    username: str
    password: str
    admin_username: str
    admin_password: str
    admin_project: str
    region_name: str | None
