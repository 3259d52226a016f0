"""Fixtures of the real-browser tests: Debian's Chromium driven through Playwright's
sync API, and the app served from a thread of this process on a free port.

Playwright cannot download its own browsers here, so it drives the distribution's
package (``apt-get install chromium``, or set ``CHROMIUM`` to another binary); its
major version matches the build that playwright 1.64.1 was made for.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import webapp
from tests.browser.chromium import CHROMIUM
from tests.browser.chromium import CHROMIUM_ARGS
from tests.helpers.live_server import LiveServer
from tests.helpers.skips import unavailable

#: long enough to see BUILD on the server page, short enough to keep tests quick
BUILD_SECONDS = 1.5
#: how long any one wait of a test may take, in milliseconds
TIMEOUT_MS = 10_000
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
#: small enough for README pictures, wide enough for the two-column wizard
VIEWPORT = {"width": 900, "height": 720}


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import expect
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed: pip install -e '.[test]'")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        unavailable(
            f"Chromium not found at {CHROMIUM}: apt-get install chromium "
            "(or set CHROMIUM to a Chromium binary)"
        )
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(tmp_path):
    """The app on a free port, its instance folder (sessions, caches, the submit
    guard, the demo cloud) in ``tmp_path``."""
    database = str(tmp_path / "demo.sqlite")
    app = webapp.create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DEMO_BUILD_SECONDS": BUILD_SECONDS,
            "DEMO_DATABASE": database,
            "SUBMIT_WAIT": 5,
        },
        instance_path=str(tmp_path),
    )
    server = LiveServer(app, database).start()
    yield server
    server.stop()


def _new_context(browser, **options):
    context = browser.new_context(viewport=VIEWPORT, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(browser):
    """A fresh browser profile (cookies, history) with JavaScript."""
    context = _new_context(browser)
    yield context
    context.close()


@pytest.fixture
def nojs_context(browser):
    """A fresh browser profile with JavaScript disabled."""
    context = _new_context(browser, java_script_enabled=False)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def nojs_page(nojs_context):
    return nojs_context.new_page()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot as ``test-artifacts/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    return save
