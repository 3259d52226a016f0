"""The wizard's two faces: HTMX fragments with an out-of-band step list, and
whole pages with redirects for browsers without JavaScript."""

import re


def test_step_page_without_htmx_is_a_whole_page(wizard):
    wizard.open()
    page = wizard.page("details")
    assert page.startswith("<!doctype html>")
    assert 'id="wizard-steps"' in page and 'id="wizard-panel"' in page
    assert "Into project <strong>demo</strong>" in page


def test_step_page_for_htmx_is_the_panel_with_an_oob_step_list(wizard):
    wizard.open()
    response = wizard.client.get(f"{wizard.url}/details", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<!doctype html>" not in html
    assert re.search(r'<nav id="wizard-steps"[^>]*hx-swap-oob=true', html)
    assert '<section id="wizard-panel"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_history_restore_gets_a_whole_page(wizard):
    wizard.open()
    html = wizard.page("details", **{"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert html.startswith("<!doctype html>")


def test_next_over_htmx_swaps_in_the_next_panel_and_pushes_its_url(wizard):
    wizard.open()
    response = wizard.post("details", htmx=True, name="web", count="1")
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == f"{wizard.url}/source"
    html = response.get_data(as_text=True)
    assert '<h2 id="panel-title" tabindex="-1" autofocus>Source</h2>' in html
    assert re.search(r'<li class="done">\s*<button[^>]*value="step:details"', html)
    assert re.search(r'<li class="current">\s*<button[^>]*value="step:source"', html)


def test_next_without_htmx_redirects_to_the_next_step(wizard):
    wizard.open()
    response = wizard.post("details", name="web", count="1")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{wizard.url}/source"


def test_invalid_step_over_htmx_comes_back_with_errors_and_input(wizard):
    wizard.open()
    response = wizard.post("details", htmx=True, name="kept name", count="0")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Push-Url" not in response.headers
    assert 'value="kept name"' in html
    assert "Number must be between 1 and 100." in html
    # the step shown has errors: it is current and marked "!" (class error)
    step = re.search(r'<li class="([^"]*)">\s*<button[^>]*value="step:details"[^>]*>', html)
    assert step and step.group(1) == "current error"
    assert "aria-current=step" in step.group(0)


def test_back_keeps_what_was_typed_without_validating(wizard):
    wizard.open()
    wizard.fill_all()
    response = wizard.post("config", nav="back", user_data="#cloud-config\nhalf done")
    assert response.headers["Location"] == f"{wizard.url}/access"
    assert "half done" in wizard.page("config")
    details = wizard.page("details")
    assert 'value="web-1"' in details


def test_step_list_buttons_save_the_current_step(wizard):
    wizard.open()
    wizard.fill_all()
    response = wizard.post("network", nav="step:details", nic_1="")
    assert response.headers["Location"] == f"{wizard.url}/details"
    # Going forward through the list validates, like Next.
    response = wizard.post("details", nav="step:config", name="", count="1")
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)


def test_a_step_before_its_dependencies_sends_the_user_back(wizard):
    wizard.open()
    response = wizard.client.get(f"{wizard.url}/access")
    # Access & Security needs to know the networks (port security) first.
    assert response.headers["Location"] == f"{wizard.url}/network"
    state_url = wizard.url
    # An unknown wizard id starts a new wizard rather than failing.
    response = wizard.client.get(state_url[:-3] + "xyz/details")
    assert response.status_code == 303
    assert response.headers["Location"] == "/launch/"


def test_launch_over_htmx_sends_the_browser_to_the_server_page(wizard):
    wizard.open()
    wizard.fill_all()
    response = wizard.launch(htmx=True)
    assert response.status_code == 200
    assert re.fullmatch(r"/servers/[0-9a-f-]{36}", response.headers["HX-Redirect"])


def test_server_status_fragment_stops_polling_when_final(wizard, app):
    wizard.open()
    wizard.fill_all()
    url = wizard.launch().headers["Location"]
    fragment = wizard.client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.startswith("{#") is False
    assert 'id="server-status"' in fragment
    assert "ACTIVE" in fragment
    assert "hx-trigger" not in fragment


def test_server_page_polls_while_building(wizard, app):
    app.extensions["skiff.cloud"].build_seconds = 60
    wizard.open()
    wizard.fill_all()
    url = wizard.launch().headers["Location"]
    page = wizard.client.get(url).get_data(as_text=True)
    assert "BUILD" in page
    assert 'hx-trigger="load delay:500ms"' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
