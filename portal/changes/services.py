"""Change requests: every change, in one transaction, with an audit event and mail
after the commit.

Customers file a request, add messages and withdraw a request that is still new.
Customer service (staff) replies, sets the status and assigns a handler; these are
used by the back office and the demo data. Which status may follow which is decided
here only, in ``TRANSITIONS``.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.accounts.staff import can_handle_change_requests
from portal.casework.services import CaseKind, case_assign, case_customer_message, case_reply, case_status_set
from portal.core.errors import RuleError
from portal.core.mail import mail_render, mail_send
from portal.core.references import next_reference
from portal.core.scoping import membership_of
from portal.locations.models import Location
from portal.organizations.services import PERSONAL_FIELDS, account_locations_set, account_personal_data_apply

from . import permissions
from .models import LOCATION_KINDS, REFERENCE_PREFIX, ChangeRequest, ChangeRequestMessage, Kind, Status

TRANSITIONS = {
    Status.NEW: {Status.IN_PROGRESS, Status.DONE, Status.REJECTED, Status.WITHDRAWN},
    Status.IN_PROGRESS: {Status.DONE, Status.REJECTED},
    Status.DONE: set(),
    Status.REJECTED: set(),
    Status.WITHDRAWN: set(),
}
# The statuses customer service sets; withdrawing is the requester's.
STAFF_STATUSES = (Status.IN_PROGRESS, Status.DONE, Status.REJECTED)


class ChangeRequestError(RuleError):
    """A rule of change requests refused the action."""

    MESSAGES = {
        "not_customer": _("Alleen een account van een klant kan een wijziging doorgeven."),
        "kind_invalid": _("Kies wat je wilt laten wijzigen."),
        "description_required": _("Schrijf wat er moet veranderen."),
        "location_required": _("Kies de locatie waar de wijziging over gaat."),
        "location_not_visible": _("Je kunt alleen een wijziging doorgeven voor een locatie die je in Mijn HartingBank ziet."),
        "department_not_of_location": _("Deze afdeling hoort niet bij de gekozen locatie."),
        "not_visible": _("Dit wijzigingsverzoek bestaat niet of je kunt het niet zien."),
        "closed": _("Dit wijzigingsverzoek is gesloten. Geef zo nodig een nieuwe wijziging door."),
        "message_required": _("Schrijf een bericht."),
        "not_requester": _("Alleen wie het verzoek heeft ingediend, kan het intrekken."),
        "not_withdrawable": _(
            "Een verzoek kan alleen worden ingetrokken zolang de klantenservice het nog niet in behandeling heeft."
        ),
        "not_staff": _("Alleen de online klantenservice van HartingBank kan dit doen."),
        "transition_not_allowed": _("Deze statuswijziging is niet mogelijk."),
        "assignee_not_staff": _("Een verzoek kan alleen worden toegewezen aan iemand van de online klantenservice."),
        "not_carried_out_here": _(
            "Dit verzoek wordt niet hier uitgevoerd: pas de gegevens aan en zet het verzoek op afgehandeld."
        ),
        "proposed_required": _("Vul in wat je gegevens moeten worden, of schrijf wat er moet veranderen."),
        "proposed_invalid": _("Alleen naam, e-mailadres, telefoonnummer en functie kunnen zo worden gewijzigd."),
        "nothing_to_apply": _("In dit verzoek staan geen gegevens om door te voeren: pas ze zo nodig zelf aan."),
        "not_allowed_to_apply": _("Alleen een administrator van de organisatie of de online klantenservice kan dit doorvoeren."),
        "requester_gone": _("Het account van de aanvrager bestaat niet meer."),
    }


# --- helpers ------------------------------------------------------------------------------


def _site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def detail_url(change_request):
    return _site_url(reverse("changes:detail", args=[change_request.pk]))


def staff_url(change_request):
    """The back office's page of the request, linked from the mails to customer service."""
    return _site_url(reverse("backoffice:change_request_detail", args=[change_request.pk]))


def _send(template, to, change_request, **context):
    if not to:  # a deleted account has no address left
        return
    subject, body = mail_render(
        f"changes/email/{template}",
        {
            "change_request": change_request,
            "customer_service_email": settings.CUSTOMER_SERVICE_EMAIL,
            **context,
        },
    )
    mail_send(to=to, subject=subject, body=body)


def _to_requester(template, change_request, **context):
    _send(template, change_request.created_by.email, change_request, url=detail_url(change_request), **context)


def _to_customer_service(template, change_request, **context):
    _send(template, settings.CUSTOMER_SERVICE_EMAIL, change_request, url=staff_url(change_request), **context)


def _check_location(actor, kind, location, department):
    if department is not None and location is None:
        location = department.location
    if location is not None and not Location.objects.visible_to(actor).filter(pk=location.pk).exists():
        raise ChangeRequestError("location_not_visible")
    if department is not None and department.location_id != location.pk:
        raise ChangeRequestError("department_not_of_location")
    if kind in LOCATION_KINDS and location is None:
        raise ChangeRequestError("location_required")
    return location


# --- customers ----------------------------------------------------------------------------


@transaction.atomic
def change_request_create(*, actor, kind, description, location=None, department=None, proposed=None, request=None):
    """File a request for the actor's organization; the requester gets a confirmation
    and customer service a notification. ``proposed``: for a change of one's personal
    data, the new values (see ``ChangeRequest.proposed``)."""
    membership = membership_of(actor)
    if membership is None:
        raise ChangeRequestError("not_customer")
    if kind not in Kind.values:
        raise ChangeRequestError("kind_invalid")
    proposed = dict(proposed or {})
    if proposed and (kind != Kind.PERSONAL_DATA or set(proposed) - set(PERSONAL_FIELDS)):
        raise ChangeRequestError("proposed_invalid")
    description = (description or "").strip()
    if not description and not proposed:
        raise ChangeRequestError("proposed_required" if kind == Kind.PERSONAL_DATA else "description_required")
    location = _check_location(actor, kind, location, department)
    change_request = ChangeRequest.objects.create(
        reference=next_reference(REFERENCE_PREFIX),
        organization=membership.organization,
        created_by=actor,
        kind=kind,
        location=location,
        department=department,
        description=description,
        proposed=proposed,
    )
    KIND.audit("change_request_created", actor=actor, case=change_request, request=request)
    _to_requester("created", change_request)
    _to_customer_service("new", change_request)
    return change_request


def change_request_message_add(*, actor, change_request, body, request=None):
    """A message from the requester or an administrator of the organization, while
    the request is open; customer service is told."""
    return case_customer_message(
        KIND, actor=actor, case=change_request, body=body, request=request, may_write=permissions.can_add_change_message
    )


@transaction.atomic
def change_request_withdraw(*, actor, change_request, request=None):
    """The requester takes back a request that customer service has not started on.
    It stays on record, with the status "ingetrokken"."""
    KIND.lock(change_request)
    if not permissions.can_withdraw(actor, change_request):
        if change_request.created_by_id != actor.pk or membership_of(actor) is None:
            raise ChangeRequestError("not_requester")
        raise ChangeRequestError("not_withdrawable")
    KIND.move(change_request, Status.WITHDRAWN, actor=actor, request=request)
    _to_customer_service("withdrawn", change_request)


# --- customer service -------------------------------------------------------------------------


def change_request_reply(*, actor, change_request, body, status=None, request=None):
    """A reply from customer service, optionally with a new status. A reply to a new
    request without a status puts it in progress. The requester gets one mail."""
    return case_reply(KIND, actor=actor, case=change_request, body=body, status=status, request=request)


def change_request_status_set(*, actor, change_request, status, request=None):
    """Set the status (in behandeling, afgehandeld, afgewezen); the requester is told.
    True when it changed, False when the request already had that status."""
    return case_status_set(KIND, actor=actor, case=change_request, status=status, request=request)


def change_request_assign(*, actor, change_request, assignee, request=None):
    """Give the request a handler at customer service (None: nobody). True when the
    handler changed."""
    return case_assign(KIND, actor=actor, case=change_request, assignee=assignee, request=request)


def _to_carry_out(change_request, kind, *, gone):
    """Lock an open request of ``kind`` that is carried out in one action; returns the
    requester's account and the reason for the audit trail (the request's number)."""
    KIND.lock(change_request)
    if change_request.kind != kind:
        raise ChangeRequestError("not_carried_out_here")
    if not change_request.is_open:
        raise ChangeRequestError("closed")
    membership = getattr(change_request.created_by, "membership", None)
    if membership is None:
        raise ChangeRequestError(gone)
    return membership, str(_("Wijzigingsverzoek %(reference)s") % {"reference": change_request.reference})


@transaction.atomic
def change_request_carry_out(*, actor, change_request, locations, body, request=None):
    """Carry out a request to change the requester's linked locations, in one action:
    the locations are linked (with the request as the reason in the audit trail), the
    reply goes into the thread and the request is done."""
    KIND.require_staff(actor)
    membership, reason = _to_carry_out(change_request, Kind.MY_LOCATIONS, gone="not_carried_out_here")
    account_locations_set(actor=actor, membership=membership, locations=locations, reason=reason, request=request)
    return change_request_reply(actor=actor, change_request=change_request, body=body, status=Status.DONE, request=request)


# --- a change of personal data, carried out from the request ----------------------------------


@transaction.atomic
def change_request_personal_data_apply(*, actor, change_request, body="", request=None):
    """Carry out a request to change the requester's personal data, in one action: the
    values asked for are stored through Accountbeheer's change (with the request's
    number as the reason in the audit trail; a new e-mail address waits for its owner's
    confirmation), a message goes into the thread, the request is done and the
    requester is told. Returns the changes made."""
    if not permissions.may_apply_personal_data(actor, change_request):
        raise ChangeRequestError("not_allowed_to_apply")
    membership, reason = _to_carry_out(change_request, Kind.PERSONAL_DATA, gone="requester_gone")
    if not permissions.can_apply_personal_data(actor, change_request):
        raise ChangeRequestError("nothing_to_apply")  # the only condition _to_carry_out left
    changes = account_personal_data_apply(
        actor=actor, membership=membership, data=change_request.proposed, reason=reason, request=request
    )
    from_staff = can_handle_change_requests(actor)
    body = (body or "").strip() or str(
        _("De gevraagde wijziging is doorgevoerd.")
        if "email_pending" not in changes
        else _(
            "De gevraagde wijziging is doorgevoerd. Het nieuwe e-mailadres gaat in zodra je het bevestigt met de link die we ernaartoe hebben gestuurd."
        )
    )
    KIND.add_message(change_request, author=actor, from_staff=from_staff, body=body)
    KIND.move(change_request, Status.DONE, actor=actor, request=request, action="change_request_applied")
    _to_requester("applied", change_request, by_staff=from_staff)
    return changes


# --- the kind, for casework -----------------------------------------------------------------


def _notify_requester(change_request, event, *, status_changed=False, **context):
    if event == "reply":
        _to_requester("reply", change_request, status_changed=status_changed)
    else:
        _to_requester("status", change_request)


def _notify_customer_service(change_request, event, **context):
    _to_customer_service(event, change_request)


KIND = CaseKind(
    model=ChangeRequest,
    message_model=ChangeRequestMessage,
    case_field="change_request",
    error=ChangeRequestError,
    may_handle=can_handle_change_requests,
    transitions=TRANSITIONS,
    staff_statuses=STAFF_STATUSES,
    audit_prefix="change_request",
    audit_reference_key="change_request",
    # change_request_in_progress, _done, _rejected, _withdrawn: the action names the new status.
    status_action=lambda status: f"change_request_{status}",
    reply_moves={Status.NEW: Status.IN_PROGRESS},
    notify_requester=_notify_requester,
    notify_customer_service=_notify_customer_service,
    reply_action="change_request_reply",
    customer_message_action="change_request_message",
    codes={"transition": "transition_not_allowed"},
)
