"""Methods no view handles (PUT, PATCH, DELETE, TRACE…) are answered 405, not with the page."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

REFUSED = ["PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "PROPFIND"]


def _urls():
    return {
        "start": reverse("start"),
        "plan": reverse("plan_committee", args=["UN"]) + "?ar=2026",
        "healthz": "/healthz",
        "login": reverse("login"),
    }


@pytest.mark.parametrize("method", REFUSED)
@pytest.mark.parametrize("name", ["start", "plan", "healthz", "login"])
def test_other_methods_are_not_allowed(users, name, method):
    # Logged in for the pages behind the login, anonymous for the login page and /healthz.
    client = Client()
    if name in ("start", "plan"):
        client.force_login(users["namnd"])
    response = client.generic(method, _urls()[name], data="x=1")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert "Metoden stöds inte" in response.content.decode()
    assert "Planer" not in response.content.decode()  # not the page


@pytest.mark.parametrize("name", ["start", "plan", "healthz", "login"])
def test_get_and_head_still_answer(users, name):
    client = Client()
    if name in ("start", "plan"):
        client.force_login(users["namnd"])
    assert client.get(_urls()[name]).status_code == 200
    if name != "healthz":  # /healthz is GET only (require_GET), as it was
        assert client.head(_urls()[name]).status_code == 200


def test_post_still_reaches_the_view(users):
    client = Client(enforce_csrf_checks=True)
    # Refused by the CSRF check (403), i.e. by the usual path, not by the method filter.
    assert client.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 403
