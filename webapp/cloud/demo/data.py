"""What the built-in demo cloud offers: its users, projects, images, flavors and networks.

Fixed data, like a small real cloud's catalog; what users create (servers, key pairs,
volumes) lives in the demo cloud's SQLite file (:mod:`.store`), which the volumes
below seed once.
"""

from __future__ import annotations

import uuid
from typing import TypedDict

from webapp.cloud.models import AvailabilityZone
from webapp.cloud.models import Flavor
from webapp.cloud.models import Image
from webapp.cloud.models import Network
from webapp.cloud.models import Port
from webapp.cloud.models import SecurityGroup
from webapp.cloud.models import ServerGroup
from webapp.cloud.models import Volume
from webapp.cloud.models import VolumeSnapshot
from webapp.cloud.models import VolumeType


class User(TypedDict):
    """A demo user: their id, their password and the names of their projects."""

    id: str
    password: str
    projects: tuple[str, ...]


def _id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"skiff-demo:{name}"))


#: user name -> the user
USERS: dict[str, User] = {
    "demo": {"id": _id("user:demo"), "password": "demo", "projects": ("demo", "sandbox")},
}

PROJECTS = {
    "demo": {"id": _id("project:demo"), "name": "demo"},
    "sandbox": {"id": _id("project:sandbox"), "name": "sandbox"},
}

#: the demo cloud's one region, named like DevStack's
REGION = "RegionOne"

#: project name -> (instances, cores, ram_mb); Nova's defaults for "demo"
QUOTAS = {
    "demo": (10, 20, 51200),
    "sandbox": (2, 4, 8192),
}

#: project name -> (volumes, gigabytes); Cinder's defaults for "demo"
VOLUME_QUOTAS = {
    "demo": (10, 1000),
    "sandbox": (2, 20),
}

#: Nova's default metadata_items quota (maxServerMeta)
MAX_SERVER_META = 128

IMAGES = (
    Image(
        _id("image:cirros"),
        "cirros-0.6.3",
        size_bytes=21_430_272,
        min_disk_gb=1,
        min_ram_mb=64,
        os_distro="cirros",
        os_admin_user="cirros",
        os_version="0.6.3",
        updated_at="2024-09-26T08:14:03Z",
    ),
    Image(
        _id("image:debian"),
        "debian-12-generic",
        size_bytes=398_458_880,
        min_disk_gb=4,
        min_ram_mb=512,
        os_distro="debian",
        os_admin_user="debian",
        os_version="12",
        updated_at="2025-06-02T21:40:17Z",
    ),
    Image(
        _id("image:ubuntu"),
        "ubuntu-24.04-server",
        size_bytes=611_316_736,
        min_disk_gb=10,
        min_ram_mb=1024,
        os_distro="ubuntu",
        os_admin_user="ubuntu",
        os_version="24.04",
        updated_at="2025-05-29T10:02:45Z",
    ),
    Image(
        _id("image:snapshot"),
        "web-01-snapshot",
        kind="snapshot",
        size_bytes=2_147_483_648,
        min_disk_gb=20,
        min_ram_mb=2048,
        visibility="private",
        os_distro="ubuntu",
        os_admin_user="ubuntu",
        os_version="24.04",
        updated_at="2025-07-14T16:31:09Z",
    ),
    # A vendor appliance: its own init, no cloud-init, no login user property.
    Image(
        _id("image:appliance"),
        "router-appliance-4.2",
        size_bytes=318_767_104,
        min_disk_gb=2,
        min_ram_mb=512,
        visibility="shared",
        updated_at="2025-02-11T07:55:30Z",
    ),
)

#: ids of the images that do not run cloud-init (their console never shows it)
NO_CLOUD_INIT = frozenset({_id("image:appliance")})

FLAVORS = (
    Flavor("1", "m1.nano", vcpus=1, ram_mb=128, disk_gb=1),
    Flavor("2", "m1.tiny", vcpus=1, ram_mb=512, disk_gb=1),
    Flavor("3", "m1.small", vcpus=1, ram_mb=2048, disk_gb=20),
    Flavor("4", "m1.medium", vcpus=2, ram_mb=4096, disk_gb=40),
    Flavor("5", "m1.large", vcpus=4, ram_mb=8192, disk_gb=80),
    # Fits the default quota but no demo host: its servers end in ERROR.
    Flavor("6", "r1.huge", vcpus=8, ram_mb=49152, disk_gb=160),
    # No local disk: only servers booted from a volume may use it.
    Flavor("7", "v1.volume-only", vcpus=2, ram_mb=2048, disk_gb=0),
)

#: the RAM of the biggest demo hypervisor; bigger flavors cannot be placed
HOST_RAM_MB = 32768

NETWORKS = (
    Network(_id("net:private"), "private", subnets=("10.0.0.0/24",)),
    Network(_id("net:shared"), "shared-net", shared=True, subnets=("192.168.100.0/24",)),
    Network(_id("net:isolated"), "isolated", has_subnet=False),
)

#: external networks that floating IPs come from (not offered for launching)
FLOATING_POOLS = (Network(_id("net:public"), "public", shared=True, subnets=("203.0.113.0/24",)),)

#: project name -> floating IPs it may hold (Neutron's default is 50)
FLOATING_IP_QUOTAS = {
    "demo": 50,
    "sandbox": 2,
}

SECURITY_GROUPS = (
    SecurityGroup(_id("sg:default"), "default", "Default security group"),
    SecurityGroup(_id("sg:web"), "web", "HTTP and HTTPS from anywhere"),
    SecurityGroup(_id("sg:ssh"), "ssh", "SSH from anywhere"),
)

#: free ports of project "demo" (project name -> ports)
PORTS = {
    "demo": (
        Port(_id("port:private"), "reserved-private", NETWORKS[0].id, fixed_ips=("10.0.0.50",)),
        Port(_id("port:shared"), "shared-net-port", NETWORKS[1].id, fixed_ips=("192.168.100.50",)),
    ),
}

VOLUME_TYPES = (
    VolumeType(_id("volume-type:standard"), "standard", is_default=True),
    VolumeType(_id("volume-type:ssd"), "ssd"),
)

#: the volumes each project starts with (project name -> volumes)
VOLUMES = {
    "demo": (
        # made from the debian image: Cinder copies its minimums
        Volume(
            _id("volume:debian-boot"),
            "debian-boot",
            size_gb=10,
            bootable=True,
            volume_type="standard",
            availability_zone="nova",
            image_min_disk_gb=4,
            image_min_ram_mb=512,
            image_id=_id("image:debian"),
        ),
        Volume(_id("volume:data"), "data", size_gb=20, volume_type="ssd", availability_zone="nova"),
    ),
}

#: volume snapshots of each project (project name -> snapshots)
VOLUME_SNAPSHOTS = {
    "demo": (
        VolumeSnapshot(
            _id("snapshot:debian-boot"),
            "debian-boot-snapshot",
            size_gb=10,
            volume_id=_id("volume:debian-boot"),
            bootable=True,
            image_min_disk_gb=4,
            image_min_ram_mb=512,
            os_distro="debian",
            os_version="12",
            updated_at="2025-06-20T13:05:41Z",
        ),
    ),
}

SERVER_GROUPS = (
    ServerGroup(_id("server-group:web"), "web-anti-affinity", "anti-affinity"),
    ServerGroup(_id("server-group:db"), "db-affinity", "affinity"),
)

AVAILABILITY_ZONES = (
    AvailabilityZone("nova"),
    AvailabilityZone("maintenance", available=False),
)

#: the key pair every demo user starts with
SEED_KEYPAIR = (
    "demo-key",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPd3mVqLq1zX0m2o8mJ1m7QeUu3kYw1c0fJr0Xk7c9Qh demo@skiff",
)
