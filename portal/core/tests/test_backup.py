"""Backup and restore refuse bad input with a clear message, before they change anything.

The round trip itself (SQLite and PostgreSQL, while orders are placed) is in
tests/test_backup_restore.py; these run in the test process, against archives made here.
"""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from portal.core import backup
from portal.core.models import AuditEvent


def fake_archive(path, members=None, **manifest):
    """An archive as ``manage.py backup`` writes one, its manifest changed by ``manifest``."""
    written = {
        "format": backup.FORMAT, "format_version": backup.FORMAT_VERSION, "created_at": "2026-12-02T03:00:00+00:00",
        "engine": connection.vendor, "migrations": sorted(backup._known_migrations()),
        "database": {"member": "database.sqlite3", "bytes": 1, "sha256": "0" * 64},
        "tables": {"core_outgoingmail": 0}, "media": {"files": 0, "bytes": 0, "named": 0, "missing": []},
    }  # fmt: skip
    written.update(manifest)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(written))
        archive.writestr("database.sqlite3", b"x")
        for name, content in (members or {}).items():
            archive.writestr(name, content)
    return path


def refused(*args):
    with pytest.raises(CommandError) as error:
        call_command("restore", *args, stdout=io.StringIO())
    assert error.value.returncode == 1
    assert str(error.value).endswith("Nothing was restored.")
    return str(error.value)


@pytest.fixture
def kept(db, admin_user):
    """Something in the database that a refused restore must leave as it is."""
    AuditEvent.objects.create(action="account_created", actor=admin_user)
    yield
    assert AuditEvent.objects.filter(action="account_created").exists()


class TestRestoreRefuses:
    def test_a_missing_archive(self, tmp_path, kept):
        assert "There is no archive at" in refused(str(tmp_path / "none.zip"))

    def test_a_file_that_is_no_archive(self, tmp_path, kept):
        (tmp_path / "x.zip").write_bytes(b"PK\x03\x04 not really")
        assert "is no backup of the portal, or it is damaged" in refused(str(tmp_path / "x.zip"))

    def test_an_archive_cut_short(self, tmp_path, kept):
        whole = fake_archive(tmp_path / "x.zip", members={"media/service/a.pdf": b"%PDF-" * 1000}, media={"files": 1})
        (tmp_path / "cut.zip").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
        assert "is no backup of the portal, or it is damaged" in refused(str(tmp_path / "cut.zip"))

    def test_a_zip_file_that_is_no_backup(self, tmp_path, kept):
        with zipfile.ZipFile(tmp_path / "x.zip", "w") as archive:
            archive.writestr("notes.txt", "hello")
        assert "has no manifest.json" in refused(str(tmp_path / "x.zip"))
        fake_archive(tmp_path / "y.zip", format="something-else")
        assert "its manifest is not one" in refused(str(tmp_path / "y.zip"))

    def test_a_format_it_does_not_read(self, tmp_path, kept):
        fake_archive(tmp_path / "x.zip", format_version=2)
        assert "has format version 2; this portal reads version 1" in refused(str(tmp_path / "x.zip"))

    def test_an_archive_of_the_other_engine(self, tmp_path, kept):
        other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
        fake_archive(tmp_path / "x.zip", engine=other)
        assert f"The archive holds a {other} database; this portal runs on {connection.vendor}" in refused(
            str(tmp_path / "x.zip")
        )

    def test_an_archive_of_a_newer_portal(self, tmp_path, kept):
        fake_archive(tmp_path / "x.zip", migrations=[*backup._known_migrations(), "core.9999_from_the_future"])
        assert "newer version of the portal" in refused(str(tmp_path / "x.zip"))

    def test_an_archive_whose_mail_cannot_be_held(self, tmp_path, kept):
        older = [m for m in backup._known_migrations() if m != backup.HOLD_MIGRATION]
        fake_archive(tmp_path / "x.zip", migrations=older)
        assert "lacks migration core.0006_outgoingmail_held_at" in refused(str(tmp_path / "x.zip"))

    def test_a_damaged_manifest(self, tmp_path, kept):
        fake_archive(tmp_path / "x.zip", tables={'core_outgoingmail"; DROP TABLE x; --': 1})
        assert "manifest that is damaged" in refused(str(tmp_path / "x.zip"))
        fake_archive(tmp_path / "y.zip", database={"member": "../database.sqlite3"})
        assert "manifest that is damaged" in refused(str(tmp_path / "y.zip"))

    def test_a_file_outside_the_media_folder(self, tmp_path, kept):
        fake_archive(tmp_path / "x.zip", members={"media/../../settings.py": b"x"}, media={"files": 1})
        assert "names a file outside the media folder" in refused(str(tmp_path / "x.zip"))

    def test_files_missing_from_the_archive(self, tmp_path, kept):
        fake_archive(tmp_path / "x.zip", media={"files": 3})
        assert "does not hold the files its manifest lists" in refused(str(tmp_path / "x.zip"))


class TestBackupRefuses:
    def test_to_write_over_a_file(self, tmp_path):
        (tmp_path / "there.zip").write_bytes(b"")
        with pytest.raises(CommandError, match="exists already") as error:
            call_command("backup", str(tmp_path / "there.zip"), stdout=io.StringIO())
        assert error.value.returncode == 1

    def test_to_write_into_a_folder_that_is_not_there(self, tmp_path):
        with pytest.raises(CommandError, match="There is no folder"):
            call_command("backup", str(tmp_path / "none" / "x.zip"), stdout=io.StringIO())

    def test_a_folder_gets_a_dated_name(self, tmp_path):
        assert backup.archive_path(tmp_path).name.startswith("mijn-hartingbank-")
        assert backup.archive_path(tmp_path / "x.zip") == tmp_path / "x.zip"


def test_without_postgresql_client_programs_it_says_what_to_install(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="pg_dump is not installed.*apt-get install postgresql-client"):
        backup._tool("pg_dump")


def test_sizes_read_as_people_write_them():
    assert [backup.size_text(n) for n in (980, 82_600, 1_200_000, 3 * 10**12)] == ["980 bytes", "82.6 kB", "1.2 MB", "3000.0 GB"]
