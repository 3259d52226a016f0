"""The Source step's picker over HTTP, as a panel (``HX-Request``) and as a whole
page: a tab per kind of source the project has, a filter over names and OSes, the
chosen source never lost, and the boot-volume settings only where they apply."""

from __future__ import annotations

import re

import pytest

from tests.helpers.choices import source_tabs
from tests.helpers.state import wizard_record

HTMX = pytest.mark.parametrize("htmx", [False, True], ids=["page", "panel"])
IMAGES = ["cirros-0.6.3", "debian-12-generic", "router-appliance-4.2", "ubuntu-24.04-server"]


@pytest.fixture
def at_source(wizard):
    """A wizard whose Details are done, on the Source step."""
    wizard.open()
    assert wizard.post("details", name="picker", count="1").status_code == 303
    return wizard


def show(wizard, htmx, **data) -> str:
    """The Source step as a preview of ``data`` ("Show", "Filter", a change)."""
    response = wizard.post("source", "preview", htmx=htmx, **data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ("<html" in html) is not htmx  # a panel for htmx, else a whole page
    return html


def rows(html: str) -> list[str]:
    """The names in the table, in order."""
    return re.findall(r'<label for="source-[^"]+">([^<]+)</label>', html)


def checked_row(html: str) -> str | None:
    """The value of the row whose radio is checked, if it is also highlighted."""
    found = re.search(
        r'<tr class="chosen">\s*<td data-label="Name"><input type="radio" name="source_id" '
        r'id="[^"]+" value="([^"]+)" checked>',
        html,
    )
    return found.group(1) if found else None


def hidden(html: str) -> dict[str, str]:
    """The hidden inputs of the step's form (not the CSRF token)."""
    form = html[html.index('<form id="wizard-form"') :]
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    return {name: value for name, value in found if name != "csrf_token"}


def shown(html: str) -> set[str]:
    """The ids of the boot-volume settings drawn as fields."""
    names = ("create_volume", "volume_size", "volume_type", "delete_on_termination")
    return {name for name in names if f'id="{name}"' in html}


def context(app, wizard) -> dict:
    record = wizard_record(app, wizard.client, wizard.url.rsplit("/", 1)[1])
    assert record is not None
    return record["context"]


@HTMX
def test_a_tab_per_kind_of_source_the_first_one_shown(at_source, htmx):
    html = show(at_source, htmx)
    assert source_tabs(html) == ["image", "snapshot", "volume", "volume_snapshot"]
    assert re.search(r'value="image" checked>\s*<label for="source_kind-image">Images', html)
    assert rows(html) == IMAGES
    assert (
        '<time datetime="2024-09-26T08:14:03Z" title="2024-09-26T08:14:03Z">Sep 26, 2024</time>'
        in html
    )
    assert rows(show(at_source, htmx, source_kind="snapshot")) == ["web-01-snapshot"]
    assert rows(show(at_source, htmx, source_kind="volume")) == ["debian-boot"]
    assert rows(show(at_source, htmx, source_kind="volume_snapshot")) == ["debian-boot-snapshot"]
    # a kind not offered: the first tab
    assert rows(show(at_source, htmx, source_kind="kernels")) == IMAGES


def test_a_project_without_volumes_has_no_tabs_for_them(wizard):
    with wizard.client.session_transaction() as session:
        projects = session["identity"]["projects"]
    sandbox = next(p["id"] for p in projects if p["name"] == "sandbox")
    wizard.open()
    wizard.client.post("/auth/project", data={"project_id": sandbox, "csrf_token": wizard.token})
    wizard.open()
    wizard.post("details", name="sandboxed", count="1")
    assert source_tabs(wizard.page("source")) == ["image", "snapshot"]


def test_each_row_says_what_the_source_needs(at_source):
    html = show(at_source, False)
    [ubuntu] = [row for row in html.split("<tr") if ">ubuntu-24.04-server<" in row]
    cells = re.findall(r'<td data-label="([^"]+)">(.*?)</td>', ubuntu, re.S)
    assert dict(cells[1:]) == {
        "OS": "ubuntu 24.04",
        "Size": "583 MB",
        "Min. disk": "10 GB",
        "Min. RAM": "1 GB",
        "Visibility": "public",
        "Updated": '<time datetime="2025-05-29T10:02:45Z" title="2025-05-29T10:02:45Z">'
        "May 29, 2025</time>",
    }
    volume = show(at_source, False, source_kind="volume")
    # the volume's OS is the one of the image it was made from
    assert '<td data-label="OS">debian 12</td>' in volume
    assert '<td data-label="Visibility">project</td>' in volume


@HTMX
def test_the_filter_narrows_the_rows_by_name_or_os(at_source, htmx):
    html = show(at_source, htmx, source_filter="  UBUNTU ")
    assert rows(html) == ["ubuntu-24.04-server"]
    assert 'id="source_filter" name="source_filter" value="UBUNTU"' in html
    assert rows(show(at_source, htmx, source_filter="debian 12")) == ["debian-12-generic"]
    # the snapshot's name does not say ubuntu, its OS does
    snapshots = show(at_source, htmx, source_kind="snapshot", source_filter="ubuntu")
    assert rows(snapshots) == ["web-01-snapshot"]
    html = show(at_source, htmx, source_filter="windows")
    assert rows(html) == []
    assert "No sources match “windows”." in html


@HTMX
def test_the_chosen_source_is_kept_when_not_shown(at_source, app, htmx):
    cirros = at_source.option("source", "cirros")
    html = show(at_source, htmx, source_id=cirros)
    assert checked_row(html) == cirros
    assert "source_id" not in hidden(html) and "Chosen:" not in html
    for elsewhere in ({"source_filter": "ubuntu"}, {"source_kind": "volume"}):
        html = show(at_source, htmx, source_id=cirros, **elsewhere)
        assert checked_row(html) is None
        assert hidden(html)["source_id"] == cirros
        assert "Chosen: <strong>cirros-0.6.3</strong> (image)" in html
    # Next with the source hidden: it is the one kept
    response = at_source.post("source", source_id=cirros, source_kind="volume", htmx=htmx)
    moved = response.headers["HX-Push-Url" if htmx else "Location"]
    assert response.status_code == (200 if htmx else 303) and moved.endswith("/flavor")
    assert context(app, at_source)["source_id"] == cirros


def test_a_row_ticked_beside_the_hidden_source_wins(at_source, app):
    cirros = at_source.option("source", "cirros")
    volume = at_source.option("source", "debian-boot")
    # the form posts the row's radio first, then the hidden input after the table
    response = at_source.post("source", source_id=[volume, cirros], source_kind="volume")
    assert response.status_code == 303
    assert context(app, at_source)["source_id"] == volume
    assert context(app, at_source)["source_type"] == "volume"


def test_the_tab_and_filter_stay_out_of_the_context(at_source, app):
    cirros = at_source.option("source", "cirros")
    at_source.post("source", source_id=cirros, source_kind="volume", source_filter="x")
    kept = context(app, at_source)
    assert kept["source_id"] == cirros
    assert "source_kind" not in kept and "source_filter" not in kept
    # but the step shows them again as they were
    html = at_source.page("source")
    assert 'value="volume" checked' in html and 'name="source_filter" value="x"' in html


@HTMX
def test_boot_volume_settings_only_when_they_apply(at_source, htmx):
    image = at_source.option("source", "cirros")
    volume = at_source.option("source", "debian-boot")
    snapshot = at_source.option("source", "debian-boot-snapshot")
    assert shown(show(at_source, htmx, source_id=image)) == {"create_volume"}
    everything = {"create_volume", "volume_size", "volume_type", "delete_on_termination"}
    assert shown(show(at_source, htmx, source_id=image, create_volume="y")) == everything
    assert shown(show(at_source, htmx, source_id=volume)) == {"delete_on_termination"}
    assert shown(show(at_source, htmx, source_id=snapshot)) == everything - {"create_volume"}
    # nothing chosen yet: what applies to the tab shown
    assert shown(show(at_source, htmx, source_kind="volume")) == {"delete_on_termination"}
    # the data volumes are always there
    assert 'id="data_volume_size"' in show(at_source, htmx, source_id=volume)


@HTMX
def test_settings_not_shown_keep_what_was_typed(at_source, htmx):
    image = at_source.option("source", "cirros")
    volume = at_source.option("source", "debian-boot")
    typed = {"create_volume": "y", "volume_size": "12", "volume_type": "ssd"}
    # the user ticks the volume row: the image's settings go, kept hidden
    html = show(at_source, htmx, source_id=volume, delete_on_termination="y", **typed)
    assert hidden(html) == typed
    # and back to the image: as they were
    html = show(at_source, htmx, source_id=image, delete_on_termination="y", **hidden(html))
    assert shown(html) == {"create_volume", "volume_size", "volume_type", "delete_on_termination"}
    assert " checked " in re.search(r'<input[^>]*id="create_volume"[^>]*>', html).group(0)
    assert re.search(r'id="volume_size"[^>]*value="12"', html)
    assert '<option selected value="ssd">' in html


def test_a_setting_not_shown_with_an_error_is_shown_with_it(at_source):
    image = at_source.option("source", "cirros")
    response = at_source.post("source", source_id=image, volume_size="0")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="volume_size-errors"' in html and "volume_size" in shown(html)
    assert "Number must be between 1 and 16384." in html


def test_validation_messages_are_unchanged(at_source):
    html = at_source.post("source", source_id="").get_data(as_text=True)
    assert re.search(r'id="source_id-errors">\s*<li>Choose what to boot from.</li>', html)
    assert 'aria-describedby="source_id-errors"' in html
    html = at_source.post("source", source_id="not-a-source").get_data(as_text=True)
    assert re.search(r'id="source_id-errors">\s*<li>Not a valid choice.</li>', html)
