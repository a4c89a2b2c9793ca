"""A member of HartingBank's staff lost their phone: remove their second factor.

    manage.py mfa_reset medewerker@hartingbank.example --reason "telefoon kwijt, gebeld op 12-3"

For HartingBank's own accounts only (a customer's administrator resets their people in
Accountbeheer, and online customer service resets an administrator's in the back office).
The reason goes into the audit trail; the owner is mailed and logged out everywhere.
"""

from django.core.management.base import BaseCommand, CommandError

from portal.accounts.mfa import staff_mfa_reset
from portal.accounts.models import User, normalize_email_address


class Command(BaseCommand):
    help = "Removes the authenticator apps, passkeys and recovery codes of a HartingBank account, with a reason."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The e-mail address the account logs in with.")
        parser.add_argument("--reason", required=True, help="Why (goes into the audit trail).")

    def handle(self, email, reason, **options):
        user = User.objects.filter(email=normalize_email_address(email), email_elsewhere=False).first()
        if user is None:
            raise CommandError("No account logs in with that address.")
        try:
            methods = staff_mfa_reset(user=user, reason=reason)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if not methods:
            self.stdout.write("It had no second factor; nothing was removed. Its sessions were ended.")
        else:
            self.stdout.write(f"Removed: {', '.join(methods)}. The owner is mailed and sets it up again at the next login.")
