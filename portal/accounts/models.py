from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalize_email_address(email: str) -> str:
    """E-mail addresses are stored in lower case, so uniqueness ignores case."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email_address(username))

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalize_email_address(email), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: an employee of a customer, or HartingBank staff.

    Staff have no membership of an organization; customers have exactly one
    (see ``organizations.Membership``). The e-mail address is the login. It is empty
    only for a deleted account, whose personal data has been erased.
    """

    email = models.EmailField(_("e-mailadres"), unique=True, null=True, blank=True)
    full_name = models.CharField(_("naam"), max_length=150, blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    job_title = models.CharField(_("functie"), max_length=100, blank=True)
    is_active = models.BooleanField(_("actief"), default=True)
    is_staff = models.BooleanField(_("medewerker HartingBank"), default=False)
    date_joined = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        indexes = [
            # Keyset pagination of Accountbeheer sorts by these, with the id as tiebreaker.
            models.Index(fields=["full_name", "id"], name="user_name_id"),
            models.Index(fields=["last_login", "id"], name="user_last_login_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")),
                name="user_email_lowercase",
                violation_error_code="email_not_lowercase",
            ),
        ]

    def __str__(self):
        return self.full_name or self.email or str(_("verwijderd account"))

    def clean(self):
        super().clean()
        self.email = normalize_email_address(self.email) or None

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else ""
