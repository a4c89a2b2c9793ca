"""Vier ogen: expire the changes nobody decided on in time, remind about those still waiting; a daily job."""

from django.core.management.base import BaseCommand

from portal.organizations.services.four_eyes import process_four_eyes


class Command(BaseCommand):
    help = "Expires the account changes that waited too long for a second administrator, and reminds about the others."

    def handle(self, *args, **options):
        self.stdout.write(process_four_eyes())
