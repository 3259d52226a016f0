"""Helpers of the tests and benchmarks, one module per concern.

Fixtures (in the ``conftest.py`` files) build these objects; test modules ask for
the fixtures, and import a helper class only to make a second one themselves.
Nothing imports from a ``conftest.py``.
"""
