"""Every change to a service request.

Each service takes keyword-only arguments including the acting user, runs in one
transaction, records an audit event for a new request and for every status change,
and mails after the commit: the requester hears of every change made by customer
service, customer service of every change made by the customer.

Attachments are written to storage inside the transaction; if it rolls back, the files
written so far are removed again, so no file is left without its row (and no row
without its file).
"""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.staff import can_handle_service_requests
from portal.casework.services import CaseKind, case_assign, case_customer_message, case_reply, case_status_set
from portal.core.errors import RuleError
from portal.core.mail import mail_render, mail_send
from portal.core.references import next_reference
from portal.core.scoping import membership_of
from portal.core.uploads import CheckedFile, check_files, files_removed_on_failure, stored_name
from portal.locations.models import Location
from portal.organizations.permissions import can_use_portal

from . import permissions
from .models import (
    FINISHED_STATUSES,
    TRANSITIONS,
    ServiceAttachment,
    ServiceMessage,
    ServiceRequest,
    Status,
    transition_allowed,
)

REFERENCE_PREFIX = "SA"


class ServiceRuleError(RuleError):
    """A rule of service requests refused the action."""

    MESSAGES = {
        "no_portal_right": _("Je account mag geen serviceaanvragen indienen."),
        "location_not_linked": _("Je kunt alleen een serviceaanvraag indienen voor een locatie die aan je account is gekoppeld."),
        "department_mismatch": _("Deze afdeling hoort niet bij de gekozen locatie."),
        "not_visible": _("Deze serviceaanvraag bestaat niet of je kunt hem niet (meer) zien."),
        "request_finished": _("Deze serviceaanvraag is afgerond. Heropen hem als je er nog iets over wilt sturen."),
        "close_not_allowed": _(
            "Alleen wie de aanvraag indiende, een administrator of een locatiebeheerder van de locatie kan deze serviceaanvraag sluiten."
        ),
        "reopen_not_allowed": _(
            "Alleen wie de aanvraag indiende, een administrator of een locatiebeheerder van de locatie kan deze serviceaanvraag heropenen."
        ),
        "reopen_expired": _(
            "Deze serviceaanvraag is langer dan %(days)d dagen geleden afgerond en kan niet meer worden heropend. "
            "Dien een nieuwe serviceaanvraag in."
        ),
        "status_transition": _("Deze statuswijziging is niet mogelijk."),
        "not_staff": _("Alleen de klantenservice van HartingBank kan dit doen."),
        "assignee_not_staff": _("Een serviceaanvraag kan alleen worden toegewezen aan iemand van de online klantenservice."),
        "message_required": _("Schrijf een bericht."),
    }


# --- helpers ------------------------------------------------------------------------------


def _site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def customer_url(service_request):
    return _site_url(reverse("service:detail", args=[service_request.pk]))


def staff_url(service_request):
    """The request in the back office, linked from the mails to customer service."""
    return _site_url(reverse("backoffice:service_request_detail", args=[service_request.pk]))


def _send(template, to, service_request, **context):
    subject, body = mail_render(
        f"service/email/{template}",
        {
            "service_request": service_request,
            "customer_service_email": settings.CUSTOMER_SERVICE_EMAIL,
            "reopen_days": permissions.REOPEN_DAYS,
            **context,
        },
    )
    mail_send(to=to, subject=subject, body=body)


def _mail_requester(template, service_request, **context):
    requester = service_request.created_by
    if not requester.email or not requester.is_active:  # a deleted or deactivated account
        return
    _send(template, requester.email, service_request, user=requester, url=customer_url(service_request), **context)


def _mail_customer_service(template, service_request, **context):
    """Only what customer service needs to find it: reference, organization, location,
    subject and a link; no description, message text or attachment."""
    _send(template, settings.CUSTOMER_SERVICE_EMAIL, service_request, url=staff_url(service_request), **context)


def _refuse_unless_visible(actor, service_request):
    if not ServiceRequest.objects.visible_to(actor).filter(pk=service_request.pk).exists():
        raise ServiceRuleError("not_visible")


# --- attachments ----------------------------------------------------------------------------


def _checked(files):
    """Files as ``CheckedFile``: what a form checked already is taken as it is; if any
    file comes unchecked, all are checked here (raises ``ValidationError``)."""
    files = [f for f in (files or ()) if f]
    if all(isinstance(f, CheckedFile) for f in files) and len(files) <= settings.ATTACHMENT_MAX_FILES:
        return files
    return check_files([f.file if isinstance(f, CheckedFile) else f for f in files])


def _store_attachments(service_request, message, files, written):
    folder = f"service/{timezone.localdate():%Y/%m}"
    rows = []
    for checked in files:
        name = default_storage.save(stored_name(folder, checked.extension), checked.file)
        written.append(name)
        rows.append(
            ServiceAttachment(
                request=service_request,
                message=message,
                file=name,
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
            )
        )
    return ServiceAttachment.objects.bulk_create(rows)


# --- the customer ---------------------------------------------------------------------------


def _refuse_unlinked(actor, location, department):
    membership = membership_of(actor)
    if membership is None or not can_use_portal(actor):
        raise ServiceRuleError("no_portal_right")
    if not Location.objects.offered_to(membership).filter(pk=location.pk).exists():
        raise ServiceRuleError("location_not_linked")
    if department.location_id != location.pk or department.is_archived:
        raise ServiceRuleError("department_mismatch")
    return membership


def service_request_create(
    *, actor, location, department, category, subject, description, files=(), request=None, requester=None
):
    """A new request for a location linked to the actor's account (an administrator too
    files for a location they work for). ``requester``: the account it is filed for,
    when that is not the actor (an API key filing for the account it names): their
    right and locations count and the request is theirs, the audit trail names the
    actor."""
    requester = requester or actor
    membership = _refuse_unlinked(requester, location, department)
    files = _checked(files)
    with files_removed_on_failure() as written, transaction.atomic():
        service_request = ServiceRequest.objects.create(
            organization_id=membership.organization_id,
            location=location,
            department=department,
            created_by=requester,
            reference=next_reference(REFERENCE_PREFIX),
            category=category,
            subject=subject,
            description=description,
            status=Status.NEW,
        )
        _store_attachments(service_request, None, files, written)
        KIND.audit("service_request_created", actor=actor, case=service_request, request=request, status=[None, Status.NEW])
        _mail_requester("created", service_request)
        _mail_customer_service("created_for_customer_service", service_request)
    return service_request


def service_request_message_add(*, actor, service_request, body, files=(), request=None):
    """A message from the customer. An answer to a request that waits for the customer
    puts it back "in behandeling"."""
    files = _checked(files)
    with files_removed_on_failure() as written:
        return case_customer_message(
            KIND,
            actor=actor,
            case=service_request,
            body=body,
            request=request,
            attach=lambda message: _store_attachments(service_request, message, files, written),
            may_write=permissions.can_add_message,
        )


def service_request_close(*, actor, service_request, request=None):
    """Closed by the requester or an administrator (also a resolved request, to confirm)."""
    with transaction.atomic():
        KIND.lock(service_request)
        _refuse_unless_visible(actor, service_request)
        if not permissions.can_close(actor, service_request):
            if not transition_allowed(service_request.status, Status.CLOSED):
                raise ServiceRuleError("status_transition")
            raise ServiceRuleError("close_not_allowed")
        KIND.move(service_request, Status.CLOSED, actor=actor, action="service_request_closed", request=request)
        _mail_customer_service("closed_by_customer", service_request, actor=actor)
        if actor.pk != service_request.created_by_id:
            _mail_requester("status_changed", service_request, actor_is_customer=True)
    return service_request


def service_request_reopen(*, actor, service_request, request=None):
    """Reopened by the requester or an administrator, within ``REOPEN_DAYS`` of being
    resolved or closed; it goes back to "in behandeling"."""
    with transaction.atomic():
        KIND.lock(service_request)
        _refuse_unless_visible(actor, service_request)
        if not permissions.can_reopen(actor, service_request):
            if service_request.status not in FINISHED_STATUSES:
                raise ServiceRuleError("status_transition")
            if not permissions.reopen_window_open(service_request):
                raise ServiceRuleError("reopen_expired", days=permissions.REOPEN_DAYS)
            raise ServiceRuleError("reopen_not_allowed")
        KIND.move(service_request, permissions.REOPENED_STATUS, actor=actor, action="service_request_reopened", request=request)
        _mail_customer_service("reopened_by_customer", service_request, actor=actor)
        if actor.pk != service_request.created_by_id:
            _mail_requester("status_changed", service_request, actor_is_customer=True)
    return service_request


# --- HartingBank's customer service ---------------------------------------------------------


def service_request_reply(*, actor, service_request, body, status=None, files=(), request=None):
    """A message from customer service, optionally with a status change (any change
    TRANSITIONS allows, also of a finished request); a reply to a new request moves it
    "in behandeling". The requester gets one mail about both."""
    KIND.require_staff(actor)
    files = _checked(files)
    with files_removed_on_failure() as written:
        return case_reply(
            KIND,
            actor=actor,
            case=service_request,
            body=body,
            status=status or None,
            request=request,
            attach=lambda message: _store_attachments(service_request, message, files, written),
        )


def service_request_status_set(*, actor, service_request, status, request=None):
    """Customer service changes the status (any change TRANSITIONS allows); the
    requester is told. True when it changed, False when it already was so."""
    return case_status_set(KIND, actor=actor, case=service_request, status=status, request=request)


def service_request_assign(*, actor, service_request, assignee, request=None):
    """Who at customer service handles it (None: nobody yet). Internal: no mail. True
    when the handler changed."""
    return case_assign(KIND, actor=actor, case=service_request, assignee=assignee, request=request)


# --- the kind, for casework -----------------------------------------------------------------

_REQUESTER_TEMPLATES = {"reply": "reply", "status": "status_changed"}


def _notify_requester(service_request, event, **context):
    _mail_requester(_REQUESTER_TEMPLATES[event], service_request)


def _notify_customer_service(service_request, event, **context):
    _mail_customer_service(event, service_request)


KIND = CaseKind(
    model=ServiceRequest,
    message_model=ServiceMessage,
    case_field="request",
    error=ServiceRuleError,
    may_handle=can_handle_service_requests,
    transitions=TRANSITIONS,
    staff_statuses=tuple(Status),
    audit_prefix="service_request",
    audit_reference_key="reference",
    status_action=lambda status: "service_request_status_changed",
    reply_moves={Status.NEW: Status.IN_PROGRESS},
    notify_requester=_notify_requester,
    notify_customer_service=_notify_customer_service,
    staff_reply_when_closed=True,  # a reply may reopen a finished request
    customer_answer_moves={Status.WAITING_FOR_CUSTOMER: Status.IN_PROGRESS},
    codes={"transition": "status_transition", "closed": "request_finished"},
)
