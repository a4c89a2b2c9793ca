"""Deactivate the accounts whose leave date (Uit dienst per) has come; a daily job."""

from django.core.management.base import BaseCommand

from portal.organizations.services.leavers import process_leavers


class Command(BaseCommand):
    help = "Deactivates the accounts whose leave date has come and mails their administrators what to hand over."

    def handle(self, *args, **options):
        left, blocked = process_leavers()
        self.stdout.write(f"{left} leaver(s) deactivated, {blocked} kept as last administrator.")
