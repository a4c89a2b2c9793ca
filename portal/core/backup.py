"""Backups and restores: the database and the uploaded files in one archive.

An archive is a zip file (``manage.py backup`` and ``manage.py restore``)::

    manifest.json       format and version, when, which engine, the migrations applied,
                        the rows of every table, the database copy's checksum, the files
    database.sqlite3    SQLite: a copy made with SQLite's online backup API
    database.pgdump     PostgreSQL: pg_dump's custom format (compressed by the zip file)
    media/...           the files under MEDIA_ROOT (attachments)

**Consistent while the portal serves.** The database is copied first, as one snapshot:
SQLite's backup API copies every page in one step under one read transaction; pg_dump
reads in one transaction, on a snapshot this process exports and reads the manifest's
counts in too. The files are copied after it. A file is written before the transaction
that stores its row commits, and files are only ever added (a transaction that fails
removes the files it wrote, which no committed row names), so every file the snapshot
names is on disk before the copy of the files starts, and so in the archive. The other
order would not do: a row committed after the files were copied and before the
snapshot would name a file the archive lacks. Files written after the snapshot end up in
the archive without a row naming them, which does no harm. The backup checks that every
file the snapshot names is in the archive, and says so when one is not.

**A restore changes nothing until it has checked everything**: the archive (its
manifest, the database copy's checksum, every member's CRC as it is unpacked), the
engine (an archive of the other engine is refused), the schema (an archive of a newer
portal is refused; one of an older portal is migrated after the restore) and the target
(a database or media folder that holds data is refused unless forced). The database is
then written in one transaction: SQLite writes a checked copy over the database file
with the backup API; PostgreSQL runs pg_restore's script through psql between BEGIN and
COMMIT, after dropping the tables that are there. In that same transaction every row
count is checked against the manifest, every message that was waiting in the outbox is
held and its delivery tasks are removed (``mail_hold_statements``): a restored copy sends
nothing that may have gone out long ago until an operator releases it (``manage.py
held_mail``). The files, unpacked beside MEDIA_ROOT's contents, are moved into place
after the commit.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
import zlib
from contextlib import closing
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from .mail import mail_hold_statements
from .models import AuditEvent, OutgoingMail

FORMAT = "mijn-hartingbank-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
STAGING_PREFIX = ".restore-"
# The first migration whose column a restore needs (the outbox's held_at).
HOLD_MIGRATION = "core.0006_outgoingmail_held_at"
# Compressed already: stored as they are.
STORED_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for the operator.
    A restore that raises it has changed nothing."""


# --- What a snapshot holds ---------------------------------------------------------------


def _quote(name):
    return connection.ops.quote_name(name)


def _file_columns():
    """(table, column) of every file field of the portal's models."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model._meta.db_table, field.column


def _row_counts(cursor, tables):
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor, tables):
    if "django_migrations" not in tables:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _named_files(cursor, tables):
    """The names of the files the rows name (relative to MEDIA_ROOT)."""
    names = set()
    for table, column in _file_columns():
        if table in tables:
            cursor.execute(f"SELECT {_quote(column)} FROM {_quote(table)} WHERE {_quote(column)} <> ''")
            names.update(name for (name,) in cursor.fetchall())
    return names


def _facts(cursor, tables):
    return {
        "tables": _row_counts(cursor, tables),
        "migrations": _migrations(cursor, tables),
        "files": _named_files(cursor, tables),
    }


def _check_counts(cursor, tables, counts):
    """Every table the archive lists, with as many rows as it says."""
    found = _row_counts(cursor, [t for t in counts if t in tables])
    wrong = [t for t, n in counts.items() if found.get(t) != n]
    if wrong:
        raise BackupError(
            f"The archive's database copy does not hold what its manifest says (tables {', '.join(wrong[:5])}): the archive is damaged."
        )


# --- The two engines -----------------------------------------------------------------------


class _SQLite:
    vendor = "sqlite"
    member = "database.sqlite3"

    def __init__(self):
        name = str(connection.settings_dict["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise BackupError("The database is kept in memory; there is no file to back up or restore.")
        self.path = Path(name)

    @staticmethod
    def tables(cursor):
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return {name for (name,) in cursor.fetchall()}

    def work_dir(self):
        return self.path.parent

    def dump(self, into):
        if not self.path.is_file():
            raise BackupError(f"There is no database at {self.path}.")
        with closing(sqlite3.connect(self.path, timeout=20)) as source, closing(sqlite3.connect(into)) as copy:
            source.backup(copy)  # every page in one step, under one read transaction: a snapshot
        with closing(sqlite3.connect(into)) as copy:
            cursor = copy.cursor()
            return _facts(cursor, self.tables(cursor))

    def restore(self, dump, counts, hold, replace):
        with closing(sqlite3.connect(dump, isolation_level=None)) as copy:
            cursor = copy.cursor()
            if cursor.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError("The archive's database copy is damaged (SQLite's check fails).")
            _check_counts(cursor, self.tables(cursor), counts)
            cursor.execute("BEGIN")
            for statement in hold:
                cursor.execute(statement)
            cursor.execute("COMMIT")
        connection.close()
        # One write transaction on the database file: whoever reads it sees the old
        # contents or the restored ones, never a mix.
        with closing(sqlite3.connect(dump)) as copy, closing(sqlite3.connect(self.path, timeout=20)) as target:
            copy.backup(target)


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed; it comes with PostgreSQL's client programs (Debian: apt-get install postgresql-client)."
        )
    return path


def said(error):
    """An error's text on one line, ending as a sentence does."""
    text = " ".join(str(error).split())
    return text if text.endswith((".", "?", "!")) else text + "."


def _tail(text, limit=2000):
    text = (text or "").strip()
    return text if len(text) <= limit else "..." + text[-limit:]


class _PostgreSQL:
    vendor = "postgresql"
    member = "database.pgdump"
    OPTIONS = {
        "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
        "connect_timeout": "PGCONNECT_TIMEOUT", "options": "PGOPTIONS", "service": "PGSERVICE", "passfile": "PGPASSFILE",
    }  # fmt: skip

    def __init__(self):
        given = connection.settings_dict
        # The client programs connect as the portal does: what the portal leaves out,
        # libpq takes from the environment for both.
        self.env = {**os.environ, "PGAPPNAME": "mijn-hartingbank-backup"}
        for key, variable in {
            "HOST": "PGHOST",
            "PORT": "PGPORT",
            "USER": "PGUSER",
            "PASSWORD": "PGPASSWORD",
            "NAME": "PGDATABASE",
        }.items():
            if given.get(key):
                self.env[variable] = str(given[key])
        for option, variable in self.OPTIONS.items():
            if (given.get("OPTIONS") or {}).get(option):
                self.env[variable] = str(given["OPTIONS"][option])

    @staticmethod
    def tables(cursor):
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        return {name for (name,) in cursor.fetchall()}

    def work_dir(self):
        return None  # the system's temporary folder

    def dump(self, into):
        pg_dump = _tool("pg_dump")
        with connection.wrap_database_errors:
            raw = connection.get_new_connection(connection.get_connection_params())
        try:
            raw.autocommit = True
            with raw.cursor() as cursor:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                # pg_dump reads on this transaction's snapshot, and so do the counts.
                done = subprocess.run(
                    [pg_dump, "--format=custom", "--compress=0", f"--snapshot={snapshot}", f"--file={into}"],
                    env=self.env, capture_output=True, text=True, check=False,
                )  # fmt: skip
                if done.returncode != 0:
                    raise BackupError(f"pg_dump failed: {_tail(done.stderr)}")
                facts = _facts(cursor, self.tables(cursor))
                cursor.execute("ROLLBACK")
        finally:
            raw.close()
        return facts

    def restore(self, dump, counts, hold, replace):
        pg_restore, psql = _tool("pg_restore"), _tool("psql")
        before = ["SET client_min_messages = warning;", "BEGIN;"]
        if replace:
            present = connection.introspection.table_names()
            if present:
                before.append(f"DROP TABLE IF EXISTS {', '.join(_quote(t) for t in present)} CASCADE;")
        checks = [
            f"IF (SELECT COUNT(*) FROM {_quote(table)}) <> {rows} THEN RAISE EXCEPTION 'table {table} does not hold the rows the manifest lists: the archive is damaged'; END IF;"
            for table, rows in counts.items()
        ]
        after = [
            "RESET search_path;",  # pg_restore's script empties it
            "DO $check$ BEGIN " + " ".join(checks) + " END $check$;",
            *(statement + ";" for statement in hold),
            "COMMIT;",
        ]
        connection.close()
        # The comment on an extension (pg_trgm's) may be set by the extension's owner only,
        # who need not be the portal's role: it is left out, so it cannot fail the restore.
        listed = subprocess.run([pg_restore, "--list", str(dump)], env=self.env, capture_output=True, text=True, check=False)
        if listed.returncode != 0:
            raise BackupError(f"pg_restore cannot read the archive's database copy: {_tail(listed.stderr)}")
        contents = Path(dump).with_suffix(".list")
        contents.write_text("".join(line + "\n" for line in listed.stdout.splitlines() if " COMMENT - EXTENSION " not in line))
        with tempfile.TemporaryFile("w+") as psql_errors, tempfile.TemporaryFile("w+") as restore_errors:
            # psql gets BEGIN, the restore's script and, only when pg_restore wrote all of
            # it, the checks and COMMIT: if anything fails or this process dies, psql
            # disconnects inside the transaction and the database stays as it was.
            target = subprocess.Popen(
                [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_errors, env=self.env,
            )  # fmt: skip
            script = subprocess.Popen(
                [pg_restore, "--no-owner", "--no-privileges", f"--use-list={contents}", "--file=-", str(dump)],
                stdout=subprocess.PIPE, stderr=restore_errors, env=self.env,
            )  # fmt: skip
            try:
                target.stdin.write("\n".join(before).encode() + b"\n")
                shutil.copyfileobj(script.stdout, target.stdin, 2**20)
                if script.wait() == 0:
                    target.stdin.write(b"\n" + "\n".join(after).encode() + b"\n")
            except BrokenPipeError:
                pass  # psql stopped at an error: it says which below
            finally:
                for stream in (target.stdin, script.stdout):
                    try:
                        stream.close()
                    except BrokenPipeError:
                        pass
                if script.poll() is None:
                    script.kill()
                script.wait()
                target.wait()
            for errors in (psql_errors, restore_errors):
                errors.seek(0)
            if target.returncode != 0:  # psql's error first: pg_restore fails when psql stops reading
                raise BackupError(f"The restore into PostgreSQL failed: {_tail(psql_errors.read())}")
            if script.returncode != 0:
                raise BackupError(f"pg_restore failed: {_tail(restore_errors.read())}")


def _engine():
    engines = {"sqlite": _SQLite, "postgresql": _PostgreSQL}
    if connection.vendor not in engines:
        raise BackupError(f"Backups of a {connection.vendor} database are not supported.")
    return engines[connection.vendor]()


# --- Files ---------------------------------------------------------------------------------


def _media_files(root):
    """(path, name relative to root) of every file under root, restores' staging folders left out."""
    root = Path(root)
    if not root.is_dir():
        return
    for folder, subfolders, files in os.walk(root):
        if Path(folder) == root:
            subfolders[:] = [name for name in subfolders if not name.startswith(STAGING_PREFIX)]
        subfolders.sort()
        for name in sorted(files):
            path = Path(folder, name)
            yield path, path.relative_to(root).as_posix()


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def _compression(name):
    return zipfile.ZIP_STORED if PurePosixPath(name).suffix.lower() in STORED_SUFFIXES else zipfile.ZIP_DEFLATED


# --- Backup --------------------------------------------------------------------------------


def archive_path(destination):
    """The archive's path: ``destination`` itself, or a name with the date and time in it
    when it is a folder."""
    destination = Path(destination)
    if destination.is_dir():
        return destination / f"mijn-hartingbank-{timezone.localtime():%Y%m%d-%H%M%S}.zip"
    return destination


def backup(destination):
    """Write one archive at ``destination`` (a file, or a folder to write a dated file
    in); returns its path and its manifest. The archive appears under its name only when
    it is complete."""
    target = archive_path(destination)
    if target.exists():
        raise BackupError(f"{target} exists already; choose another name.")
    if not target.parent.is_dir():
        raise BackupError(f"There is no folder {target.parent}.")
    engine = _engine()
    taken_at = timezone.now()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        dump = Path(work) / engine.member
        facts = engine.dump(dump)
        descriptor, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")  # mode 600
        os.close(descriptor)
        try:
            with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
                archive.write(dump, engine.member, compress_type=_compression(engine.member))
                stored, size = set(), 0
                for path, name in _media_files(settings.MEDIA_ROOT):
                    try:
                        archive.write(path, MEDIA + name, compress_type=_compression(name))
                    except FileNotFoundError:
                        continue  # removed by a transaction that failed: no row names it
                    stored.add(name)
                    size += path.stat().st_size
                missing = sorted(facts["files"] - stored)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": taken_at.isoformat(),
                    "engine": engine.vendor,
                    "django": django.get_version(),
                    "schema": _latest(facts["migrations"]),
                    "migrations": facts["migrations"],
                    "database": {"member": engine.member, "bytes": dump.stat().st_size, "sha256": _sha256(dump)},
                    "tables": facts["tables"],
                    "mail_waiting": facts["tables"].get(OutgoingMail._meta.db_table, 0),
                    "media": {"files": len(stored), "bytes": size, "named": len(facts["files"]), "missing": missing},
                }
                archive.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True), compress_type=zipfile.ZIP_DEFLATED)
            with open(partial, "rb+") as written:
                os.fsync(written.fileno())
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return target, manifest


def size_text(size):
    """A size for people: 980 bytes, 82.6 kB, 1.2 GB."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000


def _latest(migrations):
    latest = {}
    for migration in migrations:
        app, name = migration.split(".", 1)
        latest[app] = max(latest.get(app, name), name)
    return latest


# --- Restore -------------------------------------------------------------------------------


class _Archive:
    """An archive opened for a restore; its manifest read and checked."""

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_file():
            raise BackupError(f"There is no archive at {self.path}.")
        try:
            self.zip = zipfile.ZipFile(self.path)
            self.manifest = json.loads(self.zip.read(MANIFEST))
        except KeyError:
            raise BackupError(f"{self.path} is no backup of the portal (it has no {MANIFEST}).") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, zlib.error):
            raise BackupError(f"{self.path} is no backup of the portal, or it is damaged (it cannot be read as one).") from None
        self._check_manifest()

    def _check_manifest(self):
        """The manifest is one of the portal's backups, whole, and the archive holds what it
        lists: the database copy and the media files, none outside the media folder."""
        self._check_format()
        database = self._database_member()
        names = self.zip.namelist()
        if database not in names:
            raise BackupError(f"{self.path} is damaged: it lacks the database copy.")
        self.media = self._media_members(names)
        if len(self.media) != self.manifest.get("media", {}).get("files"):
            raise BackupError(f"{self.path} is damaged: it does not hold the files its manifest lists.")

    def _check_format(self):
        """A manifest of the portal's backups, in the version this portal reads."""
        manifest = self.manifest
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(f"{self.path} is no backup of the portal (its manifest is not one).")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"{self.path} has format version {manifest.get('format_version')!r}; this portal reads version {FORMAT_VERSION}."
            )

    def _database_member(self):
        """The name of the database copy in the archive, once the manifest's entries have
        the shape a backup writes."""
        try:
            database = self.manifest["database"]["member"]
            valid = _manifest_entries_valid(self.manifest) and database in ("database.sqlite3", "database.pgdump")
        except (KeyError, TypeError, AttributeError):
            valid = False
        if not valid:
            raise BackupError(f"{self.path} has a manifest that is damaged.")
        return database

    def _media_members(self, names):
        """The archive's media files; refused when one would be unpacked outside the media
        folder."""
        media = [name for name in names if name.startswith(MEDIA) and not name.endswith("/")]
        for name in media:
            if not _inside_media(name):
                raise BackupError(f"{self.path} names a file outside the media folder ({name!r}); refused.")
        return media

    def extract_database(self, folder):
        """The database copy, unpacked into ``folder`` and checked against its checksum."""
        member = self.manifest["database"]["member"]
        path = Path(folder) / member
        self._unpack(member, path)
        if _sha256(path) != self.manifest["database"]["sha256"]:
            raise BackupError(f"{self.path} is damaged: the database copy does not match its checksum.")
        return path

    def extract_media(self, into):
        for name in self.media:
            destination = Path(into, *PurePosixPath(name[len(MEDIA) :]).parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            self._unpack(name, destination)

    def _unpack(self, member, destination):
        try:
            with self.zip.open(member) as source, open(destination, "wb") as target:
                shutil.copyfileobj(source, target, 2**20)  # the CRC is checked at the end
        except (zipfile.BadZipFile, EOFError, zlib.error):
            raise BackupError(f"{self.path} is damaged ({member} cannot be read back).") from None
        except OSError as exc:
            raise BackupError(f"Could not unpack {member}: {exc}.") from None


def _manifest_entries_valid(manifest):
    """The engine, time, tables (name and row count) and migrations of a manifest have the
    types a backup writes. (A missing entry raises KeyError.)"""
    tables, migrations = manifest["tables"], manifest["migrations"]
    return (
        isinstance(manifest["engine"], str)
        and isinstance(manifest["created_at"], str)
        and all(TABLE_NAME.match(t) and isinstance(n, int) for t, n in tables.items())
        and all(isinstance(m, str) and "." in m for m in migrations)
    )


def _inside_media(name):
    """An archive member under ``media/`` that unpacks inside the media folder: no parent
    steps, no absolute path or backslash, and not in a restore's staging folder."""
    parts = PurePosixPath(name[len(MEDIA) :]).parts
    return (
        bool(parts)
        and ".." not in parts
        and not name.startswith("/")
        and "\\" not in name
        and not parts[0].startswith(STAGING_PREFIX)
    )


def _known_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set()
    for (app, name), migration in loader.disk_migrations.items():
        known.add(f"{app}.{name}")
        known.update(f"{a}.{n}" for a, n in migration.replaces)
    return known


def target_state():
    """``empty`` (no tables), ``schema`` (the portal's tables, migrated but without any
    account, audit entry or mail: what a web server's start leaves in a new database) or
    ``data``."""
    tables = set(connection.introspection.table_names())
    if not tables:
        return "empty"
    ours = [get_user_model(), AuditEvent, OutgoingMail]
    if all(model._meta.db_table in tables for model in ours) and not any(m.objects.exists() for m in ours):
        return "schema"
    return "data"


def _holds_files(root):
    return next(_media_files(root), None) is not None


def _move_into_place(staging, root, clear):
    """Moves the unpacked files into MEDIA_ROOT (after its old contents, when ``clear``)."""
    for entry in root.iterdir():
        if entry == staging:
            continue
        if clear or entry.name.startswith(STAGING_PREFIX):  # a restore that died before it got here
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    for path, name in _media_files(staging):
        destination = root / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, destination)
    shutil.rmtree(staging)


def restore(source, *, force=False):
    """Restore an archive into this portal's database and MEDIA_ROOT; returns what was
    done. Raises ``BackupError`` (having changed nothing) when it refuses or fails."""
    archive = _Archive(source)
    with closing(archive.zip):
        return _restore(archive, force)


def _restore(archive, force):
    manifest = archive.manifest
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"The archive holds a {manifest['engine']} database; this portal runs on {connection.vendor}. "
            f"Restore it into a portal on {manifest['engine']} (an archive is restored into the engine it was made on)."
        )
    unknown = sorted(set(manifest["migrations"]) - _known_migrations())
    if unknown:
        raise BackupError(
            "The archive was made by a newer version of the portal (migrations this version does not have: "
            f"{', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}). Restore it with that version or a later one."
        )
    if HOLD_MIGRATION not in manifest["migrations"]:
        raise BackupError(
            f"The archive's database lacks migration {HOLD_MIGRATION}, without which its mail cannot be held. Migrate the portal it came from and make a new backup."
        )
    engine = _engine()
    if manifest["database"]["member"] != engine.member:
        raise BackupError(f"{archive.path} has a manifest that is damaged.")
    try:
        state = target_state()
    except DatabaseError as error:
        raise BackupError(f"The database cannot be reached: {said(error)}") from None
    if state == "data" and not force:
        raise BackupError(
            "The database holds data (accounts, an audit trail or mail). Restore into an empty database, or give --force to replace what it holds."
        )
    media_root = Path(settings.MEDIA_ROOT)
    if _holds_files(media_root) and not force:
        raise BackupError(
            f"The media folder {media_root} holds files. Restore into an empty one, or give --force to replace them."
        )

    media_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=engine.work_dir(), prefix=STAGING_PREFIX) as work:
        dump = archive.extract_database(work)
        staging = Path(tempfile.mkdtemp(dir=media_root, prefix=STAGING_PREFIX))
        try:
            archive.extract_media(staging)
            hold = mail_hold_statements(connection, timezone.now())
            engine.restore(dump, manifest["tables"], hold, replace=state != "empty")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    _move_into_place(staging, media_root, clear=force)
    connection.close()

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    with connection.cursor() as cursor:
        named = _named_files(cursor, set(connection.introspection.table_names(cursor)))
    missing = sorted(name for name in named if not (media_root / name).is_file())
    return {
        "created_at": manifest["created_at"],
        "replaced": state if state != "empty" else None,
        "tables": len(manifest["tables"]),
        "files": len(archive.media),
        "held": OutgoingMail.objects.filter(held_at__isnull=False).count(),
        "migrated": [f"{m.app_label}.{m.name}" for m, _backwards in plan],
        "missing": missing,
    }
