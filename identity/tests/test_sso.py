"""Single sign-on against a real OpenID provider in its own process (conftest.oidc_provider):
the relying party is driven with Django's test client, the provider's pages with requests."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client

from goals.models import AuditEntry, Membership, OrgUnit
from identity import provider
from identity.models import ExternalIdentity, GroupMapping
from identity.tests.provider.process import _free_port

pytestmark = pytest.mark.django_db

RP = "http://testserver"


def set_groups(provider_url: str, username: str, *groups: str) -> None:
    response = requests.post(
        f"{provider_url}/test/groups/",
        data={"username": username, "groups": ",".join(groups)},
        timeout=10,
    )
    response.raise_for_status()


def to_callback(client: Client, browser: requests.Session, username: str, next_url: str = ""):
    """From "Logga in med kommunens konto" to the provider's redirect back: returns the
    callback URL (path and query) the provider sends the browser to."""
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    location = start["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"]
    provider_base = "{0.scheme}://{0.netloc}".format(urlsplit(location))
    for _ in range(10):
        if location.startswith(RP):
            parts = urlsplit(location)
            return f"{parts.path}?{parts.query}"
        if location.startswith("/"):
            location = provider_base + location
        if urlsplit(location).path == "/login/":
            response = browser.post(
                location,
                data={
                    "username": username,
                    "password": f"{username}-losen",
                    "next": parse_qs(urlsplit(location).query)["next"][0],
                },
                allow_redirects=False,
            )
        else:
            response = browser.get(location, allow_redirects=False)
        assert response.status_code == 302, response.text[:500]
        location = response.headers["Location"]
    raise AssertionError("the provider never sent the browser back")


def sign_in(client: Client, username: str, next_url: str = ""):
    browser = requests.Session()
    callback = to_callback(client, browser, username, next_url)
    return client.get(callback), browser


def written() -> tuple[int, int, int, int]:
    return (
        get_user_model().objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
        ExternalIdentity.objects.count(),
    )


def test_first_sign_in_creates_the_user_with_the_mapped_memberships(sso, settings):
    un = OrgUnit.objects.get(code="UN")
    GroupMapping.objects.create(claim_value="styr-un-redaktorer", org_unit=un, role="editor")
    set_groups(sso, "anna", "styr-un-redaktorer", "alla-anstallda")
    client = Client()

    response, _ = sign_in(client, "anna", next_url="/styrkedja/")

    assert response.status_code == 302 and response["Location"] == "/styrkedja/"
    anna = get_user_model().objects.get(username="anna")
    assert (anna.first_name, anna.last_name, anna.email) == (
        "Anna",
        "Andersson",
        "anna@kommun.example",
    )
    assert not anna.has_usable_password()
    assert anna.external_identity.issuer == f"{sso}/o"
    assert [(m.org_unit.code, m.role) for m in anna.memberships.all()] == [("UN", "editor")]
    summaries = list(AuditEntry.objects.values_list("summary", flat=True))
    assert "anna fick rollen Redaktör för Utbildningsnämnden" in summaries
    assert any(
        "identitetsleverantören" in s and "1 behörighet(er) tillagda" in s for s in summaries
    )
    # Signed in, with the same idle expiry as a password session.
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    page = client.get("/styrkedja/")
    assert page.status_code == 200
    assert "Anna Andersson" in page.content.decode()


def test_a_changed_group_changes_the_memberships_at_the_next_sign_in(sso):
    un, sn = OrgUnit.objects.get(code="UN"), OrgUnit.objects.get(code="SN")
    GroupMapping.objects.create(claim_value="styr-un-redaktorer", org_unit=un, role="editor")
    GroupMapping.objects.create(claim_value="styr-sn-lasare", org_unit=sn, role="reader")
    set_groups(sso, "bertil", "styr-un-redaktorer")
    sign_in(Client(), "bertil")
    bertil = get_user_model().objects.get(username="bertil")
    # A role given by hand in the admin is not the mapping's to take away.
    Membership.objects.create(user=bertil, org_unit=OrgUnit.objects.get(code="KS"), role="reader")

    set_groups(sso, "bertil", "styr-sn-lasare")
    client = Client()
    response, _ = sign_in(client, "bertil")

    assert response.status_code == 302
    assert sorted((m.org_unit.code, m.role) for m in bertil.memberships.all()) == [
        ("KS", "reader"),
        ("SN", "reader"),
    ]
    summaries = list(AuditEntry.objects.values_list("summary", flat=True))
    assert "bertil förlorade rollen Redaktör för Utbildningsnämnden" in summaries
    assert "bertil fick rollen Läsare för Socialnämnden" in summaries
    assert ExternalIdentity.objects.get(user=bertil).last_groups == ["styr-sn-lasare"]
    # Now he reads Socialnämnden's goals and no longer edits Utbildningsnämnden's.
    assert client.get("/").status_code == 200


def test_a_user_without_a_mapped_group_is_told_whom_to_ask(sso, settings):
    settings.OIDC_ACCESS_CONTACT = "Styrsystemets förvaltare, styrsystem@kommun.example"
    set_groups(sso, "anna", "alla-anstallda")
    client = Client()

    response, _ = sign_in(client, "anna")

    assert response.status_code == 403
    text = response.content.decode()
    assert "ingen behörighet i Styrsystem" in text
    assert "Styrsystemets förvaltare, styrsystem@kommun.example" in text
    # The account exists (an administrator can give it a role) but is not signed in.
    assert get_user_model().objects.filter(username="anna").exists()
    assert "oidc_id_token" not in client.session
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_logout_ends_the_session_here_and_at_the_provider(sso):
    GroupMapping.objects.create(
        claim_value="styr-un-redaktorer", org_unit=OrgUnit.objects.get(code="UN"), role="editor"
    )
    set_groups(sso, "anna", "styr-un-redaktorer")
    client = Client()
    _, browser = sign_in(client, "anna")
    assert browser.get(f"{sso}/whoami/", timeout=10).json() == {"user": "anna"}

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    end_session = urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == f"{sso}/o/logout/"
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == [f"{RP}/accounts/utloggad/"]
    assert query["id_token_hint"] and query["client_id"] == ["styrsystem"]
    assert client.get("/")["Location"].startswith("/accounts/login/")
    back = browser.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"] == f"{RP}/accounts/utloggad/"
    assert browser.get(f"{sso}/whoami/", timeout=10).json() == {"user": ""}
    assert "Du är utloggad" in client.get("/accounts/utloggad/").content.decode()


def test_a_tampered_state_is_refused_and_nothing_is_written(sso):
    GroupMapping.objects.create(
        claim_value="styr-un-redaktorer", org_unit=OrgUnit.objects.get(code="UN"), role="editor"
    )
    set_groups(sso, "anna", "styr-un-redaktorer")
    client = Client()
    callback = to_callback(client, requests.Session(), "anna")
    query = parse_qs(urlsplit(callback).query)
    before = written()

    response = client.get(
        "/oidc/callback/?" + urlencode({"code": query["code"][0], "state": "annat-tillstand"})
    )

    assert response.status_code == 400
    assert "Inloggningen misslyckades" in response.content.decode()
    assert "Ingenting har sparats" in response.content.decode()
    assert written() == before
    assert client.get("/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("fault", ["expired", "wrong-key"])
def test_an_expired_or_wrongly_signed_id_token_is_refused_and_nothing_is_written(sso, fault):
    GroupMapping.objects.create(
        claim_value="styr-un-redaktorer", org_unit=OrgUnit.objects.get(code="UN"), role="editor"
    )
    set_groups(sso, "anna", "styr-un-redaktorer")
    requests.post(f"{sso}/test/fault/", data={"id_token": fault}, timeout=10).raise_for_status()
    client = Client()
    before = written()

    response, _ = sign_in(client, "anna")

    assert response.status_code == 400
    text = response.content.decode()
    assert "Inloggningen via kommunens identitetsleverantör kunde inte slutföras" in text
    assert written() == before
    assert not get_user_model().objects.filter(username="anna").exists()
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_the_password_login_can_be_switched_off(sso, settings):
    settings.LOCAL_LOGIN = False
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "identity.auth.IdentityProviderBackend",
    ]
    client = Client()

    page = client.get("/accounts/login/").content.decode()
    assert "Logga in med kommunens konto" in page
    assert 'name="password"' not in page
    refused = client.post("/accounts/login/", {"username": "namnd", "password": "demo"})
    assert refused.status_code == 403
    assert "Inloggning med lösenord är avstängd" in refused.content.decode()
    admin_login = client.post("/admin/login/", {"username": "admin", "password": "demo"})
    assert admin_login.status_code == 200  # the admin's form again, with its error
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_the_demo_keeps_the_password_login_beside_the_button(sso, client):
    page = client.get("/accounts/login/").content.decode()
    assert "Logga in med kommunens konto" in page and 'name="password"' in page
    assert (
        client.post("/accounts/login/", {"username": "namnd", "password": "demo"}).status_code
        == 302
    )


def test_without_a_provider_there_is_no_button_and_no_sso_urls(client):
    assert "Logga in med kommunens konto" not in client.get("/accounts/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_failed_passwords_still_lock_out_beside_the_provider(sso, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "namnd", "password": "fel"})
    locked = client.post("/accounts/login/", {"username": "namnd", "password": "demo"})
    assert locked.status_code in (403, 429)
    assert "tillfälligt spärrad" in locked.content.decode()
    # The lock-out is for that user name: a colleague signs in through the provider.
    GroupMapping.objects.create(
        claim_value="styr-un-redaktorer", org_unit=OrgUnit.objects.get(code="UN"), role="editor"
    )
    set_groups(sso, "anna", "styr-un-redaktorer")
    response, _ = sign_in(client, "anna")
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_an_unreachable_provider_gives_a_swedish_page_and_the_password_login_works(settings):
    settings.OIDC_DISCOVERY_URL = (
        f"http://127.0.0.1:{_free_port()}/o/.well-known/openid-configuration"
    )
    settings.OIDC_RP_CLIENT_ID = "styrsystem"
    settings.OIDC_ENABLED = True
    settings.OIDC_TIMEOUT = 2
    provider.forget()
    client = Client()

    response = client.get("/oidc/authenticate/")

    assert response.status_code == 503
    assert "kunde inte slutföras" in response.content.decode()
    assert (
        client.post("/accounts/login/", {"username": "namnd", "password": "demo"}).status_code
        == 302
    )
    provider.forget()
