"""Login and logout in Swedish, and a start page that fits the role."""

import re

import pytest

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_login_page_is_swedish_and_logs_in_with_the_demo_password(client):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'lang="sv"' in page.content.decode()
    assert "Användarnamn" in text_of(page) and "Lösenord" in text_of(page)
    response = client.post("/accounts/login/", {"username": "namnd", "password": "demo"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_wrong_password_gives_a_swedish_error_and_keeps_the_username(client):
    response = client.post("/accounts/login/", {"username": "namnd", "password": "fel"})
    assert response.status_code == 200
    page = text_of(response)
    assert "Ange ett korrekt användarnamn och lösenord" in page
    assert 'value="namnd"' in response.content.decode()


def test_logout_from_every_page(client_for):
    client = client_for("namnd")
    for url in ["/", "/styrkedja/", "/styrkedja/tackning/"]:
        assert 'action="/accounts/logout/"' in client.get(url).content.decode()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_frame_shows_year_phase_user_and_role(client_for):
    page = text_of(client_for("namnd").get("/"))
    assert "2026" in page
    assert "Planera Genomföra (pågår) Följa upp Analysera" in page
    assert "Nils Ek (Redaktör)" in page


def test_start_page_for_committee_staff(client_for):
    page = text_of(client_for("namnd").get("/"))
    assert "Du är redaktör för Utbildningsnämnden" in page
    assert "Dina nämnder Utbildningsnämnden : 4 inriktningsmål 2026" in page
    assert "Delårsrapport 2026-08-31" in page
    assert "Enebybergs skola" in page and "Kevinge äldreboende" not in page


def test_start_page_for_unit_head(client_for):
    page = text_of(client_for("enhet").get("/"))
    assert "Du är redaktör för Enebybergs skola" in page
    assert "Dina verksamhetsplaner 2026" in page
    assert "Fribergaskolan" not in page


def test_start_page_for_reviewer_and_politician(client_for):
    assert "Du är granskare för Danderyds kommun" in text_of(client_for("klk").get("/"))
    page = text_of(client_for("politiker").get("/"))
    assert "Du är läsare för Danderyds kommun" in page
    assert "Administration" not in page


def test_admin_sees_the_administration_link(client_for):
    assert "Administration" in text_of(client_for("admin").get("/"))


def test_user_without_role_is_told_so(client_for):
    assert "Du har ännu ingen roll" in text_of(client_for("outsider").get("/"))
