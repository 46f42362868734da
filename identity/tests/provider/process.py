"""Start and stop the test provider (serve.py) in a process of its own."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

STARTUP_SECONDS = 120
PROJECT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_provider(rp_url: str, folder: Path):
    """Yield the base URL of a provider that accepts `rp_url` as its relying party; the
    process is stopped (killed if it must) when the block ends, whatever happened."""
    port = _free_port()
    log = folder / "provider.log"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "identity.tests.provider.serve",
                str(port),
                str(folder / "provider.sqlite3"),
                rp_url,
            ],
            cwd=PROJECT,
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
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{base}/o/.well-known/openid-configuration", timeout=2).ok:
                    break
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


def configure(settings, base: str) -> None:
    """Point the relying party's settings (pytest-django's `settings`) at the provider."""
    settings.OIDC_DISCOVERY_URL = f"{base}/o/.well-known/openid-configuration"
    settings.OIDC_RP_CLIENT_ID = "styrsystem"
    settings.OIDC_RP_CLIENT_SECRET = "styrsystem-hemlighet"
    settings.OIDC_ENABLED = True
