"""`python manage.py backup`: the database and the generated files in one archive.

PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot). SQLite: a copy made with
sqlite3's online backup API, consistent even while the site writes. Then MEDIA_ROOT (the
generated reports) and a manifest with a sha256 per member. See ops/archive.py.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from ops.archive import (
    DATABASE_MEMBER,
    FORMAT,
    FORMAT_VERSION,
    engine_of,
    media_files,
    media_root,
    pg_connection_args,
    require_program,
    sha256_file,
    write_archive,
)


class Command(BaseCommand):
    help = (
        "Sparar databasen och de genererade filerna (MEDIA_ROOT) i en säkerhetskopia "
        "backups/styrsystem-ÅÅÅÅMMDD-TTMMSS.tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            help="Mapp för säkerhetskopian (standard: backups/ i projektmappen).",
        )

    def handle(self, *args, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        engine = engine_of(connection)
        out_dir = Path(options["output_dir"] or Path(settings.BASE_DIR) / "backups")
        out_dir.mkdir(parents=True, exist_ok=True)
        now = timezone.now()
        target = out_dir / f"styrsystem-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"
        if target.exists():
            raise CommandError(f"{target} finns redan; vänta en sekund och försök igen.")

        # Staged next to the archive: the space for backups is where the copy belongs.
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=".staging-") as tmp:
            staging = Path(tmp)
            database = staging / DATABASE_MEMBER[engine]
            if engine == "postgresql":
                self._pg_dump(connection.settings_dict, database)
            else:
                self._sqlite_copy(connection.settings_dict, database)
            members = [(DATABASE_MEMBER[engine], database)]

            root = media_root()
            for name, path in media_files(root):
                staged = staging / name
                staged.parent.mkdir(parents=True, exist_ok=True)
                try:
                    shutil.copy2(path, staged)
                except FileNotFoundError:
                    continue  # removed while we were copying: it is not part of this backup
                members.append((name, staged))

            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": now.isoformat(),
                "engine": engine,
                "database": str(connection.settings_dict["NAME"]),
                "django_version": django.get_version(),
                "media_root": str(root) if root else "",
                "media_included": bool(root and root.is_dir()),
                "migrations": self._latest_migrations(connection),
            }
            partial = staging / target.name
            write_archive(partial, members, manifest)
            if target.exists():
                raise CommandError(f"{target} finns redan; vänta en sekund och försök igen.")
            os.replace(partial, target)

        size = target.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"Säkerhetskopia sparad: {target} ({_human(size)}, "
                f"{len(members) - 1} genererade filer)."
            )
        )
        self.stdout.write(f"sha256 {sha256_file(target)}  {target.name}")

    def _pg_dump(self, settings_dict, database: Path) -> None:
        pg_dump = require_program("pg_dump")
        args, env = pg_connection_args(settings_dict)
        command = [
            pg_dump,
            *args,
            "--format=custom",
            f"--file={database}",
            f"--dbname={settings_dict['NAME']}",
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise CommandError(
                f"pg_dump misslyckades (kod {result.returncode}); ingen säkerhetskopia "
                f"sparades.\n{result.stderr.strip()}"
            )

    def _sqlite_copy(self, settings_dict, database: Path) -> None:
        name = str(settings_dict["NAME"] or "")
        if not name or name == ":memory:" or "mode=memory" in name:
            raise CommandError("En SQLite-databas i minnet kan inte säkerhetskopieras.")
        source_path = Path(name)
        if not source_path.is_file():
            raise CommandError(f"Databasfilen {source_path} finns inte.")
        # The online backup API copies a consistent snapshot even while others write;
        # a plain file copy could catch a write halfway.
        source = sqlite3.connect(source_path, timeout=20)
        destination = sqlite3.connect(database)
        try:
            source.backup(destination)
        finally:
            destination.close()
            source.close()

    def _latest_migrations(self, connection) -> dict[str, str]:
        latest: dict[str, str] = {}
        for app, name in MigrationRecorder(connection).applied_migrations():
            latest[app] = max(latest.get(app, name), name)
        return dict(sorted(latest.items()))


def _human(size: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}".replace(".", ",")
        size /= 1024
    return f"{size} B"  # pragma: no cover
