"""What a launch takes from the project's quotas: used, this launch, what is left."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.cloud.catalog import Catalog
from webapp.cloud.models import Flavor


@dataclass(frozen=True)
class QuotaRow:
    """One quota bar."""

    label: str
    used: int
    launch: int
    limit: int  # -1: unlimited

    @property
    def fits(self) -> bool:
        """Whether this launch fits."""
        return self.limit < 0 or self.used + self.launch <= self.limit

    @property
    def left(self) -> int | None:
        """What would be left after the launch (None when unlimited)."""
        return None if self.limit < 0 else self.limit - self.used - self.launch

    def percent(self, part: int) -> int:
        """``part`` as a share of the limit, for drawing the bar."""
        return 0 if self.limit <= 0 else min(100, round(100 * part / self.limit))


def quota_rows(
    catalog: Catalog, flavor: Flavor | None, count: int, volumes: tuple[int, int] = (0, 0)
) -> list[QuotaRow]:
    """The bars for ``count`` servers of ``flavor``, making ``volumes`` (count, GB) each."""
    limits = catalog.limits
    vcpus, ram = (flavor.vcpus, flavor.ram_mb) if flavor else (0, 0)
    rows = [
        QuotaRow("Instances", limits.used_instances, count, limits.max_instances),
        QuotaRow("vCPUs", limits.used_cores, count * vcpus, limits.max_cores),
        QuotaRow("RAM (MB)", limits.used_ram_mb, count * ram, limits.max_ram_mb),
    ]
    if catalog.features.volumes:
        rows += [
            QuotaRow("Volumes", limits.used_volumes, count * volumes[0], limits.max_volumes),
            QuotaRow(
                "Volume storage (GB)",
                limits.used_volume_gb,
                count * volumes[1],
                limits.max_volume_gb,
            ),
        ]
    return rows
