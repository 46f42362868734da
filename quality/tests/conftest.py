"""The quality tests start from the Danderyd demo too (goals/tests/conftest.py, loaded once)."""

from goals.tests.conftest import *  # noqa: F403
