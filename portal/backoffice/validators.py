"""Staff passwords: at least 12 characters (customers keep the FAQ's 7)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

STAFF_PASSWORD_MIN_LENGTH = 12


class StaffMinimumLengthValidator:
    """Applies to HartingBank staff only; Django's MinimumLengthValidator keeps the
    customers' minimum for everyone."""

    def __init__(self, min_length=STAFF_PASSWORD_MIN_LENGTH):
        self.min_length = min_length

    def applies_to(self, user):
        return user is not None and user.is_staff

    def validate(self, password, user=None):
        if self.applies_to(user) and len(password) < self.min_length:
            raise ValidationError(
                _("Een medewerker van HartingBank kiest een wachtwoord van minimaal %(min_length)d tekens.")
                % {"min_length": self.min_length},
                code="password_too_short",
            )

    def get_help_text(self):
        return _("Je wachtwoord moet als medewerker van HartingBank minstens %(min_length)d tekens lang zijn.") % {
            "min_length": self.min_length
        }
