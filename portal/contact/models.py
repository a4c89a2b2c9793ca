"""Contact messages to online customer service: from a visitor (anonymous, with a name
and an e-mail address) or from a logged-in account (filled in from its details). Each
message has a reference (``CM-2026-000123``), a status, a handler at customer service,
an optional attachment and a thread of replies. What status may follow what is
decided in ``services.TRANSITIONS``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.casework.models import Case, CaseMessage, handler_field
from portal.core.scoping import ScopedQuerySet, membership_of

REFERENCE_PREFIX = "CM"


class ContactStatus(models.TextChoices):
    NEW = "new", _("Nieuw")
    IN_PROGRESS = "in_progress", _("In behandeling")
    DONE = "done", _("Afgehandeld")


# A message that is done takes no more replies from the sender (customer service can
# take it up again).
CONTACT_CLOSED = (ContactStatus.DONE,)


class ContactMessageQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A logged-in customer sees the messages they sent themselves, while they still
        belong to the organization they sent them for. Administrators do not see their
        colleagues' messages (a question to customer service can be personal); staff and
        visitors see none here (the back office has its own)."""
        membership = membership_of(user)
        if membership is None:
            return self.none()
        return self.filter(created_by=user, organization_id=membership.organization_id)

    def open(self):
        return self.exclude(status__in=CONTACT_CLOSED)


def _attachment_path(instance, filename):  # pragma: no cover - the service names every file itself
    raise RuntimeError("Attachments are stored through portal.contact.services")


class ContactMessage(Case):
    CLOSED_STATUSES = CONTACT_CLOSED

    # Empty for a visitor who was not logged in.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_messages",
        verbose_name=_("organisatie"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_messages",
        verbose_name=_("verstuurd door"),
    )
    reference = models.CharField(_("referentie"), max_length=20, unique=True, null=True, editable=False)
    name = models.CharField(_("naam"), max_length=150)
    email = models.EmailField(_("e-mailadres"), max_length=254)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    subject = models.CharField(_("onderwerp"), max_length=150)
    message = models.TextField(_("bericht"), max_length=5000)
    attachment = models.FileField(_("bijlage"), upload_to=_attachment_path, max_length=200, blank=True)
    attachment_name = models.CharField(_("bestandsnaam"), max_length=200, blank=True)
    attachment_type = models.CharField(_("soort bestand"), max_length=50, blank=True)
    attachment_size = models.PositiveIntegerField(_("grootte"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ContactStatus.choices, default=ContactStatus.NEW)
    assigned_to = handler_field("assigned_contact_messages")
    created_at = models.DateTimeField(_("verstuurd op"), auto_now_add=True)
    closed_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)

    objects = ContactMessageQuerySet.as_manager()

    class Meta:
        db_table = "support_contactmessage"  # the table it had in the app "support", which it left
        verbose_name = _("contactbericht")
        verbose_name_plural = _("contactberichten")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ContactStatus.values), name="contact_message_status_valid"),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(status__in=CONTACT_CLOSED),
                name="contact_message_closed_only_when_done",
            ),
            # A message of an organization always names who sent it.
            models.CheckConstraint(
                condition=models.Q(organization__isnull=True) | models.Q(created_by__isnull=False),
                name="contact_message_organization_has_sender",
            ),
            # An attachment is stored with its name, type and size, or not at all.
            models.CheckConstraint(
                condition=models.Q(attachment="", attachment_name="", attachment_type="", attachment_size__isnull=True)
                | (
                    ~models.Q(attachment="")
                    & ~models.Q(attachment_name="")
                    & ~models.Q(attachment_type="")
                    & models.Q(attachment_size__isnull=False)
                ),
                name="contact_message_attachment_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="contact_message_user_time"),
            models.Index(fields=["status", "-created_at"], name="contact_message_status_time"),
        ]

    def __str__(self):
        return self.reference or f"{REFERENCE_PREFIX}-?"

    @property
    def is_anonymous(self):
        return self.created_by_id is None


class ContactReply(CaseMessage):
    """One message in the thread after the first: a reply from customer service, or a
    follow-up from a logged-in sender."""

    contact_message = models.ForeignKey(
        ContactMessage, on_delete=models.CASCADE, related_name="replies", verbose_name=_("contactbericht")
    )

    class Meta:
        db_table = "support_contactreply"  # the table it had in the app "support", which it left
        verbose_name = _("reactie op contactbericht")
        verbose_name_plural = _("reacties op contactberichten")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["contact_message", "created_at"], name="contact_reply_thread")]
