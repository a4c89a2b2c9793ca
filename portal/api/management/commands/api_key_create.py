"""manage.py api_key_create --organization <id or exact name> --name <text> --scopes scim,accounts [--days N]

Prints the new key once (for operators and tests); only its hash is stored."""

from django.core.management.base import BaseCommand, CommandError

from portal.api import keys
from portal.api.models import Scope


class Command(BaseCommand):
    help = "Maakt een API-sleutel voor een organisatie en toont hem één keer."

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="id of exacte naam van de organisatie")
        parser.add_argument("--name", required=True, help="naam van de sleutel (staat in de audittrail)")
        parser.add_argument("--scopes", required=True, help=f"kommagescheiden: {','.join(Scope.values)}")
        parser.add_argument("--days", type=int, default=keys.DEFAULT_DAYS, help=f"geldigheid in dagen (1-{keys.MAX_DAYS})")

    def handle(self, *args, organization, name, scopes, days, **options):
        found = keys.organization_lookup(organization)
        if found is None:
            raise CommandError("Geen (eenduidige) organisatie met dit id of deze naam.")
        scope_list = [s.strip() for s in scopes.split(",") if s.strip()]
        try:
            key, secret = keys.api_key_create(actor=None, organization=found, name=name, scopes=scope_list, days=days)
        except keys.ApiKeyError as error:
            raise CommandError(str(error.message)) from error
        self.stderr.write(f"API-sleutel {key.pk} voor organisatie {found.pk}, geldig tot {key.expires_at:%Y-%m-%d}:")
        self.stdout.write(secret)
