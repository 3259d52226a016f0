"""Page weight of the launch wizard, measured in Chromium: ``python benchmarks/page_weight.py``.

Serves the app with gunicorn (the production server) on a free port, from a
temporary instance folder and the demo cloud, logs in with Chromium (Debian's
package, or ``CHROMIUM``) and measures, from the DevTools protocol:

* the first wizard page after logging in, with an empty cache: this login has
  no lists yet, so the page comes at once with a loading panel, which htmx then
  replaces with the Details panel (``webapp/blueprints/launch/loading.py``):
  every request (the page, CSS, htmx, the favicon, the panel), the time until
  the page is painted and until the Details panel is on screen;
* the first wizard page with an empty cache once the lists have been fetched
  (a new launch later on: the whole page at once): every request, the bytes over
  the wire (``Network.loadingFinished.encodedDataLength``: headers plus the body
  as sent), and the time until the first panel is on screen;
* each step swap (one HTMX request answered by a panel) through the seven steps,
  Details to Review, and the two previews on the way (choosing the boot source and
  the flavor redraws the panel with new figures).

Beside the bytes really sent it prints the raw figures (headers plus the
uncompressed body) and what gzip would send (headers plus the body through gzip
level 6), so that the effect of compression is visible whatever the app does.

All of it twice: in English, and in Simplified Chinese (the browser asking for
``zh-CN``), whose UTF-8 text is heavier.

Budgets, over the wire (1 kB = 1000 bytes): the first wizard page (either way)
at most 60 kB, a step swap at most 8 kB, in each language. The exit status is 1
when one is exceeded.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import gzip
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks import serving  # noqa: E402
from tests.browser.chromium import CHROMIUM  # noqa: E402
from tests.browser.chromium import CHROMIUM_ARGS  # noqa: E402

FIRST_PAGE_BUDGET = 60_000
STEP_SWAP_BUDGET = 8_000
#: locale -> the browser's language (Accept-Language)
LANGUAGES = {"en": "en-US", "zh_CN": "zh-CN"}


def translator(language: str):
    """The portal's own translation of an English text (labels to click by)."""
    from babel.support import Translations

    from webapp.i18n import TRANSLATIONS
    from webapp.i18n import catalog_name

    return Translations.load(str(TRANSLATIONS), [catalog_name(language)]).gettext


def make_app(instance_path: str):
    """The app on the demo cloud, everything it keeps in ``instance_path``
    (gunicorn calls this: ``benchmarks.page_weight:make_app('/tmp/...')``)."""
    import webapp

    return webapp.create_app(
        {
            "SECRET_KEY": "page-weight-benchmark",
            "DEMO_DATABASE": os.path.join(instance_path, "demo.sqlite"),
            "DEMO_BUILD_SECONDS": 1,
        },
        instance_path=instance_path,
    )


# -- serving ----------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn_server(instance_path: str):
    with serving.gunicorn(
        f"benchmarks.page_weight:make_app({instance_path!r})", instance_path
    ) as server:
        yield server.url, f"gunicorn ({serving.WORKERS} workers x {serving.THREADS} threads)"


@contextlib.contextmanager
def werkzeug_server(instance_path: str):
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log
    server = make_server("127.0.0.1", 0, make_app(instance_path), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", "werkzeug (threaded)"
    finally:
        server.shutdown()
        server.server_close()


# -- measuring --------------------------------------------------------------------


@dataclass
class Transfer:
    """One response as Chromium received it."""

    url: str
    method: str = "GET"
    status: int = 0
    encoding: str = ""
    headers: int = 0  # bytes of the status line and headers
    wire: int = 0  # bytes received in all: headers and body as sent
    raw_body: int = 0  # bytes of the body once decoded
    gzip_body: int = 0  # bytes of the decoded body through gzip -6
    body_known: bool = False
    note: str = ""  # what the request was for (e.g. "preview")
    htmx: bool = False  # sent by htmx (HX-Request)

    @property
    def name(self) -> str:
        parts = urlsplit(self.url)
        path = parts.path
        if len(path) > 34:
            path = path[:14] + "…" + path[-19:]
        if self.note and len(path) > 20:  # the step's slug is enough beside the note
            return f"{self.method} …/{parts.path.rsplit('/', 1)[-1]} ({self.note})"
        if self.note:
            return f"{self.method} {path} ({self.note})"
        return f"{self.method} {path}"

    @property
    def raw(self) -> int:
        return self.headers + self.raw_body

    @property
    def gzipped(self) -> int:
        return self.headers + self.gzip_body


@dataclass
class Recorder:
    """Collects the transfers of a page from the DevTools protocol."""

    cdp: object
    transfers: dict[str, Transfer] = field(default_factory=dict)
    recording: bool = False
    _hops: int = 0

    def __post_init__(self):
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)

    def start(self) -> None:
        self.transfers = {}
        self.recording = True

    def stop(self) -> list[Transfer]:
        self.recording = False
        for request_id, transfer in self.transfers.items():
            if transfer.status == 200 and "#" not in request_id:
                try:
                    answer = self.cdp.send("Network.getResponseBody", {"requestId": request_id})
                except Exception:  # noqa: BLE001, S112 (e.g. evicted from the buffer)
                    continue  # its raw and gzip figures stay unknown
                body = answer["body"]
                data = base64.b64decode(body) if answer["base64Encoded"] else body.encode()
                transfer.raw_body = len(data)
                transfer.gzip_body = len(gzip.compress(data, compresslevel=6))
                transfer.body_known = True
        return list(self.transfers.values())

    def _sent(self, params) -> None:
        if not self.recording:
            return
        redirect = params.get("redirectResponse")
        if redirect and params["requestId"] in self.transfers:
            # The redirect's answer had no body: keep it as its own transfer.
            self._hops += 1
            hop = self.transfers.pop(params["requestId"])
            hop.status = redirect["status"]
            hop.headers = hop.wire = int(redirect.get("encodedDataLength", 0))
            hop.body_known = True
            self.transfers[f"{params['requestId']}#{self._hops}"] = hop
        request = params["request"]
        self.transfers[params["requestId"]] = Transfer(
            url=request["url"], method=request["method"], htmx="HX-Request" in request["headers"]
        )

    def _received(self, params) -> None:
        transfer = self.transfers.get(params["requestId"])
        if transfer is None:
            return
        response = params["response"]
        transfer.status = response["status"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        transfer.encoding = headers.get("content-encoding", "")
        transfer.headers = int(response.get("encodedDataLength", 0))

    def _finished(self, params) -> None:
        transfer = self.transfers.get(params["requestId"])
        if transfer is not None:
            transfer.wire = int(params["encodedDataLength"])


def _kb(n: int) -> str:
    return f"{n / 1000:6.1f} kB"


def print_transfers(title: str, transfers: list[Transfer]) -> tuple[int, int, int]:
    print(f"\n{title}")
    print(f"  {'request':<42} {'status':>6} {'encoding':>8} {'wire':>9} {'raw':>9} {'gzip':>9}")
    for t in transfers:
        print(
            f"  {t.name:<42} {t.status:>6} {t.encoding or '-':>8} {_kb(t.wire)} "
            f"{_kb(t.raw) if t.body_known else '     ?   '} "
            f"{_kb(t.gzipped) if t.body_known else '     ?   '}"
        )
    wire = sum(t.wire for t in transfers)
    raw = sum(t.raw for t in transfers)
    gzipped = sum(t.gzipped for t in transfers)
    label = f"total, {len(transfers)} requests"
    print(f"  {label:<58} {_kb(wire)} {_kb(raw)} {_kb(gzipped)}")
    return wire, raw, gzipped


def measure(base_url: str, browser, language: str) -> dict:
    _ = translator(language)
    context = browser.new_context(
        viewport={"width": 1200, "height": 900}, locale=LANGUAGES[language]
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    recorder = Recorder(cdp)

    # Log in (the login page loads the CSS and htmx too: the cache is emptied
    # before the click). What follows the login's redirect is the wizard's first
    # page: the loading page, then its panel.
    page.goto(base_url + "/launch/")
    page.get_by_label(_("User name")).fill("demo")
    page.get_by_label(_("Password")).fill("demo")
    cdp.send("Network.clearBrowserCache")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    recorder.start()
    started = time.perf_counter()
    page.get_by_role("button", name=_("Log in")).click()
    page.locator("#wizard-panel #panel-title").wait_for(state="visible")
    login_panel_ms = (time.perf_counter() - started) * 1000
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    login_paint = page.evaluate(
        "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
    )
    after_login = [t for t in recorder.stop() if "/auth/login" not in t.url]
    for transfer in after_login:
        if transfer.htmx:
            transfer.note = "its panel, htmx"
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})

    # The first wizard page, cold: a new wizard, nothing cached.
    cdp.send("Network.clearBrowserCache")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    recorder.start()
    started = time.perf_counter()
    page.goto(base_url + "/launch/", wait_until="commit")
    page.locator("#wizard-panel #panel-title").wait_for(state="visible")
    first_panel_ms = (time.perf_counter() - started) * 1000
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # requests made after load (a favicon) count too
    paint = page.evaluate(
        "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
    )
    first = recorder.stop()
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})

    # Step swaps with Next: Details -> Source -> Flavor -> Networking -> Access &
    # Security -> Configuration -> Review, and the previews of Source and Flavor.
    def choose(select, text):
        value = page.locator(f"{select} option", has_text=text).first.get_attribute("value")
        page.locator(select).select_option(value)

    swaps = []

    def swap(action, note=""):
        """Do ``action`` and record the HTMX request it makes, once its panel is in."""
        page.evaluate("document.getElementById('wizard-panel').dataset.stale = 'yes'")
        recorder.start()
        action()
        page.locator("#wizard-panel:not([data-stale]) #panel-title").wait_for()
        page.wait_for_timeout(100)  # loadingFinished may come after the swap
        transfers = recorder.stop()
        for transfer in transfers:
            transfer.note = note
        swaps.extend(transfers)

    def next_step():
        page.locator("#wizard-form .wizard-actions").get_by_role(
            "button", name=_("Next"), exact=True
        ).click()

    page.get_by_label(_("Instance name")).fill("page-weight")
    swap(next_step, "next: source")
    swap(page.locator("#wizard-panel table.sources").get_by_label("cirros").first.check, "preview")
    swap(next_step, "next: flavor")
    swap(page.locator("#wizard-panel").get_by_label("m1.tiny", exact=True).click, "preview")
    swap(next_step, "next: network")
    choose("#nic_1", "private")
    for slug in ("access", "config", "review"):
        swap(next_step, f"next: {slug}")
    page.wait_for_url("**/review")
    context.close()
    return {
        "after_login": after_login,
        "login_panel_ms": login_panel_ms,
        "login_paint_ms": login_paint,
        "first": first,
        "first_panel_ms": first_panel_ms,
        "paint_ms": paint,
        "swaps": swaps,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--server",
        choices=("gunicorn", "werkzeug"),
        default="gunicorn",
        help="serve with gunicorn (default) or werkzeug's threaded server in this process",
    )
    args = parser.parse_args(argv)
    if not os.access(CHROMIUM, os.X_OK):
        print(f"Chromium not found at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    instance = tempfile.mkdtemp(prefix="skiff-page-weight-")
    serve = gunicorn_server if args.server == "gunicorn" else werkzeug_server
    try:
        with serve(instance) as (base_url, server_name), sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            print(f"Skiff page weight, served by {server_name}, Chromium {browser.version}")
            figures = {language: measure(base_url, browser, language) for language in LANGUAGES}
            browser.close()
    finally:
        shutil.rmtree(instance, ignore_errors=True)

    results = []
    for language, measured in figures.items():
        print(f"\n== {language}")
        results += report(language, measured)

    print("\nBudgets (over the wire)")
    failed = False
    for label, wire, budget, raw, gzipped in results:
        ok = wire <= budget
        failed |= not ok
        print(
            f"  {label:<24} {_kb(wire)} of {_kb(budget)}  {'ok' if ok else 'OVER BUDGET'}"
            f"   (uncompressed {_kb(raw).strip()}, with gzip {_kb(gzipped).strip()})"
        )
    return 1 if failed else 0


def report(language: str, figures: dict) -> list[tuple[str, int, int, int, int]]:
    """Print one language's transfers; its figures to hold against the budgets."""
    login_wire, login_raw, login_gzip = print_transfers(
        "First wizard page after login (empty cache: loading page, CSS, JS, then the panel)",
        figures["after_login"],
    )
    paint = figures["login_paint_ms"]
    print(
        f"  time to the Details panel: {figures['login_panel_ms']:.0f} ms from the click"
        + (
            f" (the loading page painted {paint:.0f} ms after the login was posted)"
            if paint
            else ""
        )
    )
    first_wire, first_raw, first_gzip = print_transfers(
        "First wizard page with the lists fetched (empty cache: HTML, CSS, JS)", figures["first"]
    )
    paint = figures["paint_ms"]
    print(
        f"  time to first panel: {figures['first_panel_ms']:.0f} ms"
        + (f" (first contentful paint at {paint:.0f} ms)" if paint else "")
    )
    print_transfers("Step swaps (one HTMX request each)", figures["swaps"])
    largest = max(figures["swaps"], key=lambda t: t.wire)
    return [
        (f"first page, login, {language}", login_wire, FIRST_PAGE_BUDGET, login_raw, login_gzip),
        (f"first wizard page, {language}", first_wire, FIRST_PAGE_BUDGET, first_raw, first_gzip),
        (
            f"largest step swap, {language}",
            largest.wire,
            STEP_SWAP_BUDGET,
            largest.raw,
            largest.gzipped,
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())
