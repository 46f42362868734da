"""Tests that need real transactions (threads, each with its own connection).

A transactional test empties the database when it ends, and the rest of the suite relies
on the demo loaded once per session; so these run in a pytest process of their own,
together with the browser tests: ``pytest -m serial goals/tests/serial``.
"""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "goals/tests/serial/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.serial)


@pytest.fixture
def demo(transactional_db):
    """The Danderyd demo inside the transactional test (a previous test's flush empties it)."""
    from demo.loader import load_demo
    from goals.models import Vision

    if not Vision.objects.exists():
        load_demo()
