"""Servers that expire, through the pages: a lease chosen on Details becomes the
server's metadata (Review and the equivalents show it); the list and the
server's page show the time left and extend it, within the maximum, plain and
over htmx."""

from __future__ import annotations

import json
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from tests.helpers.again import demo_connection
from tests.helpers.again import press_again
from tests.helpers.again import saved_input
from tests.helpers.expiry import HTMX
from tests.helpers.expiry import around
from tests.helpers.expiry import demo_server
from tests.helpers.expiry import demo_servers
from tests.helpers.expiry import expires_at
from tests.helpers.expiry import expiring
from tests.helpers.expiry import expiry_app
from tests.helpers.expiry import expiry_cell
from tests.helpers.expiry import expiry_section
from tests.helpers.wizard import STEP_FIELDS
from tests.helpers.wizard import Wizard
from webapp.expiry.lease import EXPIRES_AT
from webapp.expiry.lease import EXPIRY_ACTION

PLAIN_AND_HTMX = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
LEASE = {"expires": "after", "expiry_amount": "3", "expiry_unit": "days"}


def launch(wizard, name="lease", **fields) -> str:
    """Launch one server through the wizard (``fields`` of any step); its id."""
    wizard.open()
    wizard.fill_all(name=name, **fields)
    response = wizard.launch(**{k: v for k, v in fields.items() if k in STEP_FIELDS["config"]})
    assert response.status_code == 303, re.findall(r"<li>([^<]+)</li>", response.text)
    return response.headers["Location"].rsplit("/", 1)[1]


def extend(wizard, server_id, *, htmx=False, **data):
    token = wizard.csrf(wizard.client.get(f"/servers/{server_id}").get_data(as_text=True))
    return wizard.client.post(
        f"/servers/{server_id}/extend",
        data={"csrf_token": token, **data},
        headers=HTMX if htmx else {},
    )


def now():
    return datetime.now(UTC)


# -- at launch -------------------------------------------------------------------


def test_a_lease_chosen_at_launch_is_kept_in_the_servers_metadata(app, wizard):
    before = now()
    server_id = launch(
        wizard, expires="after", expiry_amount="8", expiry_unit="hours", expiry_action="delete"
    )
    server = demo_servers(app)[server_id]
    assert server.metadata[EXPIRY_ACTION] == "delete"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", server.metadata[EXPIRES_AT])
    moment = expires_at(server)
    assert before + timedelta(hours=8, seconds=-1) <= moment <= now() + timedelta(hours=8)


def test_by_default_nothing_expires(app, wizard):
    server_id = launch(wizard)
    assert EXPIRES_AT not in demo_servers(app)[server_id].metadata


def test_the_details_step_offers_it(wizard):
    wizard.open()
    html = wizard.page("details")
    fieldset = re.search(r'<fieldset class="expiry">.*?</fieldset>', html, re.S).group(0)
    assert "<legend>Expiry</legend>" in fieldset
    assert '<option selected value="never">Never</option>' in fieldset
    assert '<option selected value="hours">hours</option>' in fieldset
    assert '<option value="delete">delete it</option>' in fieldset
    assert "At most 30 days; it can be extended later on the server&#39;s page." in fieldset


@PLAIN_AND_HTMX
def test_a_lease_beyond_the_maximum_is_refused_on_details(wizard, htmx):
    wizard.open()
    response = wizard.post(
        "details", htmx=htmx, name="long", count="1", **{**LEASE, "expiry_amount": "31"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "At most 30 days: the longest this cloud allows." in html
    assert ('aria-invalid="true"' in html) and ('value="31"' in html)  # kept as typed
    assert ("<html" in html) is not htmx


def test_review_shows_it_and_the_equivalents_carry_it(wizard):
    wizard.open()
    wizard.fill_all(expires="after", expiry_amount="30", expiry_unit="minutes")
    html = wizard.page("review")
    assert re.search(r"<dt>Expires</dt><dd>stopped 30 minutes after launch", html)
    assert "count the lease from when they run" in html
    # the command and the configuration count the lease from when they run
    command = wizard.client.get(f"{wizard.url}/review/command").get_data(as_text=True)
    assert "--property \"skiff:expires_at=$(date -u -d '+1800 seconds'" in command
    assert "--property skiff:expiry_action=stop" in command
    config = wizard.client.get(f"{wizard.url}/review/terraform").get_data(as_text=True)
    assert re.search(r'"skiff:expires_at" += timeadd\(timestamp\(\), "1800s"\)', config)
    # the API request is what the launch sends now: the end of a lease from now
    api = wizard.client.get(f"{wizard.url}/review/api").get_data(as_text=True)
    sent = json.loads(api.partition("\n\n")[2])["server"]["metadata"]
    moment = datetime.fromisoformat(sent[EXPIRES_AT])
    assert now() + timedelta(minutes=29) < moment <= now() + timedelta(minutes=30)


def test_the_expiry_counts_in_the_projects_metadata_limit(wizard):
    wizard.open()
    wizard.fill_all(**LEASE)
    lines = "\n".join(f"k{n}=v" for n in range(127))
    html = wizard.post("config", metadata=lines).get_data(as_text=True)
    assert (
        "127 items and the 2 that keep the expiry (Details): this project allows at most 128."
        in html
    )
    html = wizard.post("config", metadata="skiff:expires_at=2099-01-01T00:00:00Z").text
    assert "Key &#39;skiff:expires_at&#39; is the portal&#39;s own" in html


def test_the_operators_rules(tmp_path):
    app = expiry_app(
        tmp_path, EXPIRY_DEFAULT="2 days", EXPIRY_ALLOW_NEVER=False, EXPIRY_MAX_HOURS=72
    )
    wizard = Wizard(app.test_client())
    wizard.login()
    wizard.open()
    html = wizard.page("details")
    assert 'name="expires"' not in html
    assert 'name="expiry_amount" type="number" value="2"' in html
    assert '<option selected value="days">days</option>' in html
    assert "This cloud keeps servers for at most 3 days" in html
    response = wizard.post("details", name="x", count="1", expiry_amount="", expiry_unit="days")
    assert "This cloud keeps servers for at most 3 days: choose when this one expires." in (
        response.get_data(as_text=True)
    )
    before = now()
    server_id = launch(wizard, expiry_amount="2", expiry_unit="days")
    assert around(expires_at(demo_servers(app)[server_id]), before + timedelta(days=2))


def again(app, wizard, server_id) -> dict[str, list[str]]:
    """Press "Launch again like this" on the server; the new wizard's Details input."""
    response = press_again(wizard, server_id)
    assert response.status_code == 303, response.status_code
    wizard.url = response.headers["Location"].rsplit("/", 1)[0]
    return saved_input(app, wizard)["details"]


def lease_of(details: dict[str, list[str]]) -> tuple[str, ...]:
    return tuple(
        (details.get(name) or [""])[0]
        for name in ("expires", "expiry_amount", "expiry_unit", "expiry_action")
    )


def test_launch_again_gives_the_new_server_the_same_lease(app, wizard):
    server_id = launch(wizard, metadata="role=web", expiry_action="delete", **LEASE)
    details = again(app, wizard, server_id)
    assert lease_of(details) == ("after", "3", "days", "delete")
    # the expiry's own items are not copied as metadata: the lease starts anew
    assert saved_input(app, wizard)["config"]["metadata"] == ["role=web"]
    before = now()
    launched = wizard.launch()
    assert launched.status_code == 303, launched.text[-2000:]
    copy = demo_servers(app)[launched.headers["Location"].rsplit("/", 1)[1]]
    assert before + timedelta(days=3, seconds=-1) <= expires_at(copy) <= now() + timedelta(days=3)
    assert copy.metadata[EXPIRY_ACTION] == "delete"


def test_launch_again_of_a_server_that_never_expires_chooses_never(tmp_path):
    app = expiry_app(tmp_path, EXPIRY_DEFAULT="2 days")
    wizard = Wizard(app.test_client())
    wizard.login()
    server_id = launch(wizard, expires="never")
    assert lease_of(again(app, wizard, server_id))[0] == "never"


def test_launch_again_keeps_an_extended_lease_within_todays_longest(tmp_path):
    app = expiry_app(tmp_path, EXPIRY_MAX_HOURS=72)
    wizard = Wizard(app.test_client())
    wizard.login()
    wizard.open()
    server_id = demo_server(app, name="long", metadata=expiring(now() + timedelta(days=10)))
    assert lease_of(again(app, wizard, server_id)) == ("after", "3", "days", "stop")
    # and a lease it cannot read is not typed: the operator's default stands
    odd = demo_server(app, name="odd", metadata={EXPIRES_AT: "soon"})
    assert lease_of(again(app, wizard, odd)) == ("", "", "", "")


# -- the list and the page ---------------------------------------------------------


def test_the_list_and_the_page_show_the_time_left(app, wizard):
    leased = launch(wizard, name="leased", **LEASE)
    forever = launch(wizard, name="forever")
    listing = wizard.client.get("/servers/").get_data(as_text=True)
    cell = expiry_cell(listing, leased)
    assert ">3 days left</time>" in cell and "then stopped" in cell
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="[^"]+">', cell)
    assert f'formaction="/servers/{leased}/extend"' in cell
    assert f'name="expiry_amount-{leased}"' in cell
    assert ">Extend<" in cell
    never = expiry_cell(listing, forever)
    assert "never" in never and "Extend" not in never
    page = wizard.client.get(f"/servers/{leased}").get_data(as_text=True)
    section = expiry_section(page)
    assert '<span class="badge tone-busy">3 days left</span>' in section
    assert "then stopped." in section and ">Never expire</button>" in section
    assert expiry_section(wizard.client.get(f"/servers/{forever}").get_data(as_text=True)) is None


def test_an_expired_server_says_so(app, wizard):
    server_id = launch(wizard, name="old", **LEASE)
    past = now() - timedelta(minutes=3)
    demo_connection(app).set_server_metadata(server_id, expiring(past, "delete"))
    cell = expiry_cell(wizard.client.get("/servers/").get_data(as_text=True), server_id)
    assert ">expired</time>" in cell and "due to be deleted" in cell
    section = expiry_section(wizard.client.get(f"/servers/{server_id}").get_data(as_text=True))
    assert '<span class="badge tone-bad">expired</span>' in section


# -- extending -------------------------------------------------------------------------


@PLAIN_AND_HTMX
def test_extend_on_the_page_within_the_maximum(app, wizard, htmx):
    server_id = launch(wizard, **LEASE)
    before = now()
    response = extend(
        wizard, server_id, htmx=htmx, expires="after", expiry_amount="10", expiry_unit="days"
    )
    assert around(expires_at(demo_servers(app)[server_id]), before + timedelta(days=10))
    assert demo_servers(app)[server_id].metadata[EXPIRY_ACTION] == "stop"
    said = "lease now expires 10 days from now."
    if htmx:
        assert response.status_code == 200
        assert "HX-Request" in response.headers["Vary"]
        html = response.get_data(as_text=True)
        assert '<span class="badge tone-busy">10 days left</span>' in expiry_section(html)
        assert '<div id="messages" aria-live="polite" hx-swap-oob="true">' in html
        assert said in html and "<html" not in html
    else:
        assert response.status_code == 303
        assert response.headers["Location"] == f"/servers/{server_id}"
        page = wizard.client.get(response.headers["Location"]).get_data(as_text=True)
        assert said in page and "10 days left" in expiry_section(page)


@PLAIN_AND_HTMX
def test_extend_from_the_list(app, wizard, htmx):
    server_id = launch(wizard, **LEASE)
    other = launch(wizard, name="other", **LEASE)
    before = now()
    response = extend(
        wizard,
        server_id,
        htmx=htmx,
        where="list",
        next="/servers/?name=lea",
        selected=[other],
        **{
            f"expiry_amount-{server_id}": "100",
            f"expiry_unit-{server_id}": "hours",
            f"expiry_amount-{other}": "1",  # another row's fields: not this one's
            f"expiry_unit-{other}": "minutes",
        },
    )
    servers = demo_servers(app)
    assert around(expires_at(servers[server_id]), before + timedelta(hours=100))
    assert around(expires_at(servers[other]), before + timedelta(days=3), slack=30)
    if htmx:
        html = response.get_data(as_text=True)
        assert ">4 days left</time>" in expiry_cell(html, server_id)
        assert html.lstrip().startswith("<td")
        assert "lease now expires 100 hours from now." in html
    else:
        assert (response.status_code, response.headers["Location"]) == (303, "/servers/?name=lea")


@PLAIN_AND_HTMX
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"expiry_amount": "31", "expiry_unit": "days"}, "At most 30 days: the longest"),
        ({"expiry_amount": "721", "expiry_unit": "hours"}, "At most 30 days: the longest"),
        ({"expiry_amount": "2", "expiry_unit": "days"}, "an extension can only move it later"),
        ({"expiry_amount": "", "expiry_unit": "days"}, "Give a whole number"),
        ({"expiry_amount": "3", "expiry_unit": "weeks"}, "Give a whole number"),
    ],
)
def test_extend_is_refused_beyond_the_maximum_or_sooner(app, wizard, htmx, data, message):
    server_id = launch(wizard, **LEASE)
    before = demo_servers(app)[server_id].metadata
    response = extend(wizard, server_id, htmx=htmx, expires="after", **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert demo_servers(app)[server_id].metadata == before
    if htmx:
        assert response.headers["HX-Retarget"] == "#messages"
    else:
        assert "<h1>Not extended</h1>" in response.get_data(as_text=True)


@PLAIN_AND_HTMX
def test_never_where_the_operator_allows_it(app, wizard, htmx):
    server_id = launch(wizard, metadata="role=web", **LEASE)
    response = extend(wizard, server_id, htmx=htmx, expires="never", expiry_amount="")
    assert demo_servers(app)[server_id].metadata == {"role": "web"}
    if htmx:
        html = response.get_data(as_text=True)
        assert expiry_section(html) is None and "lease no longer expires." in html
    else:
        assert response.status_code == 303


def test_never_is_refused_where_the_operator_does_not_allow_it(tmp_path):
    app = expiry_app(tmp_path, EXPIRY_ALLOW_NEVER=False)
    wizard = Wizard(app.test_client())
    wizard.login()
    server_id = launch(wizard, expiry_amount="2", expiry_unit="days")
    page = wizard.client.get(f"/servers/{server_id}").get_data(as_text=True)
    assert "Never expire" not in page
    response = extend(wizard, server_id, expires="never")
    assert response.status_code == 422
    assert "This cloud keeps servers for at most 30 days" in response.get_data(as_text=True)
    assert EXPIRES_AT in demo_servers(app)[server_id].metadata


def test_a_server_that_never_expires_is_not_extended(wizard):
    server_id = launch(wizard)
    response = extend(wizard, server_id, expiry_amount="1", expiry_unit="days")
    assert response.status_code == 409
    assert "lease does not expire." in response.get_data(as_text=True)


def test_extend_needs_the_csrf_token(app, wizard):
    server_id = launch(wizard, **LEASE)
    before = demo_servers(app)[server_id].metadata
    response = wizard.client.post(
        f"/servers/{server_id}/extend", data={"expiry_amount": "9", "expiry_unit": "days"}
    )
    assert response.status_code == 400
    assert demo_servers(app)[server_id].metadata == before


def test_extend_while_nova_does_not_allow_it_says_novas_words(app, wizard):
    app.extensions["skiff.cloud"].build_seconds = 3600
    server_id = launch(wizard, **LEASE)
    response = extend(wizard, server_id, htmx=True, expiry_amount="9", expiry_unit="days")
    assert response.status_code == 409
    assert (
        f"Cannot &#39;update_instance_metadata&#39; instance {server_id} while it is in "
        "vm_state building" in response.get_data(as_text=True)
    )


def test_an_unknown_server_is_a_404(wizard):
    launch(wizard, **LEASE)
    assert extend(wizard, "nope", expiry_amount="1").status_code == 404
