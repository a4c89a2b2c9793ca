"""Store as active every account whose deactivation end date has come. Logins already
treat such accounts as active; run this daily (cron) to keep lists and exports exact."""

from django.core.management.base import BaseCommand

from portal.organizations.services import reactivate_due_accounts


class Command(BaseCommand):
    help = "Reactivates accounts whose 'deactivated until' date has come."

    def handle(self, *args, **options):
        count = reactivate_due_accounts()
        self.stdout.write(f"{count} account(s) reactivated.")
