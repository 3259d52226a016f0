"""Driving Skiff's pages in a real browser (Playwright): logging in, the wizard's
steps and their HTMX swaps, and the server page, for the browser tests."""

from __future__ import annotations

import re
from itertools import pairwise
from urllib.parse import parse_qsl

from tests.helpers.i18n import translate
from webapp.cloud.demo.data import IMAGES

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    expect = None

#: the first step: a new launch's page, or a wizard's Details once it is made
#: (without JavaScript, the first one after login is the page that waits for the
#: lists, ``?wait=1``, which the loading page's refresh goes to at once)
WIZARD = re.compile(r"/launch/([^/]+/details)?(\?wait=1)?$")
SERVER = re.compile(r"/servers/[0-9a-f-]{36}$")
#: step slug -> its panel heading, in the wizard's order
STEP_NAMES = {
    "details": "Details",
    "source": "Source",
    "flavor": "Flavor",
    "network": "Networking",
    "access": "Access & Security",
    "config": "Configuration",
    "review": "Review",
}
STEPS = tuple(STEP_NAMES)
IMAGE_IDS = {image.name: image.id for image in IMAGES}


def shown(page, text):
    """``text`` (the portal's English) as the page shows it, in the page's language."""
    return translate(page.locator("html").get_attribute("lang") or "en")(text)


def log_in(page, live, username="demo", password="demo"):
    """Log in through the form; the portal then shows a new launch's first step."""
    page.goto(live.url + "/launch/")
    page.get_by_label(shown(page, "User name")).fill(username)
    page.get_by_label(shown(page, "Password")).fill(password)
    page.get_by_role("button", name=shown(page, "Log in")).click()
    page.wait_for_url(WIZARD)


def wizard_button(page, name):
    """A button of the step form (Next, Back, Launch...), not of the step list."""
    return page.locator("#wizard-form .wizard-actions").get_by_role(
        "button", name=shown(page, name), exact=True
    )


def step_button(page, slug):
    """An entry of the step list (a submit button of the step form, outside it)."""
    return page.locator(f'#wizard-steps button[value="step:{slug}"]')


def choose(page, select, text):
    """Select the option of ``select`` whose label contains ``text``."""
    value = page.locator(f"{select} option", has_text=text).first.get_attribute("value")
    page.locator(select).select_option(value)


def expect_chosen(page, select, text):
    expect(page.locator(f"{select} option:checked")).to_contain_text(text)


def source(page, name):
    """The radio of the boot source whose name contains ``name``, in the table of
    the tab shown."""
    return page.locator("#wizard-panel table.sources").get_by_label(name).first


def source_tab(page, label):
    """The tab of one kind of source ("Images", "Volumes"...): the label of its
    radio, which is what a user clicks (the radio itself is drawn as the tab)."""
    pattern = re.compile(rf"^{re.escape(label)}\b")
    return page.locator("#wizard-panel .segmented label").filter(has_text=pattern)


def source_rows(page):
    """The names in the source table, in order."""
    return page.locator("#wizard-panel table.sources tbody label")


def flavor(page, name):
    """The radio of flavor ``name`` in the flavor table."""
    return page.locator("#wizard-panel").get_by_label(name, exact=True)


def flavor_row(page, name):
    """The row of flavor ``name``; its last cell says whether it can be used, or why not."""
    return page.locator("#wizard-panel tbody tr", has=page.get_by_label(name, exact=True))


def quota(page, label):
    """The figures of one quota bar ("0 used + 1 this launch, 19 of 20 left")."""
    return page.locator("#quota .quota-row", has_text=label).locator(".quota-figures")


def expect_step(page, slug):
    """The page shows step ``slug``: its URL and its panel."""
    page.wait_for_url(re.compile(f"/launch/[^/]+/{slug}$"))
    expect(page.locator("#panel-title")).to_have_text(shown(page, STEP_NAMES[slug]))


def expect_states(page, *states):
    """The step list's states, in order (current, done, todo, error)."""
    expect(page.locator("#wizard-steps li")).to_have_class(list(states))


def states_at(slug):
    """The step list when the steps before ``slug`` are done and none after it."""
    here = STEPS.index(slug)
    return ["done"] * here + ["current"] + ["todo"] * (len(STEPS) - here - 1)


def posted(request) -> dict[str, str]:
    """The fields of a POST (urlencoded or multipart; the first value of each)."""
    body = request.post_data or ""
    if "multipart/form-data" in (request.header_value("content-type") or ""):
        pairs = re.findall(r'name="([^"]+)"\r\n\r\n(.*?)\r\n--', body, re.DOTALL)
    else:
        pairs = parse_qsl(body, keep_blank_values=True)
    fields = {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return fields


def is_post(response):
    return response.request.method == "POST"


def mark_panel(page):
    """Mark the panel on screen, so that its replacement can be waited for."""
    page.evaluate(
        "window.__marker = window.__marker || 1;"
        "document.getElementById('wizard-panel').dataset.stale = 'yes'"
    )


def expect_new_panel(page):
    expect(page.locator("#wizard-panel")).to_have_count(1)
    expect(page.locator("#wizard-panel[data-stale]")).to_have_count(0)


def htmx_swap(page, action, slug):
    """Do ``action`` (a click) and check that it was answered by an HTMX swap: an
    XHR with HX-Request answered 200 (a panel, not a redirect), the page itself
    not reloaded (the marker set on ``window`` survives), then step ``slug``,
    with the focus on the new panel's heading, or after errors on the first
    invalid field (else on the errors' alert)."""
    mark_panel(page)
    with page.expect_response(is_post) as info:
        action()
    response = info.value
    assert response.request.header_value("hx-request") == "true"
    assert response.status == 200
    expect_new_panel(page)
    expect_step(page, slug)
    expect(focus_after_swap(page)).to_be_focused()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    return response


def focus_after_swap(page):
    """Where a new panel puts the focus: its first invalid field, else the alert
    listing its errors, else (no errors) its heading."""
    invalid = page.locator("#wizard-panel [aria-invalid=true]")
    if invalid.count():
        return invalid.first
    alert = page.locator("#step-alert")
    return alert if alert.count() else page.locator("#panel-title")


def preview(page, action):
    """Do ``action`` (choose a boot source or a flavor), which htmx posts with
    nav=preview: a new panel for the same step (no new URL), the page kept."""
    url = page.url
    mark_panel(page)
    with page.expect_response(is_post) as info:
        action()
    response = info.value
    assert response.request.header_value("hx-request") == "true"
    assert posted(response.request)["nav"] == "preview"
    assert response.status == 200
    assert response.header_value("hx-push-url") is None
    expect_new_panel(page)
    assert page.url == url
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    return response


def page_move(page, action, slug):
    """Do ``action`` without JavaScript: a whole-page POST (then 303 and GET when it
    moves to another step), and see step ``slug``."""
    with page.expect_navigation():
        action()
    expect_step(page, slug)


def walk(
    page,
    to,
    *,
    js,
    start="details",
    name="web-1",
    image="cirros",
    size="m1.tiny",
    network="private",
):
    """From step ``start`` (Details), fill every step with valid values and go on
    with Next up to step ``to`` (with HTMX swaps, or whole pages without JavaScript)."""
    move = htmx_swap if js else page_move

    def change(action):
        """A source or flavor chosen: with JavaScript, wait for the preview swap."""
        if js:
            preview(page, action)
        else:
            action()

    for here, there in pairwise(STEPS[STEPS.index(start) :]):
        if here == to:
            return
        if here == "details":
            page.get_by_label(shown(page, "Instance name")).fill(name)
        elif here == "source":
            change(source(page, image).check)
        elif here == "flavor":
            change(flavor(page, size).click)
        elif here == "network":
            choose(page, "#nic_1", network)
        move(page, wizard_button(page, "Next").click, there)


def launch(page, click=None):
    """Press Launch (or do ``click``) and wait for the server page."""
    (click or wizard_button(page, "Launch").click)()
    page.wait_for_url(SERVER)


def status(page):
    return page.locator("#server-status .status")
