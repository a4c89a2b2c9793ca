"""Restore an archive of ``manage.py backup`` into an empty database and media folder:

    manage.py restore /srv/backups/mijn-hartingbank-20261202-030000.zip
    manage.py restore --force ARCHIVE      replaces what the database and media folder hold

Stop the web server and the worker first. Checks the archive, the engine, the schema and
the target before it changes anything; refuses (exit code 1, nothing changed) a missing
or damaged archive, one of the other engine or of a newer portal, and a database or media
folder that holds data unless --force is given. An archive of an older portal is migrated
after the restore. Every mail that was waiting when the backup was made is held: review
it with ``manage.py held_mail``. See ``portal.core.backup``.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from portal.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restores an archive of manage.py backup into an empty database and media folder (--force: replace)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The archive to restore.")
        parser.add_argument("--force", action="store_true", help="Replace what the database and the media folder hold now.")

    def handle(self, *args, path, force=False, **options):
        started = time.monotonic()
        try:
            done = restore(path, force=force)
        except BackupError as error:
            raise CommandError(f"{error} Nothing was restored.") from None
        replaced = {"schema": " (over an empty, migrated schema)", "data": " (replacing what was there)"}
        self.stdout.write(
            f"Restored the backup of {done['created_at']}{replaced.get(done['replaced'], '')} in "
            f"{time.monotonic() - started:.1f} s: {done['tables']} tables, {done['files']} files."
        )
        if done["migrated"]:
            self.stdout.write(f"The archive was of an older version; migrated: {', '.join(done['migrated'])}.")
        if done["held"]:
            self.stdout.write(
                f"{done['held']} mail(s) that waited when the backup was made are held, not sent: "
                "manage.py held_mail lists them, --release sends them, --drop deletes them."
            )
        if done["missing"]:
            self.stderr.write(
                f"{len(done['missing'])} file(s) the database names are not in the media folder: "
                f"{', '.join(done['missing'][:10])}"
            )
