"""The backup archive: one .tar.gz with the database, the generated files and a manifest.

Layout of ``styrsystem-YYYYMMDD-HHMMSS.tar.gz``::

    manifest.json        created at, engine, Django version, sha256 and size of each member
    database.dump        PostgreSQL: pg_dump --format=custom
    database.sqlite3     SQLite: a copy made with sqlite3's online backup API
    media/...            MEDIA_ROOT as it was (absent when MEDIA_ROOT did not exist)

The checksums find a damaged or altered archive before anything is restored. They are not
a signature: whoever can rewrite the archive can rewrite the manifest too, so keep the
archive's own sha256 (printed by ``backup``) apart from the archive.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management.base import CommandError

FORMAT = "styrsystem-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media"
DATABASE_MEMBER = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
ENGINE_NAME = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
CHUNK = 1024 * 1024


def engine_of(connection) -> str:
    """'postgresql' or 'sqlite' for the configured database; anything else is refused."""
    if connection.vendor in DATABASE_MEMBER:
        return connection.vendor
    raise CommandError(
        f"Databasmotorn {connection.vendor!r} stöds inte: säkerhetskopiering finns för "
        "PostgreSQL och SQLite."
    )


def media_root() -> Path | None:
    """MEDIA_ROOT, or None when the setting is missing or empty."""
    value = getattr(settings, "MEDIA_ROOT", "")
    return Path(value) if value else None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def require_program(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise CommandError(
            f"Programmet {name} hittades inte. Installera PostgreSQL:s klientprogram "
            "(på Debian: sudo apt-get install postgresql-client) i samma huvudversion som "
            "servern eller senare, och försök igen."
        )
    return path


def pg_connection_args(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    """Command-line options and environment for pg_dump/pg_restore from Django's settings.

    The password goes in PGPASSWORD, never on the command line; -w stops the programs from
    waiting for a password on the terminal.
    """
    args = ["-w"]
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in {
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
        "options": "PGOPTIONS",
    }.items():
        if options.get(option):
            env[variable] = str(options[option])
    return args, env


def media_files(root: Path | None) -> list[tuple[str, Path]]:
    """(name inside the archive, path on disk) for every regular file under root, sorted.

    Symbolic links are left out: they may point anywhere on the server.
    """
    if root is None or not root.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            relative = path.relative_to(root).as_posix()
            found.append((f"{MEDIA_PREFIX}/{relative}", path))
    return found


def write_archive(target: Path, members: list[tuple[str, Path]], manifest: dict) -> dict:
    """Write target (.tar.gz) with manifest.json first, then members; returns the manifest.

    The members must not change while this runs (the caller stages them in a private
    folder), so the checksums describe exactly the bytes that are archived.
    """
    manifest = {**manifest, "files": {}}
    for name, path in members:
        manifest["files"][name] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    data = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode()
    manifest_path = target.with_name(target.name + ".manifest")
    manifest_path.write_bytes(data)
    try:
        with tarfile.open(target, "w:gz") as archive:
            archive.add(manifest_path, arcname=MANIFEST, recursive=False, filter=_plain)
            for name, path in members:
                archive.add(path, arcname=name, recursive=False, filter=_plain)
    finally:
        manifest_path.unlink(missing_ok=True)
    return manifest


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    # No owner names or ids from the server in the archive.
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _safe_name(name: str) -> str | None:
    """The member's normalised name, or None when it could escape the extraction folder."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(p in ("..", "") for p in path.parts):
        return None
    if "\\" in name or "\x00" in name:
        return None
    return path.as_posix()


def read_archive(source: Path, into: Path) -> dict:
    """Unpack source into the empty folder into and check it against its manifest.

    Raises CommandError (in Swedish) for an unreadable archive, a member that is not a
    plain file or that could land outside into, a missing manifest, a file missing from or
    not listed in the manifest, or a checksum that does not match. Nothing outside into is
    touched.
    """
    if not source.is_file():
        raise CommandError(f"Filen {source} finns inte.")
    found: dict[str, dict] = {}
    manifest_bytes = None
    try:
        with tarfile.open(source, "r:*") as archive:
            for info in archive:
                name = _safe_name(info.name)
                if info.isdir() and name:
                    continue
                if name is None or not info.isfile():
                    raise CommandError(
                        f"Säkerhetskopian {source} innehåller {info.name!r}, som inte är en "
                        "vanlig fil inom arkivet. Inget har återställts."
                    )
                if name in found or (name == MANIFEST and manifest_bytes is not None):
                    raise CommandError(
                        f"Säkerhetskopian {source} innehåller {name!r} två gånger. "
                        "Inget har återställts."
                    )
                handle = archive.extractfile(info)
                if name == MANIFEST:
                    manifest_bytes = handle.read()
                    continue
                destination = into / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with open(destination, "wb") as out:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                found[name] = {"sha256": digest.hexdigest(), "size": size}
    except tarfile.ReadError as exc:
        raise CommandError(
            f"{source} är inget läsbart tar.gz-arkiv. Inget har återställts."
        ) from exc
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise CommandError(
            f"Säkerhetskopian {source} kunde inte läsas ({exc}). Inget har återställts."
        ) from exc

    if manifest_bytes is None:
        raise CommandError(
            f"{source} saknar manifest.json och är ingen säkerhetskopia från Styrsystem. "
            "Inget har återställts."
        )
    try:
        manifest = json.loads(manifest_bytes)
        listed = manifest["files"]
        engine = manifest["engine"]
        if manifest.get("format") != FORMAT or not isinstance(listed, dict):
            raise ValueError
    except (ValueError, KeyError, TypeError) as exc:
        raise CommandError(
            f"manifest.json i {source} går inte att läsa. Inget har återställts."
        ) from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise CommandError(
            f"Säkerhetskopian har formatversion {manifest.get('format_version')!r}; den här "
            f"versionen av Styrsystem läser version {FORMAT_VERSION}. Inget har återställts."
        )
    if engine not in DATABASE_MEMBER:
        raise CommandError(f"Okänd databasmotor {engine!r} i manifestet. Inget har återställts.")

    problems = []
    for name in sorted(set(listed) | set(found)):
        if name not in found:
            problems.append(f"{name} saknas i arkivet")
        elif name not in listed:
            problems.append(f"{name} finns i arkivet men inte i manifestet")
        elif listed[name].get("sha256") != found[name]["sha256"]:
            problems.append(f"kontrollsumman för {name} stämmer inte")
    if DATABASE_MEMBER[engine] not in found:
        problems.append(f"databasfilen {DATABASE_MEMBER[engine]} saknas")
    if problems:
        shown = "; ".join(problems[:5]) + (" …" if len(problems) > 5 else "")
        raise CommandError(
            f"Säkerhetskopian {source} är skadad eller ändrad: {shown}. Inget har återställts."
        )
    return manifest
