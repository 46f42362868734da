"""The OpenID provider of identity/tests/provider, started once per test process on a free
port of 127.0.0.1 and stopped at the end; and a relying party configured to use it."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings

from identity import provider

CLIENT_ID = "styrsystem"
CLIENT_SECRET = "styrsystem-hemlighet"
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """Base URL of a running provider; the process is killed at teardown whatever happened."""
    port = _free_port()
    log = tmp_path_factory.mktemp("provider") / "provider.log"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "identity.tests.provider.serve",
                str(port),
                str(log.with_name("provider.sqlite3")),
                "http://testserver",
            ],
            cwd=Path(django_settings.BASE_DIR),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the test provider stopped:\n{log.read_text()}")
            try:
                if requests.get(f"{base}/o/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the test provider did not answer:\n{log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def sso(settings, oidc_provider):
    """The site with single sign-on through the test provider; the provider's faults off."""
    settings.OIDC_DISCOVERY_URL = f"{oidc_provider}/o/.well-known/openid-configuration"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ENABLED = True
    provider.forget()
    requests.post(f"{oidc_provider}/test/fault/", data={"id_token": ""}, timeout=10)
    yield oidc_provider
    provider.forget()
