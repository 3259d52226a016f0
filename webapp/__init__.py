"""Skiff: a small, fast self-service portal for launching servers on OpenStack.

The app factory lives in :mod:`webapp.factory`; it is loaded on first use so that
importing a library package of Skiff (the workflow engine, say) does not bring in
Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from webapp.factory import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":
        from webapp.factory import create_app

        return create_app
    raise AttributeError(f"module 'webapp' has no attribute {name!r}")
