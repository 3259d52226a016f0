"""What the built-in demo cloud offers: its users, projects, images, flavors and networks.

Fixed data, like a small real cloud's catalog; what users create (servers, key pairs)
lives in the demo cloud's SQLite file.
"""

from __future__ import annotations

import uuid

from webapp.cloud.models import AvailabilityZone
from webapp.cloud.models import Flavor
from webapp.cloud.models import Image
from webapp.cloud.models import Network
from webapp.cloud.models import SecurityGroup


def _id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"skiff-demo:{name}"))


#: user name -> (password, display of their projects by id)
USERS = {
    "demo": {"id": _id("user:demo"), "password": "demo", "projects": ("demo", "sandbox")},
}

PROJECTS = {
    "demo": {"id": _id("project:demo"), "name": "demo"},
    "sandbox": {"id": _id("project:sandbox"), "name": "sandbox"},
}

#: project name -> (instances, cores, ram_mb); Nova's defaults for "demo"
QUOTAS = {
    "demo": (10, 20, 51200),
    "sandbox": (2, 4, 8192),
}

IMAGES = (
    Image(_id("image:cirros"), "cirros-0.6.3", size_bytes=21_430_272, min_disk_gb=1, min_ram_mb=64,
          os_distro="cirros"),
    Image(_id("image:debian"), "debian-12-generic", size_bytes=398_458_880, min_disk_gb=4,
          min_ram_mb=512, os_distro="debian"),
    Image(_id("image:ubuntu"), "ubuntu-24.04-server", size_bytes=611_316_736, min_disk_gb=10,
          min_ram_mb=1024, os_distro="ubuntu"),
    Image(_id("image:snapshot"), "web-01-snapshot", kind="snapshot", size_bytes=2_147_483_648,
          min_disk_gb=20, min_ram_mb=2048, visibility="private", os_distro="ubuntu"),
)

FLAVORS = (
    Flavor("1", "m1.nano", vcpus=1, ram_mb=128, disk_gb=1),
    Flavor("2", "m1.tiny", vcpus=1, ram_mb=512, disk_gb=1),
    Flavor("3", "m1.small", vcpus=1, ram_mb=2048, disk_gb=20),
    Flavor("4", "m1.medium", vcpus=2, ram_mb=4096, disk_gb=40),
    Flavor("5", "m1.large", vcpus=4, ram_mb=8192, disk_gb=80),
    # Fits the default quota but no demo host: its servers end in ERROR.
    Flavor("6", "r1.huge", vcpus=8, ram_mb=49152, disk_gb=160),
)

#: the RAM of the biggest demo hypervisor; bigger flavors cannot be placed
HOST_RAM_MB = 32768

NETWORKS = (
    Network(_id("net:private"), "private", subnets=("10.0.0.0/24",)),
    Network(_id("net:shared"), "shared-net", shared=True, subnets=("192.168.100.0/24",)),
    Network(_id("net:isolated"), "isolated", has_subnet=False),
)

SECURITY_GROUPS = (
    SecurityGroup(_id("sg:default"), "default", "Default security group"),
    SecurityGroup(_id("sg:web"), "web", "HTTP and HTTPS from anywhere"),
    SecurityGroup(_id("sg:ssh"), "ssh", "SSH from anywhere"),
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
