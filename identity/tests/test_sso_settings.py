"""Production with single sign-on only: the settings start, `check --deploy` stays clean and
the CSP lets the logout form's redirect reach the provider."""

import json

from goals.tests.test_settings import PRODUCTION, run_manage

SSO_ONLY = {
    **PRODUCTION,
    "OIDC_DISCOVERY_URL": "https://login.microsoftonline.com/"
    "11111111-2222-3333-4444-555555555555/v2.0/.well-known/openid-configuration",
    "OIDC_RP_CLIENT_ID": "66666666-7777-8888-9999-000000000000",
    "OIDC_RP_CLIENT_SECRET": "hemligt-varde-fran-entra",
    "LOCAL_LOGIN": "0",
}


def test_check_deploy_is_clean_with_sso_only():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **SSO_ONLY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_sso_only_drops_the_password_backend_and_opens_form_action_to_the_provider():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps("
        "[s.AUTHENTICATION_BACKENDS, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']]))"
    )
    result = run_manage("shell", "-c", code, **SSO_ONLY)
    assert result.returncode == 0, result.stderr
    backends, form_action = json.loads(result.stdout.strip().splitlines()[-1])
    assert "django.contrib.auth.backends.ModelBackend" not in backends
    assert backends[0] == "axes.backends.AxesStandaloneBackend"
    assert "identity.auth.IdentityProviderBackend" in backends
    assert form_action == ["'self'", "https://login.microsoftonline.com"]


def test_password_login_cannot_be_switched_off_without_a_provider():
    env = {k: v for k, v in SSO_ONLY.items() if not k.startswith("OIDC_")}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "LOCAL_LOGIN=0 needs OIDC_DISCOVERY_URL" in result.stderr
