"""What a launch takes from the project's quotas, and the words for it.

A :class:`QuotaRow` is one bar: what is in use, what this launch takes, the limit.
When the launch does not fit, :meth:`QuotaRow.problem` says so in words ("3
instances would go over the project's limit of 2; 0 are in use");
:func:`max_count` says how many servers would fit, :func:`count_hint` puts that
in a sentence for the Count field. Pure functions of the catalog's limits: no
Flask, no cloud call.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.cloud.catalog import Catalog
from webapp.cloud.models import Flavor
from webapp.cloud.models import Limits
from webapp.forms.launch.common import size_mb
from webapp.i18n import format_decimal
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.i18n import ngettext

__all__ = [
    "CORES",
    "GIGABYTES",
    "INSTANCES",
    "MAX_COUNT",
    "RAM",
    "VOLUMES",
    "QuotaRow",
    "count_hint",
    "instances_room",
    "max_count",
    "no_room",
    "over_limit",
    "quota_rows",
    "sentence",
]

#: the quotas a launch takes from, by Nova's and Cinder's names
INSTANCES, CORES, RAM, VOLUMES, GIGABYTES = "instances", "cores", "ram", "volumes", "gigabytes"
#: a bar is amber ("near") above this share of its limit, red over the limit
NEAR = 0.8
#: the bar label of each quota
LABELS = {
    INSTANCES: _l("Instances"),
    CORES: _l("vCPUs"),
    RAM: _l("RAM (MB)"),
    VOLUMES: _l("Volumes"),
    GIGABYTES: _l("Volume storage (GB)"),
}
#: the Count field's own limit (its NumberRange)
MAX_COUNT = 100


def _amount(resource: str, value: int) -> str:
    """What a launch asks, in words: "3 instances", "1 vCPU", "4 GB of RAM"."""
    if resource == RAM:
        return _("%(size)s of RAM", size=size_mb(value))
    if resource == GIGABYTES:
        return _("%(size)s GB of volume storage", size=format_decimal(value))
    if resource == INSTANCES:
        return ngettext("%(num)d instance", "%(num)d instances", value)
    if resource == CORES:
        return ngettext("%(num)d vCPU", "%(num)d vCPUs", value)
    return ngettext("%(num)d volume", "%(num)d volumes", value)


def _limit(resource: str, value: int) -> str:
    """A limit in words; the unit is left out where the sentence just named it."""
    if resource == INSTANCES:
        return format_decimal(value)
    if resource == RAM:
        return size_mb(value)
    if resource == GIGABYTES:
        return f"{format_decimal(value)} GB"
    return _amount(resource, value)


def _in_use(resource: str, value: int) -> tuple[str, int]:
    """What is in use, in words ("2", "46 GB"), and the number that makes the
    sentence singular or plural ("1 is in use", "1 GB is in use")."""
    words = {RAM: size_mb(value), GIGABYTES: f"{format_decimal(value)} GB"}.get(
        resource, format_decimal(value)
    )
    return words, 1 if words.split(" ")[0] == "1" else value


def over_limit(resource: str, asked: int, used: int, limit: int, servers: int = 1) -> str:
    """Why ``asked`` (for ``servers`` servers) does not fit, as a clause without
    its full stop: "4 vCPUs for 2 servers would go over the project's limit of
    20 vCPUs; 18 are in use"."""
    words, number = _in_use(resource, used)
    values = {"amount": _amount(resource, asked), "limit": _limit(resource, limit), "used": words}
    if servers > 1 and resource != INSTANCES:
        return ngettext(
            "%(amount)s for %(servers)s servers would go over the project's limit of "
            "%(limit)s; %(used)s is in use",
            "%(amount)s for %(servers)s servers would go over the project's limit of "
            "%(limit)s; %(used)s are in use",
            number,
            servers=servers,
            **values,
        )
    return ngettext(
        "%(amount)s would go over the project's limit of %(limit)s; %(used)s is in use",
        "%(amount)s would go over the project's limit of %(limit)s; %(used)s are in use",
        number,
        **values,
    )


def sentence(clause: str) -> str:
    """A clause (:func:`over_limit`'s) as a sentence: with its full stop."""
    # Translators: a clause made a sentence: keep it, add the full stop.
    return _("%(clause)s.", clause=clause)


def no_room(limits: Limits) -> str:
    """The sentences for a project whose instances quota is full already."""
    return _(
        "The project has no room for another server: %(used)s of %(limit)s instances "
        "are in use. Delete a server or ask your cloud's operators for more quota.",
        used=limits.used_instances,
        limit=limits.max_instances,
    )


@dataclass(frozen=True)
class QuotaRow:
    """One quota bar: ``launch`` is what ``count`` servers take of ``resource``."""

    resource: str
    used: int
    launch: int
    limit: int  # -1: unlimited
    count: int = 1

    @property
    def label(self) -> str:
        """The bar's label ("vCPUs")."""
        return str(LABELS[self.resource])

    @property
    def fits(self) -> bool:
        """Whether this launch fits."""
        return self.limit < 0 or self.used + self.launch <= self.limit

    @property
    def left(self) -> int | None:
        """What would be left after the launch (None when unlimited)."""
        return None if self.limit < 0 else self.limit - self.used - self.launch

    @property
    def over_by(self) -> int:
        """How far the launch goes over the limit (0 when it fits)."""
        return 0 if self.fits else self.used + self.launch - self.limit

    @property
    def near(self) -> bool:
        """Whether the launch fits but leaves little (the bar is amber)."""
        return self.fits and self.limit >= 0 and self.used + self.launch > self._low

    @property
    def _low(self) -> float:
        # Above 0 even for a limit of 0, so that a bar over it is still red.
        return max(self.limit * NEAR, 0.5)

    def problem(self) -> str | None:
        """Why the launch does not fit this quota (a clause, no full stop), or None."""
        if self.fits:
            return None
        return over_limit(self.resource, self.launch, self.used, self.limit, self.count)

    def meter(self) -> dict[str, float] | None:
        """The ``<meter>`` attributes of the bar (None when unlimited).

        ``optimum`` below ``low`` makes browsers draw [0, low] green, (low, high]
        amber and above ``high`` red ("even less good"); ``max`` grows with an
        over-the-limit value, which a meter would otherwise clamp to amber.
        """
        if self.limit < 0:
            return None
        total = self.used + self.launch
        return {
            "min": 0,
            "max": max(self.limit, total),
            "low": self._low,
            "high": self.limit,
            "optimum": 0,
            "value": total,
        }


def quota_rows(
    catalog: Catalog, flavor: Flavor | None, count: int, volumes: tuple[int, int] = (0, 0)
) -> list[QuotaRow]:
    """The bars for ``count`` servers of ``flavor``, making ``volumes`` (count, GB) each."""
    limits = catalog.limits
    vcpus, ram = (flavor.vcpus, flavor.ram_mb) if flavor else (0, 0)
    rows = [
        QuotaRow(INSTANCES, limits.used_instances, count, limits.max_instances, count),
        QuotaRow(CORES, limits.used_cores, count * vcpus, limits.max_cores, count),
        QuotaRow(RAM, limits.used_ram_mb, count * ram, limits.max_ram_mb, count),
    ]
    if catalog.features.volumes:
        rows += [
            QuotaRow(VOLUMES, limits.used_volumes, count * volumes[0], limits.max_volumes, count),
            QuotaRow(
                GIGABYTES, limits.used_volume_gb, count * volumes[1], limits.max_volume_gb, count
            ),
        ]
    return rows


def _room(row: QuotaRow) -> int | None:
    """How many servers fit in one server's ``row`` (None: no limit to it)."""
    if row.limit < 0 or row.launch == 0:
        return None
    return max(row.limit - row.used, 0) // row.launch


def max_count(
    catalog: Catalog, flavor: Flavor | None = None, volumes: tuple[int, int] = (0, 0)
) -> tuple[int | None, QuotaRow | None]:
    """The largest count that fits every quota, with servers of ``flavor`` making
    ``volumes`` each (what is not chosen yet takes nothing), and the quota that
    sets it (one server's row); ``(None, None)`` when no quota limits the count."""
    best: tuple[int | None, QuotaRow | None] = (None, None)
    for row in quota_rows(catalog, flavor, 1, volumes):
        room = _room(row)
        if room is not None and (best[0] is None or room < best[0]):
            best = (room, row)
    return best


def instances_room(limits: Limits) -> int | None:
    """How many more servers the instances quota takes (None: unlimited)."""
    if limits.max_instances < 0:
        return None
    return max(limits.max_instances - limits.used_instances, 0)


def count_hint(
    catalog: Catalog, flavor: Flavor | None = None, volumes: tuple[int, int] = (0, 0)
) -> str | None:
    """What the Count field says about the quotas: how many servers fit, or that
    none does and why; None when the quotas allow more than any count."""
    if instances_room(catalog.limits) == 0:
        return no_room(catalog.limits)
    room, row = max_count(catalog, flavor, volumes)
    if room is None or row is None or room > MAX_COUNT:
        return None
    if room == 0:
        one = QuotaRow(row.resource, row.used, row.launch, row.limit)
        return _(
            "No more servers of this size fit in the project's quotas: %(problem)s.",
            problem=one.problem(),
        )
    if row.resource in (CORES, RAM):
        return ngettext(
            "At most %(num)d more server fits in the project's quotas with the flavor chosen.",
            "At most %(num)d more servers fit in the project's quotas with the flavor chosen.",
            room,
        )
    if row.resource == INSTANCES:
        return ngettext(
            "At most %(num)d more server fits in the project's quotas.",
            "At most %(num)d more servers fit in the project's quotas.",
            room,
        )
    return ngettext(
        "At most %(num)d more server fits in the project's quotas with the volumes chosen.",
        "At most %(num)d more servers fit in the project's quotas with the volumes chosen.",
        room,
    )
