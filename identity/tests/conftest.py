"""The OpenID provider of identity/tests/provider, started once per test process on a free
port of 127.0.0.1 and stopped at the end; and a relying party configured to use it."""

import pytest
import requests

from identity import provider

from .provider.process import configure, running_provider


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """Base URL of a running provider for the test client's host (http://testserver)."""
    with running_provider("http://testserver", tmp_path_factory.mktemp("provider")) as base:
        yield base


@pytest.fixture
def sso(settings, oidc_provider):
    """The site with single sign-on through the test provider; the provider's faults off."""
    configure(settings, oidc_provider)
    provider.forget()
    requests.post(f"{oidc_provider}/test/fault/", data={"id_token": ""}, timeout=10)
    yield oidc_provider
    provider.forget()
