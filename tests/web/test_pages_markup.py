"""The markup every screen and every user relies on: a skip link first, the theme's
script and toggle, the icon, the panel's title for htmx, the focus and the alert
after an error, checkboxes drawn box first, stacked tables labelled cell by cell."""

from __future__ import annotations

import re

import pytest

from tests.helpers.servers import Servers

HTMX = {"HX-Request": "true"}


def body(response) -> str:
    return response.get_data(as_text=True)


def tag(html: str, pattern: str) -> str:
    """The first start tag whose text matches ``pattern``."""
    match = re.search(rf"<[a-z0-9]+\b[^>]*{pattern}[^>]*>", html)
    assert match, f"no tag matching {pattern!r}"
    return match.group(0)


def test_the_skip_link_comes_first_and_leads_to_main(client):
    html = body(client.get("/auth/login"))
    after_body = html.split("<body", 1)[1].split(">", 1)[1]
    first = re.search(r"<(?:a|button|input|select|textarea)\b[^>]*>([^<]*)", after_body)
    assert first.group(0) == '<a class="skip-link" href="#main">Skip to content'
    assert '<main id="main">' in html


def test_the_theme_script_runs_before_the_page_is_drawn_and_its_toggle_waits_for_it(client):
    html = body(client.get("/auth/login"))
    head = html.split("</head>", 1)[0]
    script = re.search(r'<script src="(/static/skiff\.js\?v=\w+)"([^>]*)>', head)
    assert script, "skiff.js is not loaded in <head>"
    assert "defer" not in script.group(2) and "async" not in script.group(2)
    assert client.get(script.group(1)).status_code == 200
    # without JavaScript there is no toggle to press: the script shows it
    toggle = tag(html, 'id="theme-toggle"')
    assert " hidden" in toggle and 'type="button"' in toggle and 'aria-pressed="false"' in toggle


def test_the_demo_banner_is_inside_the_header_landmark(client):
    html = body(client.get("/auth/login"))
    header = html.split('<header class="site">', 1)[1].split("</header>", 1)[0]
    assert 'class="demo-banner"' in header


def test_the_icon_is_a_small_svg_also_found_at_favicon_ico(client):
    html = body(client.get("/auth/login"))
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon, "no SVG icon linked"
    svg = client.get(icon.group(1))
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert len(svg.data) < 1024 and svg.data.startswith(b"<svg")

    legacy = client.get("/favicon.ico")
    assert legacy.status_code in (301, 302, 308)
    followed = client.get(legacy.headers["Location"])
    assert followed.status_code == 200 and followed.data == svg.data


def test_a_panel_for_htmx_carries_the_title_of_its_step(wizard):
    wizard.open()
    response = wizard.post("details", name="web-1", count="1", htmx=True)
    html = body(response)
    # at the top of the answer, where htmx takes it for the tab's title
    assert html.lstrip().startswith("<title>Source · Launch instance · Skiff</title>")
    page = wizard.page("source")
    assert "<title>Source · Launch instance · Skiff</title>" in page


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "page"])
def test_after_an_error_the_focus_goes_to_the_field_and_the_alert_says_what(wizard, htmx):
    wizard.open()
    response = wizard.post("details", name="", count="1", htmx=htmx)
    assert response.status_code == 200
    html = body(response)
    name = tag(html, 'id="name"')
    assert " autofocus" in name and 'aria-invalid="true"' in name
    assert " autofocus" not in tag(html, 'id="panel-title"')
    assert len(re.findall(r"\sautofocus[\s>]", html)) == 1
    alert = html.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert "Instance name: This field is required." in alert


def test_without_errors_the_focus_goes_to_the_heading(wizard):
    wizard.open()
    html = body(wizard.post("details", name="web-1", count="1", htmx=True))
    assert " autofocus" in tag(html, 'id="panel-title"')
    assert 'role="alert"' not in html


def test_a_lone_checkbox_is_drawn_box_first_then_its_label(wizard):
    wizard.open()
    wizard.fill_all()
    html = wizard.page("config")
    fields = re.findall(r'<div class="field booleanfield">(.*?)</div>', html, re.S)
    field = next(f for f in fields if 'id="config_drive"' in f)
    box = field.index('<input id="config_drive"')
    label = field.index('<label for="config_drive">')
    assert box < label
    assert 'type="checkbox"' in tag(field, 'id="config_drive"')


def test_the_server_list_stacks_its_cells_under_their_column_names(wizard):
    Servers(wizard).launch(name="stacked")
    html = body(wizard.client.get("/servers/"))
    table = html.split('<table class="servers stack">', 1)[1].split("</table>", 1)[0]
    headers = re.findall(r'<th scope="col">(?:<span class="visually-hidden">)?([^<]+)<', table)
    labels = re.findall(r'<td data-label="([^"]+)"', table)
    columns = [
        *("Select", "Name", "Status", "Flavor", "Image", "Addresses", "Key pair", "Age"),
        "Expires",
    ]
    assert labels == headers == columns
    assert table.count("<td") == len(labels)


def test_server_actions_and_filters_say_when_they_are_working(wizard):
    server_id = Servers(wizard).launch(name="busy")
    page = body(wizard.client.get(f"/servers/{server_id}"))
    actions = page.split('id="server-actions"', 1)[1].split("</div>", 1)[0]
    assert 'hx-indicator="this"' in tag(page, 'id="server-actions"')
    assert '<span class="busy" aria-hidden="true">Working…</span>' in actions
    listing = body(wizard.client.get("/servers/"))
    assert 'hx-indicator="find .busy, #server-table"' in tag(listing, 'class="server-filters"')
    assert '<span class="busy" aria-hidden="true">Working…</span>' in listing
