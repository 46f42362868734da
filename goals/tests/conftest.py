"""Every test starts from the Danderyd demo, loaded once per test database."""

import pytest
from django.contrib.auth import get_user_model

from demo.loader import load_demo

PERSONAS = ["admin", "klk", "namnd", "enhet", "politiker"]


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
