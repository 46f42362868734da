"""Governance tests: a MEDIA_ROOT of their own for uploaded documents (the demo and the
personas come from the root conftest.py)."""

import pytest


@pytest.fixture
def media_root(settings, tmp_path):
    """A MEDIA_ROOT of the test's own, so that what is (not) stored can be looked at."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
