"""/healthz: 200 while the database answers, 503 when it does not."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_down_when_the_database_does_not_answer(client):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["databas"] == "nås inte"


def test_healthz_needs_no_login_and_is_not_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
