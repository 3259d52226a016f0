"""The console log of a demo server: its OS booting, line by line as time goes by.

A server's log starts when it boots (its build ends ACTIVE, or a start or reboot
ends): kernel lines at once, then, over the store's boot time, the rest of the
boot and cloud-init's stages, ending with cloud-init's last line ("Cloud-init v.
... finished at ..."). An image of :data:`.data.NO_CLOUD_INIT` boots without any
cloud-init line. A stop or reboot halts the OS: the log stops there (with the
OS's shutdown lines, unless it was a hard reboot), and the next boot starts a new
log. A server that never booted (BUILD, ERROR) has an empty log.
"""

from __future__ import annotations

import base64
import dataclasses
import email.utils
import hashlib

from webapp.cloud.demo import data
from webapp.cloud.models import Server

__all__ = ["CLOUD_INIT_VERSION", "Boot", "log"]

CLOUD_INIT_VERSION = "24.1.3"

#: the OS's uptime at cloud-init's last line: a boot's lines spread over it
_BOOT_UPTIME = 14.20

_KERNELS = {
    "debian": (
        "6.1.0-18-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) "
        "12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian "
        "6.1.76-1 (2024-02-01)"
    ),
    "ubuntu": (
        "6.8.0-31-generic (buildd@lcy02-amd64-080) (x86_64-linux-gnu-gcc-13 (Ubuntu "
        "13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #31-Ubuntu SMP "
        "PREEMPT_DYNAMIC Sat Apr 20 00:40:06 UTC 2024"
    ),
    "cirros": (
        "5.15.0-71-generic (buildd@lcy02-amd64-044) #78-Ubuntu SMP Tue Apr 18 09:00:29 UTC 2023"
    ),
}
_OTHER_KERNEL = "5.10.0-appliance (builder@appliance) #1 SMP Mon Jan 8 10:00:00 UTC 2024"

_BANNERS = {
    "debian": "Debian GNU/Linux 12 {host} ttyS0",
    "ubuntu": "Ubuntu 24.04 LTS {host} ttyS0",
    "cirros": "login as 'cirros' user. default password: 'gocubsgo'. use 'sudo' for root.",
}
_OTHER_BANNER = "Router Appliance 4.2 - {host} ttyS0"


@dataclasses.dataclass(frozen=True)
class Boot:
    """When a server's OS last booted and, if it was stopped since, halted.

    ``image_id`` is the image it runs (of its boot volume, for one booted from a
    volume); ``seconds`` how long its boot takes up to cloud-init's last line.
    """

    booted_at: float
    halted_at: float | None
    image_id: str
    seconds: float


def log(server: Server, boot: Boot | None, *, now: float) -> list[str]:
    """The lines of the server's console log at ``now``, oldest first."""
    if boot is None or server.status in {"BUILD", "ERROR"}:
        return []
    scale = boot.seconds / _BOOT_UPTIME
    end = min(now, boot.halted_at) if boot.halted_at is not None else now
    lines = [
        text for uptime, text in _boot_lines(server, boot) if boot.booted_at + uptime * scale <= end
    ]
    if boot.halted_at is not None and boot.halted_at <= now:
        elapsed = boot.halted_at - boot.booted_at
        if elapsed < boot.seconds:
            uptime = elapsed / scale
        else:
            uptime = _BOOT_UPTIME + elapsed - boot.seconds
        if server.status == "SHUTOFF" or server.task_state == "powering-off":
            lines += _halt_lines(uptime, "Power down")
        elif server.status == "REBOOT":
            lines += _halt_lines(uptime, "Restarting system")
    return lines


def _boot_lines(server: Server, boot: Boot) -> list[tuple[float, str]]:
    """Every line of one boot, with the OS's uptime when each is written."""
    image = next((i for i in data.IMAGES if i.id == boot.image_id), None)
    distro = image.os_distro if image else ""
    host = server.hostname or server.name
    kernel = _KERNELS.get(distro, _OTHER_KERNEL)
    lines = [
        (0.0, _kernel(0.0, f"Linux version {kernel}")),
        (0.0, _kernel(0.0, "Command line: root=/dev/vda1 ro console=tty1 console=ttyS0")),
        (0.41, _kernel(0.41, "Hypervisor detected: KVM")),
        (1.02, _kernel(1.02, "virtio_blk virtio2: [vda] 20971520 512-byte logical blocks")),
        (1.87, _kernel(1.87, "EXT4-fs (vda1): mounted filesystem with ordered data mode.")),
        (2.54, _kernel(2.54, f"systemd[1]: Hostname set to <{host}>.")),
    ]
    banner = _BANNERS.get(distro, _OTHER_BANNER).format(host=host)
    login = [(13.51, banner), (13.51, ""), (13.52, f"{host} login: ")]
    if boot.image_id in data.NO_CLOUD_INIT:
        return [*lines, (6.80, _kernel(6.80, "Starting router services...")), *login]

    def stage(uptime: float, name: str) -> tuple[float, str]:
        at = _date(boot, uptime)
        text = (
            f"Cloud-init v. {CLOUD_INIT_VERSION} running '{name}' at {at}. Up {uptime:.2f} seconds."
        )
        return uptime, text

    fixed = [ip for ip in server.ips if ip.kind == "fixed"]
    net = [
        f"ci-info: | eth{n} | True | {ip.address} | 255.255.255.0 | global | {ip.mac} |"
        for n, ip in enumerate(fixed)
    ]
    fingerprint = base64.b64encode(hashlib.sha256(server.id.encode()).digest()).decode()
    final = (
        f"Cloud-init v. {CLOUD_INIT_VERSION} finished at {_date(boot, _BOOT_UPTIME)}. "
        f"Datasource DataSourceOpenStackLocal [net,ver=2].  Up {_BOOT_UPTIME:.2f} seconds"
    )
    return [
        *lines,
        stage(3.10, "init-local"),
        stage(4.65, "init"),
        (4.70, "ci-info: +++++++++++++++++++++++++++Net device info++++++++++++++++++++++++++++"),
        (4.70, "ci-info: | Device | Up | Address | Mask | Scope | Hw-Address |"),
        *((4.70, text) for text in net),
        (7.90, "Generating public/private ed25519 key pair."),
        stage(9.12, "modules:config"),
        (13.05, "-----BEGIN SSH HOST KEY FINGERPRINTS-----"),
        (13.05, f"256 SHA256:{fingerprint.rstrip('=')} root@{host} (ED25519)"),
        (13.05, "-----END SSH HOST KEY FINGERPRINTS-----"),
        *login,
        stage(13.90, "modules:final"),
        (_BOOT_UPTIME, final),
    ]


def _halt_lines(uptime: float, how: str) -> list[str]:
    """What the OS writes as it shuts down (a soft stop or reboot)."""
    return [
        _kernel(uptime, "systemd-shutdown[1]: Syncing filesystems and block devices."),
        _kernel(uptime + 0.2, f"reboot: {how}"),
    ]


def _kernel(uptime: float, text: str) -> str:
    """A kernel log line with its timestamp, as on a serial console."""
    return f"[{uptime:12.6f}] {text}"


def _date(boot: Boot, uptime: float) -> str:
    """The wall-clock time at that uptime, as cloud-init writes it."""
    at = boot.booted_at + uptime * boot.seconds / _BOOT_UPTIME
    return email.utils.formatdate(at).replace("-0000", "+0000")
