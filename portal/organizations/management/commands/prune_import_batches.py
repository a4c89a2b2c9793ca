"""Delete finished or cancelled account imports older than a number of days: their rows
hold names, addresses and phone numbers that are not needed once the accounts exist.
Run daily (cron)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.organizations.models import ImportBatch


class Command(BaseCommand):
    help = "Deletes finished or cancelled account imports older than --days (default 30)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days, **options):
        old = ImportBatch.objects.filter(
            created_at__lt=timezone.now() - timedelta(days=days),
            status__in=[ImportBatch.Status.DONE, ImportBatch.Status.CANCELLED],
        )
        count, _ = old.delete()
        self.stdout.write(f"{count} import(s) deleted.")
