import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedQuerySet


class AuditEventQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The trail of an organization, for its active administrators only."""
        return self.of_administered_organization(user)

    def update(self, **kwargs):
        raise TypeError("The audit trail is append-only.")

    def delete(self):
        raise TypeError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """One entry of the audit trail: who did what to which account, when and from where.

    Append-only: the application creates entries and never changes or deletes one.
    """

    occurred_at = models.DateTimeField(_("tijdstip"), auto_now_add=True, db_index=True)
    action = models.CharField(_("actie"), max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisatie"),
    )
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    # The request that recorded it (its X-Request-ID, also in that request's log lines);
    # empty for events recorded outside a request (the worker, a command).
    request_id = models.CharField(_("request-id"), max_length=64, blank=True, default="")
    # {"field": [old, new], ...} for changes; other details for other actions.
    changes = models.JSONField(_("wijzigingen"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit-gebeurtenis")
        verbose_name_plural = _("audittrail")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-occurred_at"], name="audit_org_time"),
            models.Index(fields=["target_user", "-occurred_at"], name="audit_target_time"),
            # The activity pages and the back office's audit viewer page back in time by id.
            models.Index(fields=["organization", "-id"], name="audit_org_id"),
            models.Index(fields=["target_user", "-id"], name="audit_target_id"),
            models.Index(fields=["actor", "-id"], name="audit_actor_id"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only.")

    def get_action_display(self):
        from .audit import action_label

        return action_label(self.action)

    def readable_changes(self):
        """``changes`` with the personal values opened (one query for the key); an erased
        person's value is ``portal.core.personal.ERASED``."""
        from .audit import readable

        return readable(self.changes)


class OutgoingMail(models.Model):
    """A message waiting to be delivered. Written in the transaction of the action that
    sends it, so the two are kept or lost together; deleted once delivered, so that
    links in it (invitations, password resets) are not kept anywhere. The task queue
    carries only the id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    to = models.JSONField()
    reply_to = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    attempts = models.PositiveSmallIntegerField(default=0)
    failed_at = models.DateTimeField(null=True, blank=True)
    # When the next delivery is due: a message still here well after it (and not being
    # sent) lost its task, and the worker's sweep queues it again.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Set while a process sends it, so that no other process sends it at the same time;
    # a lease that has run out is one whose process died.
    lease_until = models.DateTimeField(null=True, blank=True)
    # Set by a restore on every message that was waiting when the backup was made: it is
    # not sent until an operator releases it (``manage.py held_mail``), so a restored copy
    # does not send again what went out long ago.
    held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(failed_at__isnull=True), name="outgoingmail_due"),
        ]
        verbose_name = _("uitgaande e-mail")
        verbose_name_plural = _("uitgaande e-mail")


class JobRun(models.Model):
    """One run of a periodic job (``portal.core.jobs``): at most one per job and period,
    which the database enforces, so that several workers run a job once."""

    name = models.CharField(max_length=100)
    period_start = models.DateTimeField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(null=True)
    error = models.CharField(max_length=100, blank=True)  # the exception's class, never its text

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "period_start"], name="jobrun_once_per_period")]


class ReferenceCounter(models.Model):
    """The last number handed out for one kind of reference in one year (``SA`` 2026:
    123, so the next is SA-2026-000124). The row is locked while a number is taken, so
    numbers count up per year without a gap and none is given twice
    (``portal.core.references.next_reference``)."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="reference_counter_unique")]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last_number}"


class PersonalDataKey(models.Model):
    """The key that seals one person's values in the audit trail (``portal.core.personal``).

    Made the first time an event records a personal value of theirs. Erasing the person
    (deleting their account) empties ``key`` and sets ``erased_at``: what was sealed with
    it can no longer be read, and what is recorded about them afterwards is stored as
    erased, never under a new key. The row holds no personal value itself."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("persoon"))
    key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sleutel voor persoonsgegevens")
        verbose_name_plural = _("sleutels voor persoonsgegevens")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(erased_at__isnull=True) & ~models.Q(key=""))
                | (models.Q(erased_at__isnull=False) & models.Q(key="")),
                name="personaldatakey_key_or_erased",
            ),
        ]
