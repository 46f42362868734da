"""Backup and restore: the demo, backed up and restored into an empty database, is equal.

The restore runs as `manage.py restore` in a subprocess whose DATABASE_URL and MEDIA_ROOT
point at a fresh target (a new SQLite file, or a new PostgreSQL database next to the test
database), and the restored rows are read back by another subprocess: nothing is shared with
the test's own connection.
"""

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections

ROOT = Path(settings.BASE_DIR)
SETTINGS = "danderyd_styrning.settings_test"

# Generated files: binary, empty, nested, a Swedish name with a space.
MEDIA = {
    "rapporter/2026/Utbildningsnämnden – tertialrapport 1.pdf": bytes(range(256)) * 40,
    "rapporter/2026/tom.txt": b"",
    "rapporter/2025/KS/verksamhetsberattelse.pdf": b"%PDF-1.7\n" + os.urandom(5000),
}


def snapshot() -> dict[str, list]:
    """Every row of every table the project's models know, by primary key, as plain JSON.

    Also run in the subprocess that reads the restored database, so both sides serialise
    the same way.
    """
    state = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        rows = list(model._base_manager.order_by("pk").values())
        state[model._meta.db_table] = json.loads(json.dumps(rows, cls=DjangoJSONEncoder))
    return state


def _media_state(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def _run(args: list[str], target: dict, check: bool = True) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": target["url"],
        "MEDIA_ROOT": str(target["media"]),
    }
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _restore(archive: Path, target: dict, *extra: str) -> subprocess.CompletedProcess:
    return _run(["manage.py", "restore", str(archive), *extra], target, check=False)


def _restored_snapshot(target: dict) -> dict:
    code = (
        "import django, json; django.setup(); "
        "from goals.tests.serial.test_backup_restore import snapshot; "
        "print(json.dumps(snapshot()))"
    )
    return json.loads(_run(["-c", code], target).stdout)


def _assert_equal(source: dict, restored: dict) -> None:
    assert sorted(restored) == sorted(source)
    counts = {table: (len(source[table]), len(restored[table])) for table in source}
    assert {t: c for t, c in counts.items() if c[0] != c[1]} == {}
    for table in source:
        assert restored[table] == source[table], table


def _pg_url(settings_dict: dict, name: str) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(name, safe='')}"


@pytest.fixture
def empty_target(tmp_path):
    """A database with nothing in it, and an empty MEDIA_ROOT, outside the test database."""
    media = tmp_path / "restored-media"
    if connection.vendor == "sqlite":
        path = tmp_path / "restored" / "db.sqlite3"
        path.parent.mkdir()
        yield {"url": f"sqlite:///{path}", "media": media, "is_empty": lambda: not path.exists()}
        return

    name = f"{connection.settings_dict['NAME']}_restore"
    quoted = connection.ops.quote_name(name)
    wrapper = connections[DEFAULT_DB_ALIAS].__class__
    other = wrapper({**connection.settings_dict, "NAME": name}, alias="restored")

    def is_empty():
        with other.cursor() as cursor:
            tables = other.introspection.table_names(cursor)
        other.close()
        return tables == []

    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}")
    try:
        yield {
            "url": _pg_url(connection.settings_dict, name),
            "media": media,
            "is_empty": is_empty,
        }
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


def _tampered_copy(archive: Path, into: Path) -> Path:
    """The archive with one byte of the database changed and the manifest left as it was."""
    tampered = into / "tampered.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(tampered, "w:gz") as out:
        for info in source:
            data = source.extractfile(info).read()
            if info.name.startswith("database."):
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
            out.addfile(info, io.BytesIO(data))
    return tampered


def _other_engine_copy(into: Path) -> Path:
    """A well-formed archive (checksums right) from the other kind of database."""
    from ops.archive import DATABASE_MEMBER, FORMAT, FORMAT_VERSION, write_archive

    engine = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    member = into / DATABASE_MEMBER[engine]
    member.write_bytes(b"not a real database")
    path = into / "other-engine.tar.gz"
    write_archive(
        path,
        [(DATABASE_MEMBER[engine], member)],
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": "2026-01-01T00:00:00+00:00",
            "engine": engine,
        },
    )
    return path


@pytest.mark.django_db(transaction=True)
def test_backup_restored_into_an_empty_database_is_equal(demo, tmp_path, settings, empty_target):
    from goals.models import DirectionGoal, Indicator, Measurement, Submission, Target

    media = tmp_path / "media"
    for name, data in MEDIA.items():
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(data)
    settings.MEDIA_ROOT = media
    source = snapshot()
    for model in (DirectionGoal, Indicator, Target, Measurement, Submission):
        assert source[model._meta.db_table], model.__name__
        assert source[model.history.model._meta.db_table], f"history of {model.__name__}"

    # Backup, in this process: of the test database and this MEDIA_ROOT.
    out = io.StringIO()
    call_command("backup", output_dir=str(tmp_path / "backups"), stdout=out)
    archives = list((tmp_path / "backups").iterdir())
    assert len(archives) == 1, archives
    archive = archives[0]
    assert re.fullmatch(r"styrsystem-\d{8}-\d{6}\.tar\.gz", archive.name)
    assert hashlib.sha256(archive.read_bytes()).hexdigest() in out.getvalue()
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
    engine = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    database_member = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}[engine]
    assert manifest["engine"] == engine
    assert manifest["django_version"]
    assert manifest["created_at"]
    assert set(manifest["files"]) == {database_member} | {f"media/{n}" for n in MEDIA}
    assert names == set(manifest["files"]) | {"manifest.json"}

    # A changed byte is refused before anything is touched.
    result = _restore(_tampered_copy(archive, tmp_path), empty_target)
    assert result.returncode != 0
    assert f"kontrollsumman för {database_member} stämmer inte" in result.stderr
    assert empty_target["is_empty"]()
    assert not empty_target["media"].exists()

    # So is a dump from the other kind of database.
    result = _restore(_other_engine_copy(tmp_path), empty_target)
    assert result.returncode != 0
    assert "kan bara återställas till samma slags databas" in result.stderr
    assert empty_target["is_empty"]()

    # Into the empty database: no --yes needed, and everything is equal.
    result = _restore(archive, empty_target)
    assert result.returncode == 0, result.stdout + result.stderr
    _assert_equal(source, _restored_snapshot(empty_target))
    assert _media_state(empty_target["media"]) == _media_state(media)

    # Now it holds data: refused without --yes ...
    result = _restore(archive, empty_target)
    assert result.returncode != 0
    assert "innehåller redan data" in result.stderr

    # ... and with --yes it overwrites changes, and moves changed or extra files aside.
    change = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute(\"UPDATE goals_directiongoal SET title = 'ändrad'\"); "
        "c.execute('DELETE FROM goals_historicalmeasurement')"
    )
    _run(["-c", change], empty_target)
    changed = "rapporter/2026/tom.txt"
    (empty_target["media"] / changed).write_bytes(b"changed")
    (empty_target["media"] / "extra.txt").write_bytes(b"not in the backup")
    result = _restore(archive, empty_target, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    _assert_equal(source, _restored_snapshot(empty_target))
    assert _media_state(empty_target["media"]) == _media_state(media)
    (aside,) = tmp_path.glob("restored-media.pre-restore-*")
    assert (aside / changed).read_bytes() == b"changed"
    assert (aside / "extra.txt").read_bytes() == b"not in the backup"
