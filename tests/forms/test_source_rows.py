"""The Source step's tabs and rows (:mod:`webapp.forms.launch.sources`), from a
catalog made here: what each row says, which tabs exist, what the filter keeps,
and where the chosen source is."""

from __future__ import annotations

from webapp.cloud.catalog import Catalog
from webapp.cloud.models import Image
from webapp.cloud.models import Volume
from webapp.cloud.models import VolumeSnapshot
from webapp.forms.launch import sources

MIB, GIB = 1024**2, 1024**3
CATALOG = Catalog(
    images=(
        Image(
            "i-noble",
            "Noble",
            size_bytes=600 * MIB,
            min_disk_gb=8,
            min_ram_mb=1024,
            os_distro="ubuntu",
            os_version="24.04",
            updated_at="2025-05-29T10:02:45Z",
        ),
        Image(
            "i-alpine", "alpine", size_bytes=50 * MIB, os_distro="alpine", visibility="community"
        ),
        Image("i-big", "big", size_bytes=int(2.5 * GIB), min_disk_gb=1),
        Image("s-web", "web-snap", kind="snapshot", os_distro="ubuntu", visibility="private"),
    ),
    volumes=(
        Volume("v-boot", "boot", 10, bootable=True, image_id="i-noble", image_min_ram_mb=1024),
        Volume("v-data", "data", 50),
        Volume("v-own", "own-os", 5, bootable=True, os_distro="debian", os_version="12"),
    ),
    volume_snapshots=(VolumeSnapshot("vs-1", "", 8, "v-boot", image_min_disk_gb=12),),
)


def test_a_tab_per_kind_present_and_not_disabled_the_default_first():
    kinds = sources.kinds_offered(CATALOG, default="volume", disabled=())
    assert kinds == ["volume", "image", "snapshot", "volume_snapshot"]
    only_images = Catalog(images=CATALOG.images[:1])
    assert sources.kinds_offered(only_images, default="volume", disabled=()) == ["image"]
    no_snapshots = sources.kinds_offered(CATALOG, default="image", disabled={"volume_snapshot"})
    assert no_snapshots == ["image", "snapshot", "volume"]


def test_image_rows_by_name_with_sizes_and_minimums_in_words():
    rows = {row.id: row for row in sources.rows_of(CATALOG, "image")}
    assert list(rows) == ["i-alpine", "i-big", "i-noble"]  # by name, any case
    noble = rows["i-noble"]
    assert (noble.os, noble.size, noble.min_disk, noble.min_ram) == (
        "ubuntu 24.04",
        "600 MB",
        "8 GB",
        "1 GB",
    )
    assert (noble.visibility, noble.updated_date) == ("public", "2025-05-29")
    # the minimum disk is never below the image itself
    assert (rows["i-big"].size, rows["i-big"].min_disk) == ("2.5 GB", "3 GB")
    assert (rows["i-alpine"].os, rows["i-alpine"].min_ram, rows["i-alpine"].updated_date) == (
        "alpine",
        "—",
        "",
    )


def test_volume_rows_take_their_os_from_cinder_or_the_image_they_came_from():
    volumes = {row.id: row for row in sources.rows_of(CATALOG, "volume")}
    assert list(volumes) == ["v-boot", "v-own"]  # bootable ones only
    assert (volumes["v-boot"].os, volumes["v-boot"].size, volumes["v-boot"].min_ram) == (
        "ubuntu 24.04",
        "10 GB",
        "1 GB",
    )
    assert volumes["v-own"].os == "debian 12" and volumes["v-own"].visibility == "project"
    [snapshot] = sources.rows_of(CATALOG, "volume_snapshot")
    # named by its id when it has no name; its volume's image says the OS
    assert (snapshot.name, snapshot.os, snapshot.min_disk) == ("vs-1", "ubuntu 24.04", "12 GB")
    assert snapshot.kind_words == "volume snapshot"


def test_the_filter_keeps_rows_with_every_word_in_the_name_or_os():
    kinds = ["image", "snapshot", "volume"]

    def names(kind, text):
        picker = sources.picker(CATALOG, kinds=kinds, kind=kind, text=text, chosen_id="")
        return [row.name for row in picker.rows]

    assert names("image", "") == ["alpine", "big", "Noble"]
    assert names("image", "  UBUNTU  ") == ["Noble"]
    assert names("image", "ubuntu 24") == ["Noble"]
    assert names("image", "ubuntu 22") == []
    assert names("snapshot", "ubuntu") == ["web-snap"]


def test_the_chosen_source_is_found_on_any_tab():
    kinds = ["image", "snapshot", "volume"]
    here = sources.picker(CATALOG, kinds=kinds, kind="image", text="", chosen_id="i-big")
    assert here.chosen is not None and here.chosen.id == "i-big"
    assert not here.chosen_elsewhere
    filtered = sources.picker(CATALOG, kinds=kinds, kind="image", text="alp", chosen_id="i-big")
    assert filtered.chosen_elsewhere
    other_tab = sources.picker(CATALOG, kinds=kinds, kind="volume", text="", chosen_id="s-web")
    assert other_tab.chosen_elsewhere and other_tab.chosen.kind == "snapshot"
    # a source of a kind not offered, or unknown, is not chosen
    hidden = sources.picker(CATALOG, kinds=["image"], kind="image", text="", chosen_id="v-boot")
    assert hidden.chosen is None and not hidden.chosen_elsewhere
    assert sources.picker(CATALOG, kinds=kinds, kind="image", text="", chosen_id="x").chosen is None
