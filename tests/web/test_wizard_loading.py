"""The wizard's page at once while the cloud's lists load: a loading panel that
htmx replaces with the step's panel, the whole page when waited for without
JavaScript, and the page directly once the lists are cached."""

import re
import time
import urllib.parse

import pytest

from tests.helpers.cloud_lists import cloud_lists
from tests.helpers.cloud_lists import forget_lists
from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.errors import Unauthorized

HTMX = {"HX-Request": "true"}
#: seconds each list call of the slow cloud takes
SLOW = 0.5
LOADING = "Loading your cloud's images, flavors and networks…"


def hx_get(html: str) -> str:
    """The URL the loading panel asks htmx for."""
    panel = re.search(r'<section id="wizard-panel" class="panel loading"[^>]*>', html)
    assert panel, "no loading panel"
    assert 'hx-trigger="load"' in panel.group(0) and 'hx-swap="outerHTML"' in panel.group(0)
    return re.search(r'hx-get="([^"]+)"', panel.group(0)).group(1).replace("&amp;", "&")


def refresh_url(html: str) -> str:
    """Where the page's <noscript> refresh goes (the page that waits, without JavaScript)."""
    match = re.search(
        r'<noscript><meta http-equiv="refresh" content="0; url=([^"]+)"></noscript>', html
    )
    assert match, "no <noscript> refresh"
    return match.group(1).replace("&amp;", "&")


def query(url: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)


def test_new_launch_answers_the_loading_page_without_asking_the_cloud(app, wizard):
    with cloud_lists(app, delay=SLOW) as calls:
        response = wizard.client.get("/launch/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert calls == {}  # the lists are left for the panel's request
    assert html.startswith("<!doctype html>")
    assert "<title>Details · Launch instance · Skiff</title>" in html
    assert re.search(r'<li class="current">\s*<button[^>]*value="step:details"', html)
    assert (
        f'<p role="status"><span class="spinner" aria-hidden="true"></span> {LOADING}</p>' in html
    )
    assert 'id="wizard-form"' not in html and 'id="panel-title"' not in html
    assert hx_get(html) == "/launch/"
    assert refresh_url(html) == "/launch/?wait=1"
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"


def test_the_loading_panels_request_waits_for_the_lists_and_answers_the_panel(app, wizard):
    url = hx_get(wizard.client.get("/launch/").get_data(as_text=True))
    with cloud_lists(app, delay=SLOW) as calls:
        started = time.monotonic()
        response = wizard.client.get(url, headers=HTMX)
        waited = time.monotonic() - started
    html = response.get_data(as_text=True)
    assert calls["list_images"] == 1 and calls["list_flavors"] == 1
    assert waited >= SLOW
    assert response.status_code == 200
    assert "<!doctype html>" not in html
    assert '<h2 id="panel-title" tabindex="-1" autofocus>Details</h2>' in html
    assert re.search(r'<nav id="wizard-steps"[^>]*hx-swap-oob=true', html)
    assert "HX-Push-Url" not in response.headers  # the page's URL is already the step's
    # The same URL answers a page and a panel: caches must keep them apart.
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"


def test_once_the_lists_are_cached_the_page_comes_whole(app, wizard):
    wizard.client.get("/launch/", headers=HTMX)  # the loading panel's request
    with cloud_lists(app) as calls:
        html = wizard.client.get("/launch/").get_data(as_text=True)
    # A new launch fetches its lists again (the cloud as it is now), at once.
    assert calls["list_flavors"] == 1
    assert '<h2 id="panel-title" tabindex="-1" autofocus>Details</h2>' in html
    assert LOADING not in html and "<noscript><meta" not in html


def test_a_saved_wizards_step_comes_whole_with_its_lists_cached(app, wizard):
    wizard.open()
    with cloud_lists(app) as calls:
        html = wizard.page("details")
    assert calls == {}
    assert 'id="wizard-form"' in html and LOADING not in html


def test_a_saved_wizard_whose_lists_expired_loads_its_step_the_same_way(app, wizard):
    wizard.open()
    wizard.post("details", name="kept", count="1")
    wizard_id = wizard.url.rsplit("/", 1)[1]
    forget_lists(app, wizard.client, wizard_id)
    with cloud_lists(app, delay=SLOW) as calls:
        page = wizard.page("source")
        assert calls == {}
        assert re.search(r'<li class="done">\s*<button[^>]*value="step:details"', page)
        assert re.search(r'<li class="current">\s*<button[^>]*value="step:source"', page)
        assert '<h2 id="loading-title">Source</h2>' in page
        assert hx_get(page) == f"{wizard.url}/source"
        assert refresh_url(page) == f"{wizard.url}/source?wait=1"
        panel = wizard.page("source", **HTMX)
        assert calls["list_images"] == 1
    assert '<h2 id="panel-title" tabindex="-1" autofocus>Source</h2>' in panel
    assert "cirros" in panel  # an image of the demo cloud's list
    assert 'value="kept"' in wizard.page("details")  # and its lists are cached again


def test_without_javascript_the_waiting_page_comes_whole(app, wizard):
    html = wizard.client.get("/launch/?name=web&image=cirros").get_data(as_text=True)
    with cloud_lists(app, delay=SLOW) as calls:
        response = wizard.client.get(refresh_url(html))
    page = response.get_data(as_text=True)
    assert calls["list_images"] == 1
    assert response.status_code == 200 and page.startswith("<!doctype html>")
    assert LOADING not in page
    assert '<h2 id="panel-title" tabindex="-1" autofocus>Details</h2>' in page
    assert 'value="web"' in page
    # The form posts the pre-fill, not the argument that asked to wait.
    action = re.search(r'<form id="wizard-form" method="post" action="([^"]+)"', page).group(1)
    assert query(action.replace("&amp;", "&")) == {"name": ["web"], "image": ["cirros"]}


def test_the_query_that_prefills_a_new_wizard_survives_the_loading_page(app, wizard):
    html = wizard.client.get("/launch/?name=from-a-link&flavor=m1.small").get_data(as_text=True)
    expected = {"name": ["from-a-link"], "flavor": ["m1.small"]}
    assert query(hx_get(html)) == expected
    assert query(refresh_url(html)) == {**expected, "wait": ["1"]}
    panel = wizard.client.get(hx_get(html), headers=HTMX).get_data(as_text=True)
    assert 'value="from-a-link"' in panel
    action = re.search(r'hx-post="([^"]+)"', panel).group(1).replace("&amp;", "&")
    assert query(action) == expected
    wizard.open("?name=from-a-link")
    assert 'value="from-a-link"' in wizard.page("details")


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_an_expired_login_while_the_lists_load_goes_to_log_in_and_back(app, wizard, htmx):
    page = "/launch/?name=web"
    html = wizard.client.get(page).get_data(as_text=True)
    expired = {"list_images": Unauthorized("The token has expired.")}
    with cloud_lists(app, errors=expired):
        if htmx:
            # htmx names the page it asks from; that page is where to come back to.
            headers = {**HTMX, "HX-Current-URL": f"http://localhost{page}"}
            response = wizard.client.get(hx_get(html), headers=headers)
            target = response.headers["HX-Redirect"]
        else:
            response = wizard.client.get(refresh_url(html))
            assert response.status_code == 303
            target = response.headers["Location"]
    login = urllib.parse.urlsplit(target)
    assert login.path == "/auth/login"
    assert query(target)["next"] == [page if htmx else f"{page}&wait=1"]
    # Logged out: the next page asks to log in.
    assert wizard.client.get("/launch/").status_code == 303


def test_a_cloud_that_lists_in_part_shows_the_panel_with_a_warning(app, wizard):
    html = wizard.client.get("/launch/").get_data(as_text=True)
    down = {"list_networks": CloudUnavailable("Neutron did not answer.")}
    with cloud_lists(app, errors=down):
        panel = wizard.client.get(hx_get(html), headers=HTMX).get_data(as_text=True)
    assert '<h2 id="panel-title" tabindex="-1" autofocus>Details</h2>' in panel
    assert "Some lists could not be loaded from the cloud (networks)" in panel


def test_a_cloud_that_does_not_answer_says_so_in_the_messages(app, wizard):
    html = wizard.client.get("/launch/").get_data(as_text=True)
    down = {method: CloudUnavailable("Down.") for method in ("features", "list_images")}
    with cloud_lists(app, errors=down):
        response = wizard.client.get(hx_get(html), headers=HTMX)
    assert response.status_code == 503
    assert response.headers["HX-Retarget"] == "#messages"
    assert "The cloud did not answer." in response.get_data(as_text=True)
    # The loading panel's way out: the page that waits, which answers again.
    assert 'href="/launch/?wait=1"' in html


def test_messages_wait_for_the_panel_rather_than_vanish_with_the_loading_page(wizard):
    gone = wizard.client.get("/launch/no-such-wizard/details")
    assert gone.headers["Location"] == "/launch/"
    notice = "That launch form has expired"
    page = wizard.client.get("/launch/").get_data(as_text=True)
    assert LOADING in page and notice not in page
    panel = wizard.client.get(hx_get(page), headers=HTMX).get_data(as_text=True)
    messages = re.search(r'<div id="messages"[^>]*hx-swap-oob="true">(.*?)</div>', panel, re.S)
    assert notice in messages.group(1)


def test_posts_never_get_the_loading_page(app, wizard):
    wizard.open()
    wizard_id = wizard.url.rsplit("/", 1)[1]
    forget_lists(app, wizard.client, wizard_id)
    swap = wizard.post("details", htmx=True, name="web", count="1")
    assert swap.status_code == 200
    assert '<h2 id="panel-title" tabindex="-1" autofocus>Source</h2>' in swap.get_data(as_text=True)
    forget_lists(app, wizard.client, wizard_id)
    plain = wizard.post("details", name="web", count="1")
    assert plain.status_code == 303
    # The post fetched the lists again: the page it goes to comes whole.
    assert 'id="wizard-form"' in wizard.page("source")
