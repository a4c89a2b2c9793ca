"""API keys: an organization's administrator gives a system of their own (a purchasing
system, an identity provider speaking SCIM) access to the organization's data through the
API, within the scopes chosen.

Only a hash of a key is stored; the key itself is shown once. Every key has a *principal*:
a user without an e-mail address, password or membership that never logs in and is
listed nowhere, whose name is the key's name. It is the actor in the audit trail of every
change made with the key, so the activity page shows "API-sleutel <naam>" as who did it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet


class Scope(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts (lezen en beheren)")
    ORDERS = "orders", _("Bestellingen")
    SERVICE = "service", _("Serviceaanvragen")
    SCIM = "scim", _("SCIM-koppeling (accounts vanuit Entra ID, Okta, …)")


# Locations are read by any key that works with accounts, orders or service requests.
LOCATION_SCOPES = frozenset({Scope.ACCOUNTS, Scope.ORDERS, Scope.SERVICE})


class ApiKeyQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """An organization's keys, for its active administrators only."""
        return self.of_administered_organization(user)

    def usable(self, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiKey(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisatie")
    )
    name = models.CharField(_("naam"), max_length=100)
    # A few characters of the key, to recognise it by ("hbk_Xy3…"); never enough to use it.
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("rechten"), default=list)
    principal = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    expires_at = models.DateTimeField(_("geldig tot"))
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="apikey_org_created")]

    def __str__(self):
        return self.name

    def has_scope(self, scope) -> bool:
        return scope in self.scopes

    @property
    def scope_labels(self):
        return [str(Scope(scope).label) for scope in self.scopes if scope in Scope.values]

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.expires_at > timezone.now() else "expired"


class IdempotentRequest(models.Model):
    """A write sent with an ``Idempotency-Key`` header that succeeded, kept per key for
    ``idempotency.KEEP`` (24 hours; the daily job removes older ones): the same header
    with the same request answers what the first answered and changes nothing; with
    another request it is refused (``idempotency.py``). A request that was refused
    stores nothing, so it may be sent again with the same header."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path and the body as read (JSON, keys sorted).
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "key"], name="api_idempotency_key_unique")]
