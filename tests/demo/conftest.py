"""Fixtures of the demo cloud's tests: the demo user's connections, in its two
projects, to the ``provider`` each test module sets up (with its own timings)."""

from __future__ import annotations

import pytest


@pytest.fixture
def demo(provider):
    return provider.connect(provider.login("demo", "demo"))


@pytest.fixture
def sandbox(provider):
    identity = provider.login("demo", "demo")
    sandbox = next(p for p in identity.projects if p.name == "sandbox")
    return provider.connect(provider.switch_project(identity, sandbox.id))
