"""Launch through the wizard against a real OpenStack and print what it cost.

Prints the upstream calls per service (counted at the keystoneauth1 session) from
opening the wizard through ``POST /servers``, the time until the first panel is
ready (for the first wizard after login: the time until the loading page, then
until its panel), the time from pressing Launch until the server page shows
ACTIVE, and the memory of the process serving the portal. The portal runs in
this process, through Flask's test client, so nothing but the cloud is on the
network.

    .venv/bin/python benchmarks/cloud_calls.py   # the devcloud, user demo

Cloud and user come from SKIFF_TEST_OS_AUTH_URL, SKIFF_TEST_OS_USERNAME and
SKIFF_TEST_OS_PASSWORD (default: the devcloud's demo user). Exits 1 over budget.
"""

from __future__ import annotations

import os
import re
import resource
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tests.helpers.wizard import Wizard  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.cloud.openstack import session as os_session  # noqa: E402

BUDGET = 15


def main() -> int:
    auth_url = os.environ.get("SKIFF_TEST_OS_AUTH_URL", "http://127.0.0.1:5000/v3")
    user = os.environ.get("SKIFF_TEST_OS_USERNAME", "demo")
    password = os.environ.get("SKIFF_TEST_OS_PASSWORD", "devcloud-demo")
    instance = tempfile.mkdtemp()
    app = create_app({"SECRET_KEY": "bench", "CLOUD_AUTH_URL": auth_url}, instance_path=instance)
    wizard = Wizard(app.test_client())
    if wizard.login(user, password).status_code != 303:
        print(f"could not log in to {auth_url} as {user}", file=sys.stderr)
        return 2

    # The first wizard after login meets a token that each service has not yet
    # validated with Keystone (slow on the devcloud, which has no token cache):
    # its page comes at once with a loading panel, whose htmx request waits.
    started = time.perf_counter()
    loading_page = wizard.client.get("/launch/").get_data(as_text=True)
    to_loading = time.perf_counter() - started
    assert 'class="panel loading"' in loading_page, "no loading page after login"
    panel = wizard.client.get("/launch/", headers={"HX-Request": "true"})
    cold_panel = time.perf_counter() - started
    assert 'id="panel-title"' in panel.get_data(as_text=True), panel.status_code
    name = f"skiff-bench-{uuid.uuid4().hex[:6]}"
    with os_session.recording() as calls:
        started = time.perf_counter()
        wizard.open()
        first_panel = time.perf_counter() - started
        wizard.fill_all(
            name=name, image="devcloud-tiny-raw", flavor="m1.nano", network="demo-net", keypair=""
        )
        launched = time.perf_counter()
        response = wizard.launch()
    opening_to_create = calls.count()
    by_service = calls.by_service()
    url = response.headers["Location"]
    while True:
        html = wizard.client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        status = re.search(r'data-status="(\w+)"', html).group(1)
        if status in ("ACTIVE", "ERROR"):
            break
        time.sleep(0.25)
    to_active = time.perf_counter() - launched
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"upstream calls, wizard open -> POST /servers: {opening_to_create} (budget {BUDGET})")
    for service, count in sorted(by_service.items()):
        print(f"  {service:15} {count}")
    print(
        f"time to first panel:        {first_panel * 1000:.0f} ms "
        f"(first wizard after login: {cold_panel * 1000:.0f} ms, "
        f"its loading page at {to_loading * 1000:.0f} ms)"
    )
    print(f"Launch -> {status} shown:     {to_active:.1f} s")
    print(f"portal process max RSS:     {rss_mb:.0f} MB")
    _delete(app, user, password, url)
    return 0 if opening_to_create <= BUDGET and by_service.get("identity", 0) == 0 else 1


def _delete(app, user, password, url):
    provider = app.extensions["skiff.cloud"]
    provider.connect(provider.login(user, password)).delete_server(url.rsplit("/", 1)[1])


if __name__ == "__main__":
    sys.exit(main())
