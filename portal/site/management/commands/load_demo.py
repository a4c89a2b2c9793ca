"""Demo data for trying the portal. Idempotent: a second run changes and duplicates
nothing. Refused when DEBUG is off unless --allow-production is given explicitly.

At the end it says where the pending invitation's link is: the link itself when this run
sent the invitation, otherwise the mail file that holds it (so nobody has to search the
mail folder for it)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.site import demo


def invitation_mail(email):
    """The newest mail file written to ``email`` that holds an invitation link, or None
    (mail is written as files only in development)."""
    if settings.EMAIL_BACKEND != "django.core.mail.backends.filebased.EmailBackend":
        return None
    folder = Path(settings.EMAIL_FILE_PATH)
    files = sorted(folder.glob("*.log"), key=lambda f: f.stat().st_mtime, reverse=True) if folder.is_dir() else []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if f"\nTo: {email}\n" in text and "/uitnodiging/" in text:
            return path
    return None


def shown(path):
    """The path relative to the project when it lies inside it (var/mail/...)."""
    try:
        return path.resolve().relative_to(Path(settings.BASE_DIR).resolve())
    except ValueError:
        return path


class Command(BaseCommand):
    help = "Loads the demo organizations, accounts and locations (development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo data even though DEBUG is off (for a demo server).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Demo data is for development; DEBUG is off. Use --allow-production to force it.")
        links = {}
        with transaction.atomic():
            created = demo.load(invitation_links=links)
        self.stdout.write(f"Demo data ready ({created} new records).")
        for email in demo.pending_invitations():
            self.stdout.write(self.invitation_line(email, links.get(email)))

    def invitation_line(self, email, link):
        if link:
            return f"Invitation of {email} (choose a password): {link}"
        path = invitation_mail(email)
        if path is not None:
            return f"Invitation of {email}: the link is in {shown(path)}"
        return (
            f"Invitation of {email}: no mail file with its link yet (it is written under the mail folder once "
            f"the mail worker has sent it); as an administrator of the organization, Accountbeheer resends it."
        )
