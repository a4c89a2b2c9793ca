"""Service requests: a customer reports a problem at one of its locations (a payment
terminal out of order, a missed cash pickup, a wrong delivery) and follows it with
HartingBank's online customer service in a message thread."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.casework.models import Case, CaseMessage, handler_field
from portal.core.scoping import ScopedQuerySet, membership_of
from portal.organizations.permissions import can_use_portal


class Category(models.TextChoices):
    TERMINAL = "terminal", _("Betaalautomaat of pinterminal defect")
    CARD_READER = "card_reader", _("Storing kaartlezer")
    CASH_PICKUP = "cash_pickup", _("Geldtransport of afstorting niet opgehaald")
    DELIVERY = "delivery", _("Verkeerde of beschadigde levering")
    ORDER_INVOICE = "order_invoice", _("Vraag over een bestelling of factuur")
    OTHER = "other", _("Overig")


class Status(models.TextChoices):
    NEW = "new", _("Nieuw")
    IN_PROGRESS = "in_progress", _("In behandeling")
    WAITING_FOR_CUSTOMER = "waiting_for_customer", _("Wacht op klant")
    RESOLVED = "resolved", _("Opgelost")
    CLOSED = "closed", _("Gesloten")


OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING_FOR_CUSTOMER)
FINISHED_STATUSES = (Status.RESOLVED, Status.CLOSED)

# Every status change that may happen, in one place: {from: {to, ...}}. Who may make a
# change is decided in services.py (customer service any of these; a customer only
# closes, reopens, or answers a request that waits for them).
TRANSITIONS = {
    Status.NEW: {Status.IN_PROGRESS, Status.WAITING_FOR_CUSTOMER, Status.RESOLVED, Status.CLOSED},
    Status.IN_PROGRESS: {Status.WAITING_FOR_CUSTOMER, Status.RESOLVED, Status.CLOSED},
    Status.WAITING_FOR_CUSTOMER: {Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED},
    Status.RESOLVED: {Status.IN_PROGRESS, Status.CLOSED},  # reopened, or closed for good
    Status.CLOSED: {Status.IN_PROGRESS},  # reopened
}


def transition_allowed(old, new) -> bool:
    return new in TRANSITIONS.get(old, ())


class ServiceRequestQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Only for users who may use the portal. An active administrator sees every
        request of the organization; anyone else the requests of the locations linked
        to their account (also those filed by colleagues). Checked at every request:
        a right taken away or a location unlinked counts at once."""
        membership = membership_of(user)
        if membership is None or not can_use_portal(user):
            return self.none()
        organization_id = membership.organization_id
        # Both the request's and its location's organization must match (fail closed).
        queryset = self.filter(organization_id=organization_id, location__organization_id=organization_id)
        if membership.is_active_administrator:
            return queryset
        return queryset.filter(location__links__membership=membership)


class ServiceRequest(Case):
    CLOSED_STATUSES = FINISHED_STATUSES

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("organisatie")
    )
    location = models.ForeignKey(
        "locations.Location", on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("locatie")
    )
    department = models.ForeignKey(
        "locations.Department", on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("afdeling")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("aangevraagd door")
    )
    reference = models.CharField(_("referentie"), max_length=20, unique=True)
    category = models.CharField(_("soort probleem"), max_length=30, choices=Category.choices)
    subject = models.CharField(_("onderwerp"), max_length=150)
    description = models.TextField(_("omschrijving"), max_length=5000)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.NEW)
    assigned_to = handler_field("assigned_service_requests")
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    # When it was last resolved or closed; empty while it is open.
    closed_at = models.DateTimeField(_("afgerond op"), null=True, blank=True)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("serviceaanvraag")
        verbose_name_plural = _("serviceaanvragen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="service_request_status_valid"),
            models.CheckConstraint(condition=models.Q(category__in=Category.values), name="service_request_category_valid"),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True, status__in=OPEN_STATUSES)
                | models.Q(closed_at__isnull=False, status__in=FINISHED_STATUSES),
                name="service_request_closed_at_when_finished",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="service_request_org_status"),
            models.Index(fields=["organization", "-created_at"], name="service_request_org_created"),
            models.Index(fields=["location", "-created_at"], name="service_request_location"),
            models.Index(fields=["-created_at"], name="service_request_created"),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"


class ServiceMessage(CaseMessage):
    """One message in the thread: from the customer, or from customer service."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auteur"))

    class Meta:
        verbose_name = _("bericht")
        verbose_name_plural = _("berichten")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="service_message_thread")]


def _attachment_path(instance, filename):  # pragma: no cover - the service names every file itself
    raise RuntimeError("Attachments are stored through portal.service.services")


class ServiceAttachment(models.Model):
    """A file sent with the request or with a message. Stored under MEDIA_ROOT with a
    random name; served only through the download view."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(ServiceMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("bestandsnaam"), max_length=200)
    content_type = models.CharField(_("soort bestand"), max_length=50)
    size = models.PositiveIntegerField(_("grootte"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bijlage")
        verbose_name_plural = _("bijlagen")
        ordering = ["created_at", "id"]
