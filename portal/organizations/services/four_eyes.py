"""Vier ogen: an organization can have two of its administrators agree before someone
becomes administrator or may order more without approval.

With the setting on (Accountbeheer → Beveiliging), a change of an account that makes it
administrator, or that raises its order limit to above the organization's amount (no
limit counts as the highest, and a right to order newly given counts as a raise from
nothing), does not take effect: ``account_update`` applies the rest of the change at once
and holds that part back as a ``PendingAccountChange``, asked against the account's
version. Every other active administrator is mailed; one of them (never the one who
asked) approves it, which applies it through ``account_update`` with the approver as
actor, or refuses it; the one who asked or any administrator withdraws it. Once the
account has changed since, approving is refused.

The rules where the issue leaves a choice:
- The setting goes on only with at least two active administrators; a change that needs
  a second administrator while there is none besides the one asking is refused whole.
  HartingBank's staff never approve: four eyes are the customer's own.
- Turning the setting off needs no second administrator (the one left alone must be able
  to), but it is audited and mailed to the other active administrators.
- An invitation cannot wait for a second administrator (there is no account yet to ask
  against): with the setting on, inviting someone as administrator or with such a limit is
  refused with a message to invite with less and change the account afterwards. HartingBank's
  account manager inviting an administrator keeps its own safeguard (a reason, and the
  administrators told at once).
- The API is refused (409, ``four_eyes_required``) instead of leaving a change waiting that
  an integration would not follow; SCIM never sets a role or a limit.
- A change nobody decides on does not wait for ever: ``FOUR_EYES_REMINDER_DAYS`` after it
  was asked the administrators who can approve it are reminded once, and after
  ``FOUR_EYES_EXPIRY_DAYS`` it expires (nothing changes; the one who asked is told, and may
  ask again). A daily job (``process_four_eyes``) does both.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.staff import is_staff_member
from portal.core.audit import audit_record
from portal.core.mail import site_url
from portal.core.money import money
from portal.locations.models import Location

from ..models import Membership, PendingAccountChange, Role, Status
from ..permissions import can_manage_accounts
from .rules import MEMBERSHIP_FIELDS, PERSONAL_FIELDS, AccountRuleError, _amount, _lock_organization, _send

# What a change may hold back; ``account_update`` takes one of these as ``four_eyes``.
WAIT, REFUSE, APPROVED = "wait", "refuse", "approved"
FIELDS = ("role", "may_order", "order_limit")


class FourEyesError(AccountRuleError):
    MESSAGES = {
        **AccountRuleError.MESSAGES,
        "four_eyes_amount_required": _("Vul in boven welke bestellimiet een tweede administrator moet goedkeuren."),
        "four_eyes_one_administrator": _(
            "Vier ogen kan pas aan als je organisatie ten minste twee actieve administrators heeft: een "
            "wijziging moet door een ander worden goedgekeurd. Maak eerst iemand anders administrator."
        ),
        "four_eyes_no_second": _(
            "Voor deze wijziging is de goedkeuring van een tweede administrator nodig (vier ogen), maar er is "
            "geen andere actieve administrator die dat kan doen. Er is niets opgeslagen. Zet vier ogen uit onder "
            "Beveiliging of laat eerst een tweede administrator actief worden."
        ),
        "four_eyes_pending_exists": _(
            "Voor dit account wacht al een wijziging op een tweede administrator. Laat die eerst goedkeuren of "
            "afwijzen, of trek hem in; daarna kun je een nieuwe wijziging aanvragen. Er is niets opgeslagen."
        ),
        "four_eyes_own": _(
            "Je kunt je eigen aanvraag niet goedkeuren of afwijzen: dat doet een andere administrator. Intrekken kan wel."
        ),
        "four_eyes_subject": _(
            "Je kunt een wijziging van je eigen account niet goedkeuren of afwijzen: dat doet een andere administrator."
        ),
        "four_eyes_stale": _(
            "Het account is gewijzigd nadat deze wijziging werd aangevraagd. Goedkeuren kan daarom niet meer: "
            "de aanvraag ging uit van gegevens die niet meer kloppen. Wijs hem af of trek hem in, en vraag de "
            "wijziging zo nodig opnieuw aan."
        ),
        "four_eyes_closed": _("Over deze wijziging is al beslist, of hij is ingetrokken."),
        "four_eyes_required": _(
            "Voor deze wijziging is de goedkeuring van een tweede administrator nodig (vier ogen). Vraag hem aan "
            "in Accountbeheer; daar keurt een andere administrator hem goed. Er is niets gewijzigd."
        ),
        "four_eyes_invite": _(
            "Je organisatie gebruikt vier ogen: je nodigt niemand meteen uit als administrator of met een "
            "bestellimiet boven %(amount)s (of zonder limiet). Nodig uit als medewerker of met een lagere limiet "
            "en wijzig het account daarna; een andere administrator keurt die wijziging dan goed."
        ),
    }


# --- what needs a second administrator -----------------------------------------------------------


def _reach(may_order, order_limit):
    """How far someone may order without approval, comparable: nothing, up to an amount, anything."""
    if not may_order:
        return (0, Decimal(0))
    return (2, Decimal(0)) if order_limit is None else (1, order_limit)


def needs_second_administrator(organization, before, after):
    """The fields of ``after`` (role, may_order, order_limit) that wait for a second
    administrator when the account has ``before``: {field: value}, empty if none."""
    if not organization.four_eyes:
        return {}
    held = {}
    if after["role"] == Role.ADMINISTRATOR and before["role"] != Role.ADMINISTRATOR:
        held["role"] = Role.ADMINISTRATOR
    new = _reach(after["may_order"], after["order_limit"])
    if new > (1, organization.four_eyes_amount) and new > _reach(before["may_order"], before["order_limit"]):
        held["may_order"], held["order_limit"] = after["may_order"], after["order_limit"]
    return held


def _approvers(organization_id, exclude_user_id):
    """The active administrators who could approve what ``exclude_user_id`` asked."""
    return (
        Membership.objects.active_administrators(organization_id)
        .exclude(user_id=exclude_user_id)
        .select_related("user")
        .order_by("pk")
    )


def four_eyes_hold(*, actor, membership, organization, data, rights, mode=WAIT):
    """Part of ``account_update`` (the organization locked, the rules of the whole change
    checked): hold back what needs a second administrator. Returns ``(data, rights,
    held)``, the first two without the held fields. ``mode``: WAIT, REFUSE (refused as a
    whole, for the API) or APPROVED (applying an approved change)."""
    if mode == APPROVED or actor is None or not organization.four_eyes or not set(rights) & set(FIELDS):
        return data, rights, {}
    before = {field: getattr(membership, field) for field in FIELDS}
    after = {**before, **{field: new for field, (_old, new) in rights.items() if field in FIELDS}}
    held = needs_second_administrator(organization, before, after)
    if not held:
        return data, rights, {}
    if mode == REFUSE:
        raise FourEyesError("four_eyes_required")
    if membership.pending_changes.filter(status=PendingAccountChange.Status.PENDING).exists():
        raise FourEyesError("four_eyes_pending_exists")
    if is_staff_member(actor) or not _approvers(organization.pk, actor.pk).exists():
        raise FourEyesError("four_eyes_no_second")
    data = {**data, **{field: before[field] for field in held}}
    rights = {field: change for field, change in rights.items() if field not in held}
    return data, rights, held


def refuse_invitation(*, actor, organization, role, may_order, order_limit):
    """Part of ``account_invite``: with four eyes on, an administrator cannot invite
    someone with what would need a second administrator (HartingBank's staff can)."""
    if actor is None or is_staff_member(actor):
        return
    nothing = {"role": Role.EMPLOYEE, "may_order": False, "order_limit": None}
    if needs_second_administrator(organization, nothing, {"role": role, "may_order": may_order, "order_limit": order_limit}):
        raise FourEyesError("four_eyes_invite", amount=money(organization.four_eyes_amount))


# --- the pending change --------------------------------------------------------------------------


def _stored(values):
    return {field: _amount(value) if field == "order_limit" else value for field, value in values.items()}


def _loaded(values):
    return {
        field: (None if value is None else Decimal(value)) if field == "order_limit" else value for field, value in values.items()
    }


def _trail(membership, values):
    """The held fields as the audit trail stores a change: {field: [now, asked]}."""
    changes = {}
    for field, value in values.items():
        old = getattr(membership, field)
        if old != value:
            changes[field] = [_amount(old), _amount(value)] if field == "order_limit" else [old, value]
    return changes


def four_eyes_request(*, actor, membership, held, request=None):
    """Part of ``account_update``: record what waits, audit it and mail the administrators
    who can approve it. Returns the pending change."""
    pending = PendingAccountChange.objects.create(
        organization_id=membership.organization_id, membership=membership, requested_by=actor,
        values=_stored(held), version=membership.version,
    )  # fmt: skip
    audit_record(
        "four_eyes_requested", actor=actor, target=membership.user, request=request,
        changes={**_trail(membership, held), "four_eyes_request": pending.pk},
    )  # fmt: skip
    _mail_approvers(pending, "four_eyes_requested")
    return pending


def _mail_approvers(pending, template):
    """Mail the administrators who can approve ``pending`` (not the one who asked)."""
    membership = pending.membership
    context = {
        "account": membership.user, "requester": pending.requested_by, "lines": described(pending),
        "url": site_url(reverse("accountbeheer:four_eyes")), "expires_at": pending.expires_at,
    }  # fmt: skip
    approvers = _approvers(membership.organization_id, pending.requested_by_id).filter(user__email__isnull=False)
    for administrator in approvers.exclude(user_id=membership.user_id):
        _send(template, administrator.user.email, {**context, "recipient": administrator.user})


def described(pending):
    """[(label, now, asked)] of a pending change, as a person reads it."""
    values = _loaded(pending.values)
    membership = pending.membership
    lines = []
    if "role" in values:
        lines.append((_("Rol"), Role(membership.role).label, Role(values["role"]).label))
    if "order_limit" in values:

        def reach(may_order, limit):
            if not may_order:
                return _("mag niet bestellen")
            return _("geen limiet") if limit is None else money(limit)

        lines.append((
            _("Bestellen zonder goedkeuring tot"),
            reach(membership.may_order, membership.order_limit), reach(values["may_order"], values["order_limit"]),
        ))  # fmt: skip
    return [(str(label), str(now), str(asked)) for label, now, asked in lines]


def _locked(pending):
    """Lock the organization, then the change, and read both again."""
    _lock_organization(pending.organization_id)
    pending = PendingAccountChange.objects.select_for_update().select_related("membership__user").get(pk=pending.pk)
    if not pending.is_pending:
        raise FourEyesError("four_eyes_closed")
    return pending


def _decide(pending, actor, status):
    pending.status, pending.decided_by, pending.decided_at = status, actor, timezone.now()
    pending.save(update_fields=["status", "decided_by", "decided_at"])


def _refuse_unless_second_administrator(actor, pending):
    if not can_manage_accounts(actor, pending.membership.organization):
        raise FourEyesError("not_allowed")
    if actor.pk == pending.requested_by_id:
        raise FourEyesError("four_eyes_own")
    if actor.pk == pending.membership.user_id:
        raise FourEyesError("four_eyes_subject")


@transaction.atomic
def four_eyes_approve(*, actor, pending, request=None):
    """Another active administrator approves: the change is applied through
    ``account_update`` with the approver as actor (its rules hold again); the trail
    records the approval with the request's number, whose own event names who asked.
    Refused once the account has changed since it was asked. Returns the changes."""
    from .changes import account_update  # (account_update holds changes back through this module)

    pending = _locked(pending)
    _refuse_unless_second_administrator(actor, pending)
    membership = pending.membership
    if membership.version != pending.version or membership.status == Status.DELETED:
        raise FourEyesError("four_eyes_stale")
    user = membership.user
    data = {field: getattr(user, field) for field in PERSONAL_FIELDS}
    data |= {field: getattr(membership, field) for field in MEMBERSHIP_FIELDS}
    data |= _loaded(pending.values)
    _decide(pending, actor, PendingAccountChange.Status.APPROVED)
    audit_record(
        "four_eyes_approved", actor=actor, target=user, request=request,
        changes={**_trail(membership, _loaded(pending.values)), "four_eyes_request": pending.pk},
    )  # fmt: skip
    changes = account_update(
        actor=actor, membership=membership, expected_version=membership.version, data=data,
        locations=list(Location.objects.filter(links__membership=membership)), request=request, four_eyes=APPROVED,
    )  # fmt: skip
    _tell_requester(pending, "four_eyes_approved")
    return changes


@transaction.atomic
def four_eyes_refuse(*, actor, pending, request=None):
    """Another active administrator refuses: nothing changes; the one who asked is mailed."""
    pending = _locked(pending)
    _refuse_unless_second_administrator(actor, pending)
    _decide(pending, actor, PendingAccountChange.Status.REFUSED)
    audit_record(
        "four_eyes_refused", actor=actor, target=pending.membership.user, request=request,
        changes={"four_eyes_request": pending.pk},
    )  # fmt: skip
    _tell_requester(pending, "four_eyes_refused")


@transaction.atomic
def four_eyes_withdraw(*, actor, pending, request=None):
    """The one who asked, or any active administrator, withdraws the change: nothing changes."""
    pending = _locked(pending)
    if actor.pk != pending.requested_by_id and not can_manage_accounts(actor, pending.membership.organization):
        raise FourEyesError("not_allowed")
    _decide(pending, actor, PendingAccountChange.Status.WITHDRAWN)
    audit_record(
        "four_eyes_withdrawn", actor=actor, target=pending.membership.user, request=request,
        changes={"four_eyes_request": pending.pk},
    )  # fmt: skip
    if actor.pk != pending.requested_by_id:
        _tell_requester(pending, "four_eyes_withdrawn")


# --- reminders and expiry: the daily job ---------------------------------------------------------


def _waiting():
    return PendingAccountChange.objects.filter(status=PendingAccountChange.Status.PENDING)


def _still_waiting(pending, asked_before, **filters):
    """``pending``, locked and read again, if it still waits and was asked at or before
    ``asked_before``; else None."""
    return (
        _waiting().select_for_update()
        .filter(pk=pending.pk, requested_at__lte=asked_before, **filters)
        .select_related("membership__user", "requested_by").first()
    )  # fmt: skip


@transaction.atomic
def four_eyes_remind(*, pending, now=None):
    """Remind the administrators who can approve ``pending`` that it still waits, once,
    ``FOUR_EYES_REMINDER_DAYS`` after it was asked; True when sent."""
    now = now or timezone.now()
    pending = _still_waiting(pending, now - timedelta(days=settings.FOUR_EYES_REMINDER_DAYS), reminded_at__isnull=True)
    if pending is None:
        return False
    pending.reminded_at = now
    pending.save(update_fields=["reminded_at"])
    _mail_approvers(pending, "four_eyes_reminder")
    return True


@transaction.atomic
def four_eyes_expire(*, pending, now=None):
    """Close ``pending`` as expired when nobody decided within ``FOUR_EYES_EXPIRY_DAYS``:
    nothing changes; audited, and the one who asked is told. True when it expired."""
    now = now or timezone.now()
    pending = _still_waiting(pending, now - timedelta(days=settings.FOUR_EYES_EXPIRY_DAYS))
    if pending is None:
        return False
    pending.status, pending.decided_at = PendingAccountChange.Status.EXPIRED, now
    pending.save(update_fields=["status", "decided_at"])
    audit_record(
        "four_eyes_expired", target=pending.membership.user, organization=pending.organization,
        changes={"four_eyes_request": pending.pk},
    )  # fmt: skip
    _tell_requester(pending, "four_eyes_expired")
    return True


def process_four_eyes(now=None):
    """The daily job: expire what waited too long, then remind about what still waits.
    Each change in a transaction of its own, so one failure stops none of the others."""
    now = now or timezone.now()
    expired = sum(four_eyes_expire(pending=pending, now=now) for pending in _waiting().only("pk"))
    reminded = sum(four_eyes_remind(pending=pending, now=now) for pending in _waiting().only("pk"))
    return f"{expired} expired, {reminded} reminded"


def _tell_requester(pending, template):
    requester = pending.requested_by
    if requester.email and requester.is_active:
        _send(template, requester.email, {
            "recipient": requester, "account": pending.membership.user, "decided_by": pending.decided_by,
            "lines": described(pending), "url": site_url(reverse("accountbeheer:detail", args=[pending.membership_id])),
        })  # fmt: skip


# --- the setting --------------------------------------------------------------------------------


@transaction.atomic
def organization_four_eyes_set(*, actor, organization, on, amount=None, request=None):
    """Turn four eyes on (with the amount above which an order limit needs a second
    administrator) or off. Only an administrator of the organization; on only with two
    active administrators or more; off is mailed to the other administrators. Returns
    whether anything changed."""
    if not can_manage_accounts(actor, organization):
        raise FourEyesError("not_allowed")
    organization = _lock_organization(organization.pk)
    if on and (amount is None or amount < 0):
        raise FourEyesError("four_eyes_amount_required")
    if on and _approvers(organization.pk, None).count() < 2:
        raise FourEyesError("four_eyes_one_administrator")
    amount = amount if on else organization.four_eyes_amount
    if (organization.four_eyes, organization.four_eyes_amount) == (on, amount):
        return False
    was = organization.four_eyes_amount if organization.four_eyes else None
    organization.four_eyes, organization.four_eyes_amount = on, amount
    organization.save(update_fields=["four_eyes", "four_eyes_amount"])
    audit_record(
        "four_eyes_on" if on else "four_eyes_off", actor=actor, organization=organization, request=request,
        changes={"four_eyes_amount": [_amount(was), _amount(amount) if on else None]},
    )  # fmt: skip
    if not on:
        context = {"actor": actor, "organization": organization, "url": site_url(reverse("accountbeheer:security"))}
        for administrator in _approvers(organization.pk, actor.pk).filter(user__email__isnull=False):
            _send("four_eyes_off", administrator.user.email, {**context, "recipient": administrator.user})
    return True
