"""Settings from the environment, and a clean `check --deploy` in production form."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}
    }
    environment.update(env)
    environment["DJANGO_SETTINGS_MODULE"] = "danderyd_styrning.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-key-" + "x7Qp2Lm9Rt4Vw8Yz" * 3,
    "ALLOWED_HOSTS": "styr.example.se",
    "DATABASE_URL": "sqlite:////tmp/styrsystem-check-deploy.sqlite3",
}


def test_check_deploy_is_clean_and_every_silenced_check_is_explained():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr
    warnings = set(re.findall(r"\(([a-z_.]+\.W\d+)\)", result.stdout + result.stderr))
    assert warnings == set()
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    assert all(check in readme for check in settings.SILENCED_SYSTEM_CHECKS)


def test_secret_key_is_required_without_debug():
    env = dict(PRODUCTION)
    env.pop("SECRET_KEY")
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_database_url_selects_postgresql():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'])"
    )
    env = dict(PRODUCTION, DATABASE_URL="postgres://postgres@db.example:5433/styr")
    result = run_manage("shell", "-c", code, **env)
    assert result.stdout.split()[-4:] == [
        "django.db.backends.postgresql",
        "styr",
        "db.example",
        "5433",
    ], result.stderr


def test_default_database_is_a_sqlite_file_in_the_project():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'])"
    )
    env = {k: v for k, v in PRODUCTION.items() if k != "DATABASE_URL"}
    result = run_manage("shell", "-c", code, **env)
    engine, name = result.stdout.split()[-2:]
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == BASE / "db.sqlite3"


def test_ui_is_swedish():
    assert settings.LANGUAGE_CODE == "sv"
    assert settings.TIME_ZONE == "Europe/Stockholm"


def test_pages_carry_a_strict_content_security_policy(client_for):
    response = client_for("namnd").get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_repeated_failed_logins_lock_out_that_user_from_that_address(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/accounts/login/", {"username": "namnd", "password": "fel"})
    locked = client.post("/accounts/login/", {"username": "namnd", "password": "demo"})
    assert locked.status_code in (403, 429)
    assert "tillfälligt spärrad" in locked.content.decode()
    # Another user from the same address is not locked out.
    other = client.post("/accounts/login/", {"username": "enhet", "password": "demo"})
    assert other.status_code == 302


def test_sessions_expire_after_inactivity(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


SITE_URL_CODE = (
    "import django; django.setup(); from django.conf import settings as s; print(s.SITE_URL)"
)


def test_site_url_in_production_defaults_to_the_first_allowed_host_over_https():
    result = run_manage("shell", "-c", SITE_URL_CODE, **PRODUCTION)
    assert result.stdout.split()[-1] == "https://styr.example.se", result.stderr
    env = dict(PRODUCTION, SITE_URL="https://mal.danderyd.se")
    result = run_manage("shell", "-c", SITE_URL_CODE, **env)
    assert result.stdout.split()[-1] == "https://mal.danderyd.se", result.stderr


def test_site_url_of_the_demo_follows_host_and_port():
    env = {"DEBUG": "1", "HOST": "styr.local", "PORT": "8765"}
    result = run_manage("shell", "-c", SITE_URL_CODE, **env)
    assert result.stdout.split()[-1] == "http://styr.local:8765", result.stderr


def test_check_deploy_warns_when_notices_would_link_to_a_plain_http_address():
    env = dict(PRODUCTION, SITE_URL="http://127.0.0.1:8000")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "styr.W001" in result.stdout + result.stderr
    assert "SITE_URL" in result.stdout + result.stderr


def test_make_run_gives_the_server_and_the_worker_the_address_it_serves_on():
    result = subprocess.run(
        ["make", "-n", "run", "HOST=styr.local", "PORT=8765"],
        cwd=BASE,
        capture_output=True,
        text=True,
        timeout=60,
    )
    recipe = result.stdout
    assert "export SITE_URL=${SITE_URL:-http://$site_host:8765}" in recipe, recipe
    assert "site_host=styr.local" in recipe
    assert recipe.index("export SITE_URL") < recipe.index("db_worker --no-reload")
    assert recipe.index("export SITE_URL") < recipe.index("runserver styr.local:8765")
