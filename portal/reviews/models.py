"""Access reviews (*toegangscontrole*): an organization's accounts as they were at one
moment, each confirmed or changed by a reviewer, kept as evidence once finished.

Nothing personal is copied into a review: the snapshot holds role, status, rights and
locations; names and addresses are read from the account, so erasing a person erases
them here too."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet, membership_of


class AccessReviewQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The reviews of the organization ``user`` administers, or of their own
        organization for a location manager (who sees only the accounts they manage in
        it: ``permissions.items_reviewable_by``); none for anyone else."""
        membership = membership_of(user)
        if membership is not None and membership.is_active_location_manager:
            return self.filter(organization_id=membership.organization_id)
        return self.of_administered_organization(user)

    def open(self):
        return self.filter(finished_at__isnull=True)

    def finished(self):
        return self.filter(finished_at__isnull=False)


class AccessReview(models.Model):
    """One review of all accounts of an organization."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisatie")
    )
    reference = models.CharField(_("referentie"), max_length=20, unique=True)
    started_at = models.DateTimeField(_("gestart op"), default=timezone.now)
    # Empty: started by the organization's quarterly schedule.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gestart door"),
    )
    finished_at = models.DateTimeField(_("afgerond op"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("afgerond door"),
    )
    # When the administrators were last reminded (empty: not yet).
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = AccessReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("toegangscontrole")
        verbose_name_plural = _("toegangscontroles")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(finished_at__isnull=True), name="access_review_one_open_per_organization"
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True, finished_by__isnull=True)
                | Q(finished_at__isnull=False, finished_by__isnull=False),
                name="access_review_finished_by_whom",
            ),
        ]
        indexes = [models.Index(fields=["organization", "-started_at"], name="access_review_org_started")]

    def __str__(self):
        return self.reference

    @property
    def is_open(self):
        return self.finished_at is None


class Outcome(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Klopt")
    CHANGED = "changed", _("Gewijzigd")


class AccessReviewItem(models.Model):
    """One account in a review: as it was when the review started, and what the reviewer
    decided (confirmed, or changed, with what changed), by whom and when."""

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="items")
    membership = models.ForeignKey("organizations.Membership", on_delete=models.PROTECT, related_name="+")
    # {"role", "status", "deactivated_until", "may_use_portal", "may_order", "order_limit",
    #  "locations": [names], "location_ids": [ids]} (see snapshot.snapshot_of)
    snapshot = models.JSONField()
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=Outcome.choices, default=Outcome.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("door")
    )
    decided_at = models.DateTimeField(_("op"), null=True, blank=True)
    # {"field": [as in the snapshot, as recorded]} for a changed account.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("gecontroleerd account")
        verbose_name_plural = _("gecontroleerde accounts")
        constraints = [
            models.UniqueConstraint(fields=["review", "membership"], name="access_review_item_once"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="access_review_item_outcome_valid"),
            models.CheckConstraint(
                condition=Q(outcome=Outcome.OPEN, decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(outcome=Outcome.OPEN) & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="access_review_item_decided_by_whom",
            ),
        ]
        indexes = [models.Index(fields=["review", "outcome"], name="access_review_item_outcome")]


class ReviewSchedule(models.Model):
    """Whether an organization has a review started every quarter."""

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    # The day the quarterly review was switched on (empty: off). A review starts on the
    # first day of each quarter from then on (a quarter that began before it does not count).
    quarterly_since = models.DateField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now=True)
