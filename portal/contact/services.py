"""Contact messages: every change, in one transaction, with an audit event and mail
after the commit.

Anyone sends a message (a visitor with a name and an e-mail address, a logged-in
account with its own details); a logged-in sender follows it in the portal and adds
to it while it is open. Customer service (staff) replies, sets the status and assigns
a handler; the back office uses these. Which status may follow which is decided here
only, in ``TRANSITIONS``.

The mails to a sender never repeat what was typed into the form (only the reference,
and customer service's own replies): the form is open to anyone, and must not become
a way to send someone else a text of one's choice.
"""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.staff import can_handle_contact_messages
from portal.casework.services import CaseKind, case_assign, case_customer_message, case_reply, case_status_set
from portal.core.errors import RuleError
from portal.core.mail import mail_render, mail_send, site_url
from portal.core.references import next_reference
from portal.core.scoping import membership_of
from portal.core.uploads import CheckedFile, check_file, files_removed_on_failure, stored_name

from . import permissions
from .models import REFERENCE_PREFIX, ContactMessage, ContactReply, ContactStatus

# The back office's page of one message, linked from the mails to customer service
# once that page exists.
STAFF_DETAIL_URL_NAME = "backoffice:contact_message_detail"

TRANSITIONS = {
    ContactStatus.NEW: {ContactStatus.IN_PROGRESS, ContactStatus.DONE},
    ContactStatus.IN_PROGRESS: {ContactStatus.DONE},
    ContactStatus.DONE: {ContactStatus.IN_PROGRESS},  # taken up again
}


class ContactError(RuleError):
    """A rule of contact messages refused the action."""

    MESSAGES = {
        "name_required": _("Vul je naam in."),
        "email_required": _("Vul je e-mailadres in, zodat we je kunnen antwoorden."),
        "subject_required": _("Vul een onderwerp in."),
        "message_required": _("Schrijf je bericht."),
        "not_visible": _("Dit bericht bestaat niet of je kunt het niet zien."),
        "closed": _("Dit bericht is afgehandeld. Stuur zo nodig een nieuw bericht."),
        "not_staff": _("Alleen de online klantenservice van HartingBank kan dit doen."),
        "transition_not_allowed": _("Deze statuswijziging is niet mogelijk."),
        "assignee_not_staff": _("Een bericht kan alleen worden toegewezen aan iemand van de online klantenservice."),
    }


# --- helpers ------------------------------------------------------------------------------


def detail_url(contact_message):
    return site_url(reverse("contact:detail", args=[contact_message.pk]))


def staff_url(contact_message):
    """The back office's page of the message, or None while there is none."""
    try:
        return site_url(reverse(STAFF_DETAIL_URL_NAME, args=[contact_message.pk]))
    except NoReverseMatch:
        return None


def sender_address(contact_message):
    """Where mail to the sender goes: the account's current address for a logged-in
    sender (None once the account is deleted or deactivated), else the address typed."""
    sender = contact_message.created_by
    if sender is None:
        return contact_message.email
    return sender.email if sender.email and sender.is_active else None


def _send(template, to, contact_message, **context):
    if not to:
        return
    subject, body = mail_render(
        f"contact/email/contact_{template}",
        {"contact_message": contact_message, "customer_service_email": settings.CUSTOMER_SERVICE_EMAIL, **context},
    )
    mail_send(to=to, subject=subject, body=body)


def _to_sender(template, contact_message, **context):
    # Only a logged-in sender can read the message in the portal.
    url = None if contact_message.is_anonymous else detail_url(contact_message)
    _send(template, sender_address(contact_message), contact_message, url=url, **context)


def _to_customer_service(template, contact_message, **context):
    _send(template, settings.CUSTOMER_SERVICE_EMAIL, contact_message, url=staff_url(contact_message), **context)


def _required(value, code):
    value = (value or "").strip()
    if not value:
        raise ContactError(code)
    return value


def _store_attachment(contact_message, attachment, written):
    folder = f"contact/{timezone.localdate():%Y/%m}"
    name = default_storage.save(stored_name(folder, attachment.extension), attachment.file)
    written.append(name)
    contact_message.attachment = name
    contact_message.attachment_name = attachment.name
    contact_message.attachment_type = attachment.content_type
    contact_message.attachment_size = attachment.size


# --- the sender ----------------------------------------------------------------------------


def contact_message_create(*, actor, subject, message, name="", email="", phone="", attachment=None, request=None):
    """A message to online customer service. A logged-in sender's name and e-mail
    address are those of the account (whatever is passed); a visitor gives them. The
    sender gets a confirmation with the reference, customer service a notification.
    The attachment, if any, is checked by its content (raises ``ValidationError``)."""
    subject = _required(subject, "subject_required")
    message = _required(message, "message_required")
    if actor is not None and actor.is_authenticated:
        name, email = actor.full_name or actor.email, actor.email
        membership = membership_of(actor)
        organization = membership.organization if membership else None
        created_by = actor
    else:
        name, email = _required(name, "name_required"), _required(email, "email_required")
        organization = created_by = None
    if attachment and not isinstance(attachment, CheckedFile):
        attachment = check_file(attachment)
    with files_removed_on_failure() as written, transaction.atomic():
        contact_message = ContactMessage(
            reference=next_reference(REFERENCE_PREFIX),
            organization=organization,
            created_by=created_by,
            name=name,
            email=email,
            phone=(phone or "").strip(),
            subject=subject,
            message=message,
        )
        if attachment:
            _store_attachment(contact_message, attachment, written)
        contact_message.save()
        KIND.audit("contact_message_created", actor=actor, case=contact_message, request=request)
        _to_sender("created", contact_message)
        _to_customer_service("new", contact_message)
    return contact_message


def contact_message_follow_up(*, actor, contact_message, body, request=None):
    """A further message from the logged-in sender while the message is open;
    customer service is told."""
    return case_customer_message(
        KIND, actor=actor, case=contact_message, body=body, request=request, may_write=permissions.can_follow_up
    )


# --- customer service -------------------------------------------------------------------------


def contact_message_reply(*, actor, contact_message, body, status=None, request=None):
    """A reply from customer service, optionally with a new status; a reply to a new
    message without a status puts it in progress. The reply goes to the sender by mail
    (a visitor has no other way to read it) and shows in the portal for a logged-in
    sender."""
    return case_reply(KIND, actor=actor, case=contact_message, body=body, status=status, request=request)


def contact_message_status_set(*, actor, contact_message, status, request=None):
    """Set the status (in behandeling, afgehandeld); the sender is told. True when it
    changed, False when the message already had that status."""
    return case_status_set(KIND, actor=actor, case=contact_message, status=status, request=request)


def contact_message_assign(*, actor, contact_message, assignee, request=None):
    """Give the message a handler at customer service (None: nobody). True when the
    handler changed."""
    return case_assign(KIND, actor=actor, case=contact_message, assignee=assignee, request=request)


# --- the kind, for casework -----------------------------------------------------------------


def _notify_requester(contact_message, event, *, message=None, status_changed=False, **context):
    if event == "reply":
        _to_sender("reply", contact_message, reply=message, status_changed=status_changed)
    else:
        _to_sender("status", contact_message)


def _notify_customer_service(contact_message, event, **context):
    _to_customer_service("follow_up", contact_message)


KIND = CaseKind(
    model=ContactMessage,
    message_model=ContactReply,
    case_field="contact_message",
    error=ContactError,
    may_handle=can_handle_contact_messages,
    transitions=TRANSITIONS,
    staff_statuses=tuple(ContactStatus),
    audit_prefix="contact_message",
    audit_reference_key="contact_message",
    # contact_message_in_progress or _done: the action names the new status.
    status_action=lambda status: f"contact_message_{status}",
    reply_moves={ContactStatus.NEW: ContactStatus.IN_PROGRESS},
    notify_requester=_notify_requester,
    notify_customer_service=_notify_customer_service,
    reply_action="contact_message_reply",
    customer_message_action="contact_message_follow_up",
)
