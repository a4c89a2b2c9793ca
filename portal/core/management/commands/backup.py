"""Write one archive with the database and the uploaded files, while the portal serves:

    manage.py backup /srv/backups/                 a dated file in that folder
    manage.py backup /srv/backups/before-upgrade.zip

The archive appears under its name only once it is complete (readable by its owner
only: it holds personal data and password hashes). Exits with 1 when the backup failed
and with 2 when the archive was written but a file the database names was missing from
MEDIA_ROOT (the message names it). See ``portal.core.backup``.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from portal.core.backup import BackupError, backup, said, size_text


class Command(BaseCommand):
    help = "Writes one archive with the database and the media files (a file, or a dated file in a folder)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The archive to write, or a folder to write a dated archive in.")

    def handle(self, *args, path, **options):
        started = time.monotonic()
        try:
            archive, manifest = backup(path)
        except DatabaseError as error:
            raise CommandError(f"The database cannot be reached or read: {said(error)}") from None
        except BackupError as error:
            raise CommandError(str(error)) from None
        media = manifest["media"]
        self.stdout.write(
            f"Backup written: {archive} ({size_text(archive.stat().st_size)}, {time.monotonic() - started:.1f} s): "
            f"the {manifest['engine']} database as of {manifest['created_at']}, {len(manifest['tables'])} tables, "
            f"{media['files']} files ({size_text(media['bytes'])}), {manifest['mail_waiting']} mail(s) waiting."
        )
        if media["missing"]:
            names = ", ".join(media["missing"][:10])
            raise CommandError(
                f"{len(media['missing'])} file(s) the database names were not in the media folder, and so are not in "
                f"the archive: {names}{' ...' if len(media['missing']) > 10 else ''}",
                returncode=2,
            )
