"""What customer service does with any case, one behaviour for every kind.

A kind (service requests, change requests, contact messages) describes itself once in
a ``CaseKind``: its models, its status table, the statuses customer service sets, its
error class, its audit codes and how it mails. Its own services (``service_request_
assign``, ``change_request_reply``, …) are thin wrappers around the functions below, so
that assigning, setting a status, replying and taking a customer's message behave the
same for every kind:

- ``case_assign`` and ``case_status_set`` answer True when they changed something and
  False when the case already was so (nothing is stored, audited or mailed then);
- a reply without a status moves a new case "in behandeling";
- every status change is audited as ``status: [old, new]``, every change of handler as
  ``assigned_to: [old, new]``;
- an empty message is refused with one code, ``message_required``.

What really differs stays with each kind: creating, withdrawing, closing and reopening,
the anonymous contact form, who may see a case.

Each function takes keyword-only arguments including the acting user, runs in one
transaction under a lock on the case's row, records an audit event and mails after
the commit (``portal.core.mail``).
"""

from dataclasses import dataclass, field
from typing import Callable

from django.db import transaction
from django.utils import timezone

from portal.core.audit import audit_record

MESSAGE_REQUIRED = "message_required"
# The codes of the refusals below, unless a kind names them otherwise (``CaseKind.codes``).
DEFAULT_CODES = {"transition": "transition_not_allowed"}


def _nobody(case, event, **context):
    return None


@dataclass(frozen=True)
class CaseKind:
    model: type  # the case (a subclass of ``casework.models.Case``)
    message_model: type  # its thread (a subclass of ``casework.models.CaseMessage``)
    case_field: str  # the thread's foreign key to the case
    error: type  # the kind's ``RuleError``; it knows the codes named here
    may_handle: Callable  # the staff rule: may this user handle cases of this kind?
    transitions: dict  # {status: {statuses that may follow}}
    staff_statuses: tuple  # the statuses customer service may set
    audit_prefix: str  # service_request → service_request_assigned
    audit_reference_key: str  # the key of the case's reference in an audit event
    status_action: Callable  # status -> the audit code of a change to it
    reply_moves: dict  # {status: status} a reply without a status moves the case to (new → in progress)
    notify_requester: Callable = _nobody  # (case, event, **context): "reply", "status"
    notify_customer_service: Callable = _nobody  # (case, event, **context): "customer_message"
    reply_action: str | None = None  # audit code of a reply itself, if the kind keeps one
    customer_message_action: str | None = None  # audit code of a customer's message
    staff_reply_when_closed: bool = False  # may customer service write in a finished case?
    customer_answer_moves: dict = field(default_factory=dict)  # {status: status} when the customer writes
    codes: dict = field(default_factory=dict)  # the kind's own names of "transition", "closed"

    # --- small helpers -----------------------------------------------------------------

    def code(self, name):
        return self.codes.get(name) or DEFAULT_CODES.get(name, name)

    def refuse(self, name, **params):
        raise self.error(self.code(name), **params)

    def audit(self, action, *, actor, case, request=None, **changes):
        audit_record(
            action,
            actor=actor,
            target=case.created_by,
            organization=case.organization,
            request=request,
            changes={self.audit_reference_key: case.reference, **changes},
        )

    def lock(self, case):
        """Lock the case's row, then read it again: what another request changed a
        moment ago is seen before this one decides anything."""
        self.model.objects.select_for_update().filter(pk=case.pk).first()
        case.refresh_from_db(fields=["status", "closed_at", "assigned_to", "updated_at"])

    def require_staff(self, actor):
        """Online customer service only (the role, not just any HartingBank account)."""
        if not self.may_handle(actor):
            self.refuse("not_staff")

    def may_follow(self, old, new) -> bool:
        return new in self.transitions.get(old, ())

    def move(self, case, status, *, actor, request=None, action=None):
        """The one place a status changes; refuses what ``transitions`` does not allow.
        Audited as [old, new] (under ``action``, or the kind's code for the new status);
        returns the old status."""
        old = case.status
        if not self.may_follow(old, status):
            self.refuse("transition")
        case.status = status
        closed = self.model.CLOSED_STATUSES
        if status not in closed:
            case.closed_at = None
        elif old not in closed:
            # From one finished status to another keeps the moment it was finished.
            case.closed_at = timezone.now()
        case.save(update_fields=["status", "closed_at", "updated_at"])
        action = action or self.status_action(status)
        self.audit(action, actor=actor, case=case, request=request, status=[old, status])
        return old

    def body(self, text):
        text = (text or "").strip()
        if not text:
            self.refuse(MESSAGE_REQUIRED)
        return text

    def add_message(self, case, *, author, from_staff, body):
        return self.message_model.objects.create(**{self.case_field: case}, author=author, from_staff=from_staff, body=body)


def _name(user):
    return (user.full_name or user.email) if user is not None else None


# --- customer service ---------------------------------------------------------------------


def case_assign(kind, *, actor, case, assignee, request=None):
    """Give the case a handler at customer service (None: nobody). Internal: no mail.
    Returns True when the handler changed."""
    kind.require_staff(actor)
    if assignee is not None and not kind.may_handle(assignee):
        kind.refuse("assignee_not_staff")
    with transaction.atomic():
        kind.lock(case)
        if case.assigned_to_id == (assignee.pk if assignee else None):
            return False
        old = _name(case.assigned_to)
        case.assigned_to = assignee
        case.save(update_fields=["assigned_to", "updated_at"])
        kind.audit(f"{kind.audit_prefix}_assigned", actor=actor, case=case, request=request, assigned_to=[old, _name(assignee)])
    return True


def case_status_set(kind, *, actor, case, status, request=None):
    """Customer service sets the status; the requester is told. Returns True when the
    status changed, False when the case already had it (no mail then)."""
    kind.require_staff(actor)
    with transaction.atomic():
        kind.lock(case)
        if status == case.status:
            return False
        if status not in kind.staff_statuses:
            kind.refuse("transition")
        kind.move(case, status, actor=actor, request=request)
        kind.notify_requester(case, "status")
    return True


def case_reply(kind, *, actor, case, body, status=None, request=None, attach=None):
    """A message from customer service, optionally with a new status; a reply to a new
    case without a status moves it "in behandeling". The requester gets one mail about
    both. ``attach(message)`` stores what comes with the message (in the transaction).
    Returns the message."""
    kind.require_staff(actor)
    body = kind.body(body)
    with transaction.atomic():
        kind.lock(case)
        if not case.is_open and not kind.staff_reply_when_closed:
            kind.refuse("closed")
        old = case.status
        if status is None:
            status = kind.reply_moves.get(old)
        changes = status is not None and status != old
        if changes and (status not in kind.staff_statuses or not kind.may_follow(old, status)):
            kind.refuse("transition")
        message = kind.add_message(case, author=actor, from_staff=True, body=body)
        if attach is not None:
            attach(message)
        if kind.reply_action:
            kind.audit(kind.reply_action, actor=actor, case=case, request=request)
        if changes:
            kind.move(case, status, actor=actor, request=request)
        else:
            case.save(update_fields=["updated_at"])
        kind.notify_requester(case, "reply", message=message, status_changed=changes)
    return message


# --- the customer ---------------------------------------------------------------------------


def case_customer_message(kind, *, actor, case, body, request=None, attach=None, may_write=None):
    """A message from the customer in the thread of a case they can see, while it is
    open (or while ``may_write(actor, case)`` says so); customer service is told. An
    answer to a case that waits for the customer moves it on
    (``kind.customer_answer_moves``). Returns the message."""
    body = kind.body(body)
    with transaction.atomic():
        kind.lock(case)
        if not kind.model.objects.visible_to(actor).filter(pk=case.pk).exists():
            kind.refuse("not_visible")
        if not (may_write(actor, case) if may_write else case.is_open):
            kind.refuse("closed")
        message = kind.add_message(case, author=actor, from_staff=False, body=body)
        if attach is not None:
            attach(message)
        if kind.customer_message_action:
            kind.audit(kind.customer_message_action, actor=actor, case=case, request=request)
        moved_to = kind.customer_answer_moves.get(case.status)
        if moved_to is not None:
            kind.move(case, moved_to, actor=actor, request=request)
        else:
            case.save(update_fields=["updated_at"])
        kind.notify_customer_service(case, "customer_message")
    return message
