"""Fixtures shared by every test: an app on a temporary instance folder, its
client, and a logged-in :class:`tests.helpers.wizard.Wizard` that walks the launch
wizard."""

from __future__ import annotations

import pytest

# The helpers are not test modules: have pytest explain their failing asserts too.
pytest.register_assert_rewrite("tests.helpers")

from tests.helpers.wizard import Wizard  # noqa: E402
from webapp import create_app  # noqa: E402


@pytest.fixture
def app(tmp_path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DEMO_BUILD_SECONDS": 0,
            "DEMO_DATABASE": str(tmp_path / "demo.sqlite"),
            "SUBMIT_WAIT": 2,
        },
        instance_path=str(tmp_path),
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def wizard(client):
    """A :class:`Wizard` for the client, logged in as the demo user."""
    wizard = Wizard(client)
    wizard.login()
    return wizard
