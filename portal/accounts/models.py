import unicodedata

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.auth.password_validation import validate_password
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def search_key(*parts) -> str:
    """Lower case without accents, for searching names and addresses ("José" is found
    by "jose")."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


SEARCH_TEXT_LENGTH = 500


def search_text_of(full_name, email) -> str:
    """The name and e-mail address as searched (``search_key``), within the column's
    ``SEARCH_TEXT_LENGTH``: a name can grow many times over when it is decomposed (one
    "\ufdfa" becomes 18 letters), so the e-mail address is kept whole and the name's
    part is cut to what is left."""
    email_key = search_key(email)
    name_key = search_key(full_name)[: max(SEARCH_TEXT_LENGTH - len(email_key) - 1, 0)].rstrip()
    return " ".join(part for part in (name_key, email_key) if part)


def normalize_email_address(email: str) -> str:
    """E-mail addresses are stored in lower case, so uniqueness ignores case."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email_address(username), email_elsewhere=False)

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
        if password:
            # ``createsuperuser`` checks the password against a user that is not staff
            # yet (and not at all with --noinput): the staff rules apply here.
            validate_password(password, self.model(email=normalize_email_address(email), **extra_fields))
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: an employee of a customer, or HartingBank staff.

    Staff have no membership of an organization; customers have exactly one
    (see ``organizations.Membership``). The e-mail address is the login. It is empty
    only for a deleted account, whose personal data has been erased.
    """

    email = models.EmailField(_("e-mailadres"), null=True, blank=True, db_index=True)
    # An invitation whose address already belongs to an account elsewhere (another
    # organization's, or HartingBank's). The administrator who invited it sees it as any
    # other invitation (whether an address is in use elsewhere is not theirs to know); the
    # owner of the address is told instead of invited, and it can never be accepted. It
    # does not log in (inactive) and does not hold the address: the address is unique
    # among all other accounts.
    email_elsewhere = models.BooleanField(default=False, editable=False)
    full_name = models.CharField(_("naam"), max_length=150, blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    job_title = models.CharField(_("functie"), max_length=100, blank=True)
    is_active = models.BooleanField(_("actief"), default=True)
    is_staff = models.BooleanField(_("medewerker HartingBank"), default=False)
    date_joined = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    # Name and e-mail address as searched (see search_key); kept up to date by save().
    search_text = models.CharField(max_length=SEARCH_TEXT_LENGTH, blank=True, editable=False)
    # The organization of the user's membership, kept here as well so that the
    # Accountbeheer overview can read one organization's users in name, e-mail or login
    # order straight from an index (see organizations.Membership.save). Empty for staff.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisatie"),
        db_index=False,  # the indexes below start with it
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        indexes = [
            # Keyset pagination of Accountbeheer: one organization's users in each sort
            # order, with the (unique) e-mail address as tiebreaker.
            # The search text rides along, so that a search in name order reads this
            # index alone (and a search for one person scans it instead of the table).
            models.Index(fields=["organization", "full_name", "email", "search_text"], name="user_org_name"),
            models.Index(fields=["organization", "email"], name="user_org_email"),
            models.Index(fields=["organization", "last_login", "email"], name="user_org_last_login"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(email_elsewhere=False),
                name="user_email_unique",
                violation_error_code="email_in_use",
            ),
            # Within one organization an address is one account (the overview's keyset
            # pages use it as the tiebreaker).
            models.UniqueConstraint(fields=["organization", "email"], name="user_organization_email_unique"),
            models.CheckConstraint(
                condition=models.Q(email_elsewhere=False) | models.Q(is_active=False),
                name="user_email_elsewhere_inactive",
            ),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")),
                name="user_email_lowercase",
                violation_error_code="email_not_lowercase",
            ),
        ]

    def __str__(self):
        return self.name_of(self.full_name, self.email)

    @staticmethod
    def name_of(full_name, email):
        """How a person is named: also for a name and address read without the user."""
        return full_name or email or str(_("verwijderd account"))

    def clean(self):
        super().clean()
        self.email = normalize_email_address(self.email) or None

    def save(self, *args, **kwargs):
        self.search_text = search_text_of(self.full_name, self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"full_name", "email"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else ""


class LoginAttempt(models.Model):
    """A login attempt as the limits on failed logins count it (``accounts.ratelimits``):
    written before the password is checked; when the password was right it loses its
    login key (it counts only in the limit on logins per address) or, without that
    limit, is deleted, so what keeps a login key are the failures. Neither the address typed nor the client's address
    is stored, only keyed hashes of them; attempts older than the longest limit are
    deleted now and then as new ones come in (``ratelimits.PRUNE_CHANCE``)."""

    login_key = models.CharField(max_length=64)
    client_key = models.CharField(max_length=64)
    attempted_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["login_key", "attempted_at"], name="login_attempt_login"),
            models.Index(fields=["client_key", "attempted_at"], name="login_attempt_client"),
        ]
