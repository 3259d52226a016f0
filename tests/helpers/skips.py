"""Tests that need what a machine may lack (a browser, a cloud): skipped there,
failed on CI, so a CI job cannot pass by testing nothing."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(message: str, reason: str | None = None) -> NoReturn:
    """Skip with ``message``; fail instead when ``CI`` is set, the ``reason``
    (when given) added to the failure's message."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} ({reason})" if reason else message, pytrace=False)
    pytest.skip(message)
