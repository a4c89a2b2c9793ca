"""Mail held after a restore: list it, send it after all, or drop it.

A restore holds every message that was waiting in the outbox when the backup was made
(it may have gone out long ago from the portal the backup came from). An operator
judges by when a message was written and its subject, and then:

    manage.py held_mail                         lists them: id, written at, recipients, subject
    manage.py held_mail --release ID [ID ...]   sends these after all
    manage.py held_mail --release --all         sends every held message
    manage.py held_mail --drop ID [ID ...]      deletes these unsent
    manage.py held_mail --drop --all            deletes every held message unsent

The list shows how many recipients a message has, never their addresses or the body.
Ids that are not held are refused before anything is done.
"""

import uuid

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.core.mail import mail_drop, mail_held, mail_release


def _ids(values):
    ids = []
    for value in values:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            raise CommandError(f"Not a message id: {value!r} (manage.py held_mail lists the held messages).") from None
    return ids


class Command(BaseCommand):
    help = "Lists the mail held after a restore; --release sends it after all, --drop deletes it unsent."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--release", nargs="*", metavar="ID", help="Send these held messages (or --all).")
        action.add_argument("--drop", nargs="*", metavar="ID", help="Delete these held messages unsent (or --all).")
        parser.add_argument("--all", action="store_true", help="Every held message (with --release or --drop).")

    def handle(self, *args, release=None, drop=None, all=False, **options):
        if release is None and drop is None:
            if all:
                raise CommandError("--all goes with --release or --drop.")
            return self.show()
        given = release if release is not None else drop
        if all == bool(given):
            raise CommandError("Name the messages by their ids (manage.py held_mail lists them), or give --all.")
        ids = None
        if given:
            ids = _ids(given)
            held = {pk for pk in mail_held(ids).values_list("pk", flat=True)}
            missing = [str(pk) for pk in ids if pk not in held]
            if missing:
                raise CommandError(f"Not held (sent, dropped or never held): {', '.join(missing)}. Nothing was done.")
        if release is not None:
            self.stdout.write(f"{mail_release(ids)} message(s) released: the worker sends them now.")
        else:
            self.stdout.write(f"{mail_drop(ids)} message(s) dropped unsent.")

    def show(self):
        held = list(mail_held())
        if not held:
            self.stdout.write("No mail is held.")
            return
        self.stdout.write(f"{len(held)} message(s) held, written before the backup they were restored from:")
        self.stdout.write(f"{'id':36}  {'written at':16}  {'recipients':>10}  subject")
        for mail in held:
            written = timezone.localtime(mail.created_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{mail.pk!s:36}  {written:16}  {len(mail.to):>10}  {mail.subject}")
        self.stdout.write("Send with --release ID... (or --all), delete unsent with --drop ID... (or --all).")
