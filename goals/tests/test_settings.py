"""Settings from the environment, and a clean `check --deploy` in production form."""

import os
import re
import subprocess
import sys
from pathlib import Path

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


def test_check_deploy_has_no_unexplained_warning():
    result = run_manage("check", "--deploy", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    warnings = set(re.findall(r"\(([a-z_.]+\.W\d+)\)", result.stdout + result.stderr))
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    unexplained = {w for w in warnings if w not in readme}
    assert unexplained == set(), result.stdout + result.stderr


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
