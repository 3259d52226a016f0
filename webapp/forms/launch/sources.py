"""The Source step's picker: a tab per kind of boot source, each a table of rows.

A tab is shown for each kind of source the cloud has (images, instance
snapshots, bootable volumes, volume snapshots) unless the operator disabled it;
the operator's default kind comes first. A row says what a user needs to choose
one: its name, OS, size, minimum disk and RAM, visibility and last update. A
filter narrows the rows by name or OS. Everything comes from the wizard's
:class:`~webapp.cloud.catalog.Catalog`: no cloud call.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

from webapp.cloud.catalog import Catalog
from webapp.cloud.models import Image
from webapp.cloud.models import Volume
from webapp.cloud.models import VolumeSnapshot
from webapp.forms.launch.common import size_mb
from webapp.i18n import day
from webapp.i18n import lazy_gettext as _l

__all__ = [
    "KIND_LABELS",
    "KIND_WORDS",
    "VISIBILITY_WORDS",
    "SourcePicker",
    "SourceRow",
    "image_min_disk",
    "kinds_offered",
    "picker",
    "rows_of",
]

#: kind -> its tab's label, in the order the tabs come (the default kind first)
KIND_LABELS = {
    "image": _l("Images"),
    "snapshot": _l("Instance snapshots"),
    "volume": _l("Volumes"),
    "volume_snapshot": _l("Volume snapshots"),
}
#: kind -> one source of it in words ("ubuntu (instance snapshot)")
KIND_WORDS = {
    "image": _l("image"),
    "snapshot": _l("instance snapshot"),
    "volume": _l("volume"),
    "volume_snapshot": _l("volume snapshot"),
}
#: a source's visibility (Glance's, and "project" for Cinder's) -> in words; one
#: not listed is shown as the cloud says it
VISIBILITY_WORDS = {
    "public": _l("public"),
    "private": _l("private"),
    "shared": _l("shared"),
    "community": _l("community"),
    "project": _l("project"),
}
#: the longest filter used (a longer one matches nothing anyway)
FILTER_MAX = 100
NONE = "—"
GIB = 1024**3


@dataclass(frozen=True)
class SourceRow:
    """One boot source as its table row shows it (sizes already in words)."""

    id: str
    kind: str
    name: str
    os: str = ""
    size: str = NONE
    min_disk: str = NONE
    min_ram: str = NONE
    visibility: str = ""  # in words, in the user's language
    updated_at: str = ""  # UTC, "2025-01-31T12:00:00Z"

    @property
    def updated_date(self) -> str:
        """The day of the last update in the user's language ("Jan 31, 2025",
        "2025年1月31日"); "" when unknown."""
        return day(self.updated_at) if self.updated_at else ""

    @property
    def kind_words(self) -> str:
        """Its kind in words: "instance snapshot"."""
        return str(KIND_WORDS[self.kind])

    def matches(self, text: str) -> bool:
        """Whether every word of ``text`` is in its name or OS (any case)."""
        haystack = f"{self.name} {self.os}".casefold()
        return all(word in haystack for word in text.casefold().split())


@dataclass(frozen=True)
class SourcePicker:
    """What the Source step shows: its tabs, the rows of the tab shown, and the
    chosen source (which may be on another tab, or filtered out).

    :param tabs: (kind, label, number of sources) of each tab, in order.
    :param kind: the tab shown (None when the cloud offers no source).
    :param rows: the rows of that tab that match ``text``.
    :param text: the filter, as typed (trimmed).
    :param chosen: the chosen source's row, None if none (or unknown).
    """

    tabs: tuple[tuple[str, str, int], ...]
    kind: str | None
    rows: tuple[SourceRow, ...]
    text: str = ""
    chosen: SourceRow | None = None

    @property
    def chosen_elsewhere(self) -> bool:
        """Whether the chosen source is not among the rows shown (another tab, or
        filtered out): the page then names it and posts it back hidden."""
        return self.chosen is not None and self.chosen not in self.rows


def kinds_offered(catalog: Catalog, *, default: str, disabled: Collection[str]) -> list[str]:
    """The kinds with at least one source and not disabled, ``default`` first."""
    kinds = [k for k in KIND_LABELS if k not in disabled and _sources(catalog, k)]
    return sorted(kinds, key=lambda kind: kind != default)


def rows_of(catalog: Catalog, kind: str) -> list[SourceRow]:
    """The rows of one kind of source, by name."""
    rows = [_row(catalog, kind, source) for source in _sources(catalog, kind)]
    return sorted(rows, key=lambda row: (row.name.casefold(), row.id))


def picker(
    catalog: Catalog,
    *,
    kinds: list[str],
    kind: str | None,
    text: str,
    chosen_id: str,
) -> SourcePicker:
    """The picker showing tab ``kind`` (one of ``kinds``) narrowed by ``text``."""
    text = (text or "").strip()[:FILTER_MAX]
    tabs = tuple((k, str(KIND_LABELS[k]), len(_sources(catalog, k))) for k in kinds)
    rows = rows_of(catalog, kind) if kind in kinds else []
    chosen = None
    for other in kinds if chosen_id else ():
        found = rows if other == kind else rows_of(catalog, other)
        chosen = next((row for row in found if row.id == chosen_id), None)
        if chosen is not None:
            break
    shown = tuple(row for row in rows if row.matches(text))
    return SourcePicker(tabs=tabs, kind=kind, rows=shown, text=text, chosen=chosen)


def image_min_disk(image: Image) -> int:
    """The smallest disk (GB) an image or instance snapshot boots on: its
    ``min_disk``, but never less than its size."""
    return max(math.ceil(image.size_bytes / GIB), image.min_disk_gb, 1)


def _sources(catalog: Catalog, kind: str) -> list[Image | Volume | VolumeSnapshot]:
    if kind in ("image", "snapshot"):
        return [i for i in catalog.images if i.kind == kind]
    if kind == "volume":
        return [v for v in catalog.volumes if v.bootable]
    if kind == "volume_snapshot":
        return list(catalog.volume_snapshots)
    return []


def _row(catalog: Catalog, kind: str, source: Image | Volume | VolumeSnapshot) -> SourceRow:
    if isinstance(source, Image):
        return SourceRow(
            id=source.id,
            kind=kind,
            name=source.name,
            os=_os(source.os_distro, source.os_version),
            size=_bytes(source.size_bytes),
            min_disk=f"{image_min_disk(source)} GB",
            min_ram=size_mb(source.min_ram_mb) if source.min_ram_mb else NONE,
            visibility=_visibility(source.visibility),
            updated_at=source.updated_at,
        )
    if isinstance(source, Volume):
        min_disk = source.image_min_disk_gb
    else:
        min_disk = max(source.size_gb, source.image_min_disk_gb)
    return SourceRow(
        id=source.id,
        kind=kind,
        name=source.name or source.id,
        os=_volume_os(catalog, source),
        size=f"{source.size_gb} GB",
        min_disk=f"{min_disk} GB" if min_disk else NONE,
        min_ram=size_mb(source.image_min_ram_mb) if source.image_min_ram_mb else NONE,
        visibility=_visibility("project"),
        updated_at=source.updated_at,
    )


def _volume_os(catalog: Catalog, source: Volume | VolumeSnapshot) -> str:
    """The OS Cinder copied from the image, else the one of that image if it is
    still listed (a snapshot's image is its volume's)."""
    if source.os_distro:
        return _os(source.os_distro, source.os_version)
    volume = source if isinstance(source, Volume) else catalog.volume(source.volume_id)
    image = catalog.image(volume.image_id) if volume and volume.image_id else None
    return _os(image.os_distro, image.os_version) if image else ""


def _visibility(visibility: str) -> str:
    words = VISIBILITY_WORDS.get(visibility)
    return str(words) if words is not None else visibility


def _os(distro: str, version: str) -> str:
    return f"{distro} {version}".strip() if distro else ""


def _bytes(size: int) -> str:
    """A file size in words: "20.4 MB", "583 MB", "2 GB"; "—" when unknown."""
    if size <= 0:
        return NONE
    if size < GIB:
        return f"{size / 1024**2:.3g} MB"
    return f"{size / GIB:.3g} GB"
