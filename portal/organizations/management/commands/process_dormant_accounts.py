"""Warn the owners of unused accounts, and deactivate those still unused on the date
named in the warning; a daily job (see services.dormancy)."""

from django.core.management.base import BaseCommand

from portal.organizations.services.dormancy import process_dormant_accounts


class Command(BaseCommand):
    help = "Warns the owners of accounts unused for the organization's period and deactivates those still unused."

    def handle(self, *args, **options):
        warned, deactivated = process_dormant_accounts()
        self.stdout.write(f"{warned} account(s) warned, {deactivated} deactivated as unused.")
