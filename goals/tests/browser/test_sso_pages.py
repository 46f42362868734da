"""Single sign-on in a real browser: the login page's button, the provider (its own process,
identity/tests/provider), back signed in, logged out at both ends; the pages of the journey
axe clean, without console errors (a CSP refusal of the logout redirect would be one) and
without sideways scrolling on a phone."""

import copy

import pytest
import requests

from goals.models import OrgUnit
from identity import provider
from identity.models import GroupMapping
from identity.tests.provider.process import configure, running_provider

from .conftest import _console_errors, assert_no_serious_axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider_for_live_server(live_server, tmp_path_factory):
    with running_provider(live_server.url, tmp_path_factory.mktemp("provider")) as base:
        yield base


@pytest.fixture
def sso(settings, provider_for_live_server):
    base = provider_for_live_server
    configure(settings, base)
    # What the settings add when OIDC_DISCOVERY_URL is set: the logout form's redirect.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(base)
    settings.CONTENT_SECURITY_POLICY = policy
    provider.forget()
    requests.post(f"{base}/test/fault/", data={"id_token": ""}, timeout=10)
    yield base
    provider.forget()


def set_groups(base, username, *groups):
    requests.post(
        f"{base}/test/groups/", data={"username": username, "groups": ",".join(groups)}, timeout=10
    ).raise_for_status()


def assert_reflows(page, width=320):
    page.set_viewport_size({"width": width, "height": 800})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {width}px"


def forget_intended_status(status: int) -> None:
    """Chromium logs a page answered 4xx as a console error; these pages answer 403 and 400
    on purpose (no role; refused sign-in), so exactly that entry is not a failure."""
    reason = {403: "Forbidden", 400: "Bad Request"}[status]
    expected = f"Failed to load resource: the server responded with a status of {status} ({reason})"
    _console_errors[:] = [
        e for e in _console_errors if not ("/oidc/callback/" in e and e.endswith(expected))
    ]


def provider_sign_in(page, username):
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"{username}-losen")
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def test_sign_in_and_out_through_the_provider(demo, live_server, page, sso):
    GroupMapping.objects.create(
        claim_value="styr-un-redaktorer", org_unit=OrgUnit.objects.get(code="UN"), role="editor"
    )
    set_groups(sso, "anna", "styr-un-redaktorer")
    page.goto(f"{live_server.url}/accounts/login/")
    assert_no_serious_axe_violations(page)
    assert_reflows(page)

    page.get_by_role("link", name="Logga in med kommunens konto").click()
    page.wait_for_url(f"{sso}/login/**")
    provider_sign_in(page, "anna")
    page.wait_for_url(f"{live_server.url}/")
    assert "Anna Andersson" in page.locator("body").inner_text()

    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{live_server.url}/accounts/utloggad/")
    assert page.get_by_role("heading", level=1).inner_text() == "Du är utloggad"
    assert_no_serious_axe_violations(page)
    # Signed out at the provider too: signing in again asks for the password again.
    page.get_by_role("link", name="Logga in igen").click()
    page.get_by_role("link", name="Logga in med kommunens konto").click()
    page.wait_for_url(f"{sso}/login/**")


def test_no_role_and_failed_sign_in_pages(demo, live_server, page, sso):
    set_groups(sso, "bertil", "alla-anstallda")
    page.goto(f"{live_server.url}/oidc/authenticate/")
    provider_sign_in(page, "bertil")
    page.wait_for_url(f"{live_server.url}/oidc/callback/**")
    assert "ingen behörighet i Styrsystem" in page.get_by_role("heading", level=1).inner_text()
    forget_intended_status(403)
    assert_no_serious_axe_violations(page)
    assert_reflows(page)

    page.goto(f"{live_server.url}/oidc/callback/?code=x&state=y")
    assert page.get_by_role("heading", level=1).inner_text() == "Inloggningen misslyckades"
    forget_intended_status(400)
    assert_no_serious_axe_violations(page)
    assert_reflows(page)
