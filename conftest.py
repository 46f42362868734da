"""What every test starts from: the Danderyd demo, loaded once per test database (one per
pytest-xdist worker), and the personas of DESIGN.md logged in on demand.

Tests live beside the code they test: goals/tests, quality/tests, governance/tests,
reporting/tests (followup's pages are tested in goals/tests, where the cycle is). Those that
need real transactions (goals/tests/serial) or a browser (goals/tests/browser) run in pytest
processes of their own: see `make test`.
"""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from demo.loader import load_demo

PERSONAS = ["admin", "klk", "namnd", "enhet", "politiker"]
REPORTING_TESTS = Path(__file__).parent / "reporting" / "tests"


def pytest_collection_modifyitems(items):
    """The report tests print PDFs (WeasyPrint, a second or more each): marked `pdf`, so that
    `pytest -m "not pdf"` gives a quick run while writing code."""
    for item in items:
        if REPORTING_TESTS in Path(item.path).parents:
            item.add_marker(pytest.mark.pdf)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def users(db):
    User = get_user_model()
    found = {u.username: u for u in User.objects.filter(username__in=PERSONAS)}
    found["outsider"] = User.objects.create_user(username="utomstaende", password="x-Pass-1234")
    return found


@pytest.fixture
def client_for(client, users):
    """A test client logged in as one persona: client_for("namnd")."""

    def login(name: str):
        client.force_login(users[name])
        return client

    return login
