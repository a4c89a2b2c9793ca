"""Change requests (Wijziging doorgeven): a customer asks online customer service to
change their personal data or linked locations, or a location, department or address
that HartingBank registers. Each request has a thread of messages with customer
service and a status; what may follow what is decided in ``services.TRANSITIONS``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import normalize_email_address
from portal.casework.models import Case, CaseMessage, handler_field
from portal.core.scoping import ScopedQuerySet, membership_of

REFERENCE_PREFIX = "WV"


class Kind(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("Mijn persoonlijke gegevens wijzigen")
    MY_LOCATIONS = "my_locations", _("Mijn gekoppelde locaties wijzigen")
    LOCATION_CHANGE = "location_change", _("Een locatie, afdeling of adres wijzigen")
    LOCATION_REMOVE = "location_remove", _("Een locatie, afdeling of adres verwijderen")
    OTHER = "other", _("Iets anders")


# Kinds that are about a location: the form asks for one.
LOCATION_KINDS = (Kind.LOCATION_CHANGE, Kind.LOCATION_REMOVE)


class Status(models.TextChoices):
    NEW = "new", _("Nieuw")
    IN_PROGRESS = "in_progress", _("In behandeling")
    DONE = "done", _("Afgehandeld")
    REJECTED = "rejected", _("Afgewezen")
    WITHDRAWN = "withdrawn", _("Ingetrokken")


# A closed request takes no more messages and no more status changes.
CLOSED = (Status.DONE, Status.REJECTED, Status.WITHDRAWN)


class ChangeRequestQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The requester sees their own requests; an active administrator sees all of
        the organization's. Staff see none here (the back office has its own)."""
        membership = membership_of(user)
        if membership is None:
            return self.none()
        mine = self.filter(organization_id=membership.organization_id)
        if membership.is_active_administrator:
            return mine
        return mine.filter(created_by=user)

    def open(self):
        return self.exclude(status__in=CLOSED)


class ChangeRequest(Case):
    CLOSED_STATUSES = CLOSED

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name=_("organisatie"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name=_("ingediend door"),
    )
    # Given when the request is created: "WV-2026-000123" (``core.references``).
    reference = models.CharField(_("referentie"), max_length=20, unique=True, null=True, editable=False)
    kind = models.CharField(_("soort wijziging"), max_length=20, choices=Kind.choices)
    location = models.ForeignKey(
        "locations.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change_requests",
        verbose_name=_("locatie"),
    )
    # A request to remove a department must not stop it from being removed: the
    # request then keeps its location and description.
    department = models.ForeignKey(
        "locations.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_requests",
        verbose_name=_("afdeling"),
    )
    description = models.TextField(_("wat moet er veranderen"), max_length=4000, blank=True)
    # For a change of one's personal data: the values asked for ({"full_name": ...,
    # "email": ..., "phone": ..., "job_title": ...}, only those that should change), so
    # an administrator or customer service carries it out from the request itself.
    proposed = models.JSONField(_("gevraagde gegevens"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    assigned_to = handler_field("assigned_change_requests")
    created_at = models.DateTimeField(_("ingediend op"), auto_now_add=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        db_table = "support_changerequest"  # the table it had in the app "support", which it left
        verbose_name = _("wijzigingsverzoek")
        verbose_name_plural = _("wijzigingsverzoeken")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=Kind.values), name="change_request_kind_valid"),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="change_request_status_valid"),
            models.CheckConstraint(
                condition=models.Q(department__isnull=True) | models.Q(location__isnull=False),
                name="change_request_department_needs_location",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(status__in=CLOSED),
                name="change_request_closed_only_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="change_request_org_time"),
            models.Index(fields=["created_by", "-created_at"], name="change_request_user_time"),
            models.Index(fields=["status", "-created_at"], name="change_request_status_time"),
        ]

    def __str__(self):
        return self.reference or f"{REFERENCE_PREFIX}-?"

    PROPOSED_LABELS = {
        "full_name": _("Naam"), "email": _("E-mailadres"), "phone": _("Telefoonnummer"), "job_title": _("Functie"),
    }  # fmt: skip

    def proposes_new_address(self):
        """Whether the request asks for an e-mail address other than the requester's now (carrying
        it out asks for the password again and counts in the limit on new addresses)."""
        email = self.proposed.get("email")
        return bool(email) and normalize_email_address(email) != self.created_by.email

    def proposed_rows(self):
        """(label, stored now, asked for) for each personal data the request asks to change."""
        user = self.created_by
        return [
            (label, getattr(user, field) or "—", self.proposed[field])
            for field, label in self.PROPOSED_LABELS.items()
            if field in self.proposed
        ]


class ChangeRequestMessage(CaseMessage):
    """One message in the thread of a request: from the customer or from customer service."""

    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.CASCADE, related_name="messages", verbose_name=_("wijzigingsverzoek")
    )
    body = models.TextField(_("bericht"), max_length=4000)

    class Meta:
        db_table = "support_changerequestmessage"  # the table it had in the app "support", which it left
        verbose_name = _("bericht bij wijzigingsverzoek")
        verbose_name_plural = _("berichten bij wijzigingsverzoeken")
        ordering = ["created_at", "id"]
