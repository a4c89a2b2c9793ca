"""Demo data for trying the portal. Idempotent: a second run changes and duplicates
nothing. Refused when DEBUG is off unless --allow-production is given explicitly."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.core import demo


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
        with transaction.atomic():
            created = demo.load()
        self.stdout.write(f"Demo data ready ({created} new records).")
