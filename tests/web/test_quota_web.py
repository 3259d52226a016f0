"""Quota that guides, over HTTP (whole pages and HTMX panels): a launch over the
instances quota lands on Count, the step list marks that step "!", the banner names
it, one button lowers Count to what fits, a full project is said once, and the
bars say "over the limit" in words."""

from __future__ import annotations

import html
import re

import pytest

from tests.helpers.quota import set_quota

FULL = (
    "The project has no room for another server: 1 of 1 instances are in use. "
    "Delete a server or ask your cloud's operators for more quota."
)


def step_state(page: str, slug: str) -> str:
    """The class of step ``slug`` in the step list."""
    found = re.search(rf'<li class="([^"]*)">\s*<button[^>]*value="step:{slug}"', page)
    assert found, f"no step {slug} in the step list"
    return found.group(1)


def field_errors(page: str, field: str) -> str:
    found = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def count_value(page: str) -> str:
    found = re.search(r'<input[^>]*name="count"[^>]*>', page)
    assert found, "no Count field"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_launching_early_over_the_instances_quota_lands_on_count(wizard, monkeypatch, htmx):
    set_quota(monkeypatch, instances=2)
    wizard.open()
    # Launch pressed on Details, before any flavor or network is chosen
    response = wizard.post("details", "launch", htmx=htmx, name="web", count="3")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ">Details</h2>" in page
    assert field_errors(page, "count") == (
        "<li>3 instances would go over the project's limit of 2; 0 are in use.</li>"
    )
    assert "Choose a flavor." not in page and "Choose a network." not in page
    assert step_state(page, "details") == "current error"
    assert step_state(page, "flavor") == "todo" and step_state(page, "network") == "todo"
    assert "Could not launch &#34;web&#34;: see Details, marked &#34;!&#34;." in page
    assert 'value="web"' in page
    if htmx:
        assert response.headers["HX-Push-Url"] == f"{wizard.url}/details"


def test_launching_early_without_a_name_names_the_step_still(wizard, monkeypatch):
    set_quota(monkeypatch, instances=2)
    wizard.open()
    page = wizard.post("details", "launch", name="", count="3").get_data(as_text=True)
    assert "Could not launch: see Details, marked &#34;!&#34;." in page


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_one_click_lowers_count_to_what_fits(wizard, monkeypatch, htmx):
    set_quota(monkeypatch, instances=2)
    wizard.open()
    page = wizard.post("details", htmx=htmx, name="web", count="3").get_data(as_text=True)
    assert "At most 2 more servers fit in the project&#39;s quotas." in page
    button = re.search(r'<button type="submit" name="nav" value="fit_count"[^>]*>([^<]*)<', page)
    assert button and button.group(1) == "Lower Count to 2"
    assert 'aria-describedby="count-hint"' in button.group(0)

    response = wizard.post("details", "fit_count", htmx=htmx, name="web", count="3")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ">Details</h2>" in page  # the same step, checked again
    assert count_value(page) == "2"
    assert field_errors(page, "count") == ""
    assert 'value="fit_count"' not in page
    assert step_state(page, "details") == "current"
    assert 'value="web"' in page
    # kept: Next goes on with 2
    assert wizard.post("details", name="web", count="2").status_code == 303


def test_lowering_count_keeps_the_other_errors_of_the_step(wizard, monkeypatch):
    set_quota(monkeypatch, instances=2)
    wizard.open()
    page = wizard.post("details", "fit_count", name="", count="5").get_data(as_text=True)
    assert count_value(page) == "2"
    assert field_errors(page, "name") == "<li>This field is required.</li>"
    assert step_state(page, "details") == "current error"


def test_a_full_project_is_said_once_on_details_before_and_after_next(wizard, monkeypatch):
    set_quota(monkeypatch, instances=1)
    wizard.open()
    wizard.fill_all(name="first")
    assert wizard.launch().status_code == 303
    wizard.open()
    page = wizard.page("details")
    hint = re.search(r'<p class="hint" id="count-hint">([^<]*)</p>', page)
    assert hint and html.unescape(hint.group(1)) == FULL
    assert 'id="count-errors"' not in page
    # Next: the error beside Count says it, and the hint no longer says it again
    page = wizard.post("details", name="second", count="1").get_data(as_text=True)
    assert field_errors(page, "count") == f"<li>{FULL}</li>"
    assert 'id="count-hint"' not in page
    assert 'value="fit_count"' not in page


def test_the_bar_over_the_limit_says_so_in_words(wizard):
    wizard.open()
    wizard.post("details", name="big", count="6")
    wizard.post("source", source_id=wizard.option("source", "cirros"))
    page = wizard.post("flavor", flavor=wizard.option("flavor", "m1.large")).get_data(as_text=True)
    assert field_errors(page, "flavor") == (
        "<li>m1.large cannot be used: 24 vCPUs for 6 servers would go over the project's "
        "limit of 20 vCPUs; 0 are in use.</li>"
    )
    row = re.search(r'<div class="quota-row over">.*?</div>', page, re.S)
    assert row, "no bar over the limit"
    assert "vCPUs" in row.group(0)
    figures = " ".join(re.sub(r"<[^>]+>", "", row.group(0)).split())
    assert "0 used + 24 this launch, 20 allowed: over the limit by 4" in figures
    meter = re.search(r"<meter[^>]*>", row.group(0)).group(0)
    for attribute in ('max="24"', 'value="24"', 'high="20"', 'optimum="0"'):
        assert attribute in meter
    # the rows that fit say what is left, in words too
    assert "0 used + 6 this launch, 4 of 10 left" in page
