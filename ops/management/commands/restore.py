"""`python manage.py restore FILE [--yes]`: put a backup back into the configured database.

In this order, and nothing is changed until the first three pass:
1. unpack the archive into a private folder and check every member against the manifest;
2. refuse a PostgreSQL dump for SQLite and the other way round;
3. refuse a database that already holds data, unless --yes;
4. restore the database: PostgreSQL with ``pg_restore --clean --if-exists --no-owner`` in
   one transaction (a failure leaves the database as it was); SQLite by replacing the file
   atomically (a rename in the same folder) after closing every connection;
5. make MEDIA_ROOT equal to the archive's media/: files that differ or are not in the
   archive are moved aside to ``<MEDIA_ROOT>.pre-restore-<time>``, never deleted.

Stop the site while restoring.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from ops.archive import (
    DATABASE_MEMBER,
    ENGINE_NAME,
    MEDIA_PREFIX,
    engine_of,
    media_files,
    media_root,
    pg_connection_args,
    read_archive,
    require_program,
    sha256_file,
)

# Filled in by `migrate` itself: a database holding only these is still empty.
SCHEMA_ONLY_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


class Command(BaseCommand):
    help = (
        "Återställer databasen och de genererade filerna från en säkerhetskopia gjord med "
        "`manage.py backup`. Skriver över en databas med innehåll bara med --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Säkerhetskopian (styrsystem-….tar.gz).")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Skriv över databasen och de genererade filerna även om de har innehåll.",
        )

    def handle(self, *args, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        engine = engine_of(connection)
        source = Path(options["file"])

        with tempfile.TemporaryDirectory(prefix="styrsystem-restore-") as tmp:
            unpacked = Path(tmp)
            manifest = read_archive(source, unpacked)
            if manifest["engine"] != engine:
                raise CommandError(
                    f"Säkerhetskopian är gjord från {ENGINE_NAME[manifest['engine']]}, men den "
                    f"konfigurerade databasen (DATABASE_URL) är {ENGINE_NAME[engine]}. En "
                    "säkerhetskopia kan bara återställas till samma slags databas. Inget har "
                    "återställts."
                )
            if not options["yes"]:
                table = self._table_with_data(connection, engine)
                if table:
                    raise CommandError(
                        f"Databasen {connection.settings_dict['NAME']} innehåller redan data "
                        f"(t.ex. tabellen {table}). Återställningen skriver över allt innehåll. "
                        "Ta först en säkerhetskopia (make backup) och kör sedan igen med --yes "
                        "(make restore FILE=… YES=1). Inget har återställts."
                    )

            database = unpacked / DATABASE_MEMBER[engine]
            leftover = []
            if engine == "postgresql":
                leftover = self._pg_restore(connection, database)
            else:
                connections.close_all()
                self._sqlite_replace(connection.settings_dict, database)
            copied, moved_to = self._restore_media(unpacked / MEDIA_PREFIX, manifest)

        self.stdout.write(
            self.style.SUCCESS(
                f"Återställt från {source.name} (skapad {manifest['created_at']}): databasen "
                f"och {copied} genererade filer."
            )
        )
        if moved_to:
            self.stdout.write(
                f"Genererade filer som inte fanns i säkerhetskopian, eller som skilde sig, "
                f"flyttades till {moved_to}."
            )
        if leftover:
            self.stderr.write(
                f"Obs: {_tables(len(leftover))} fanns i databasen men inte i säkerhetskopian "
                f"och finns kvar ({', '.join(leftover[:5])}{' …' if len(leftover) > 5 else ''}). "
                "Återställ helst till en tom databas."
            )
        self._report_migrations(connections[DEFAULT_DB_ALIAS])

    def _table_with_data(self, connection, engine) -> str | None:
        """The first table (besides those `migrate` fills) with a row, or None."""
        if engine == "sqlite":
            path = Path(str(connection.settings_dict["NAME"]))
            if not path.exists() or path.stat().st_size == 0:
                return None
        with _readable(connection), connection.cursor() as cursor:
            for table in sorted(connection.introspection.table_names(cursor)):
                if table in SCHEMA_ONLY_TABLES:
                    continue
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return table
        return None

    def _pg_restore(self, connection, database: Path) -> list[str]:
        """Restore the dump; returns the tables that were there before and are not in it."""
        settings_dict = connection.settings_dict
        pg_restore = require_program("pg_restore")
        args, env = pg_connection_args(settings_dict)
        listing = subprocess.run(
            [pg_restore, "--list", str(database)], capture_output=True, text=True, check=False
        )
        if listing.returncode != 0:
            raise CommandError(
                f"pg_restore kunde inte läsa databasfilen i säkerhetskopian; inget har "
                f"återställts.\n{listing.stderr.strip()}"
            )
        in_dump = set()
        for line in listing.stdout.splitlines():
            words = line.split()
            if not line.startswith(";") and len(words) > 5 and words[3] == "TABLE":
                in_dump.add(words[5])
        with _readable(connection), connection.cursor() as cursor:
            before = set(connection.introspection.table_names(cursor))
        connections.close_all()

        command = [
            pg_restore,
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            # All or nothing: a failure halfway leaves the database as it was.
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={settings_dict['NAME']}",
            str(database),
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise CommandError(
                f"pg_restore misslyckades (kod {result.returncode}); databasen är oförändrad "
                f"och inga genererade filer har återställts.\n{result.stderr.strip()}"
            )
        return sorted(before - in_dump)

    def _sqlite_replace(self, settings_dict, database: Path) -> None:
        name = str(settings_dict["NAME"] or "")
        if not name or name == ":memory:" or "mode=memory" in name:
            raise CommandError("Kan inte återställa till en SQLite-databas i minnet.")
        target = Path(name)
        check = sqlite3.connect(f"file:{quote(str(database))}?mode=ro", uri=True)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            result = str(exc)
        finally:
            check.close()
        if result != "ok":
            raise CommandError(
                f"Databasfilen i säkerhetskopian är skadad ({result}). Inget har återställts."
            )

        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, staged_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.restore-"
        )
        os.close(descriptor)
        staged = Path(staged_name)
        try:
            shutil.copyfile(database, staged)
            if target.exists():
                shutil.copymode(target, staged)
            else:
                umask = os.umask(0)
                os.umask(umask)
                staged.chmod(0o666 & ~umask)
            _fsync(staged)
            # A journal or write-ahead log left by the old file would be replayed into the
            # new one; it belongs to the content being replaced, so it goes.
            _remove_sidecars(target)
            os.replace(staged, target)
        finally:
            staged.unlink(missing_ok=True)
        _remove_sidecars(target)
        _fsync(target.parent)

    def _restore_media(self, unpacked_media: Path, manifest: dict) -> tuple[int, Path | None]:
        prefix = f"{MEDIA_PREFIX}/"
        wanted = {
            name[len(prefix) :]: entry["sha256"]
            for name, entry in manifest["files"].items()
            if name.startswith(prefix)
        }
        root = media_root()
        if root is None:
            if wanted:
                self.stderr.write(
                    f"MEDIA_ROOT är inte satt: {len(wanted)} genererade filer i "
                    "säkerhetskopian återställdes inte."
                )
            return 0, None
        if not wanted and not root.exists():
            return 0, None
        root.mkdir(parents=True, exist_ok=True)

        aside = root.with_name(f"{root.name}.pre-restore-{timezone.localtime():%Y%m%d-%H%M%S}")
        moved = False

        def move_aside(relative: str, path: Path) -> None:
            nonlocal moved
            destination = aside / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, destination)
            moved = True

        for name, path in media_files(root):
            relative = name[len(prefix) :]
            if relative not in wanted or sha256_file(path) != wanted[relative]:
                move_aside(relative, path)
        for relative in sorted(wanted):
            destination = root / relative
            if destination.is_symlink():
                move_aside(relative, destination)
            elif destination.is_file():
                continue  # already equal (a differing file was moved aside above)
            destination.parent.mkdir(parents=True, exist_ok=True)
            staged = destination.with_name(f".{destination.name}.restore-tmp")
            shutil.copyfile(unpacked_media / relative, staged)
            os.replace(staged, destination)
        return len(wanted), aside if moved else None

    def _report_migrations(self, connection) -> None:
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            unknown = set(executor.loader.applied_migrations) - set(executor.loader.graph.nodes)
        except Exception as exc:  # only advice follows; the restore itself is done
            self.stderr.write(f"Kunde inte jämföra migreringarna: {exc}")
            return
        finally:
            connection.close()
        if pending:
            self.stdout.write(
                f"Säkerhetskopian är äldre än koden: {len(pending)} "
                f"{'migrering saknas' if len(pending) == 1 else 'migreringar saknas'}. "
                "Kör python manage.py migrate (make migrate)."
            )
        if unknown:
            self.stderr.write(
                "Säkerhetskopian kommer från en nyare version av Styrsystem "
                f"({len(unknown)} okända migreringar, t.ex. {'.'.join(sorted(unknown)[0])}); "
                "uppdatera koden innan sajten startas."
            )


def _tables(count: int) -> str:
    return f"{count} tabell" if count == 1 else f"{count} tabeller"


@contextmanager
def _readable(connection):
    """Turns a database that cannot be reached into a Swedish message."""
    try:
        yield
    except DatabaseError as exc:
        raise CommandError(
            f"Kunde inte läsa databasen {connection.settings_dict['NAME']}: {exc}".strip()
            + "\nFinns databasen? På PostgreSQL: skapa den först (createdb). "
            "Inget har återställts."
        ) from exc


def _remove_sidecars(target: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
