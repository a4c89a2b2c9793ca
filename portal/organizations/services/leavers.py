"""Uit dienst per: the date someone leaves the organization, set by its administrator,
and the daily job that deactivates such an account on that date.

The job deactivates through ``account_deactivate`` (sessions end, audited, the
last-administrator rule holds) and mails the other administrators what the leaver leaves
to hand over (``handover.open_items``). A leaver who is the organization's last active
administrator is not deactivated: the job tells them and the organization's account
manager once (audited), and tries again each day, so that the account is deactivated the
day after someone else has become administrator."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.core.audit import audit_record
from portal.core.mail import site_url

from ..handover import open_items
from ..models import Membership, Status
from ..permissions import can_manage_accounts
from .lifecycle import account_deactivate
from .rules import AccountRuleError, _lock, _send

logger = logging.getLogger(__name__)

LEAVE_MAX_DAYS = 2 * 365  # a date further ahead is taken for a typing error
RECENT_DAYS = 30  # a leaver is shown as recently left this long


class LeaverRuleError(AccountRuleError):
    MESSAGES = {
        **AccountRuleError.MESSAGES,
        "leave_date_past": _(
            "Kies een datum na vandaag. Gaat iemand vandaag weg, deactiveer het account dan meteen met ‘(Tijdelijk) deactiveren’."
        ),
        "leave_date_far": _("Kies een datum binnen twee jaar."),
        "leave_not_possible": _(
            "Alleen voor een actief of gedeactiveerd account stel je een datum uit dienst in. "
            "Een uitnodiging die nog openstaat, trek je in."
        ),
        "leave_own": _("Je kunt voor je eigen account geen datum uit dienst instellen; een andere administrator kan dat wel."),
    }


def _iso(value):
    return value.isoformat() if value else None


@transaction.atomic
def account_leave_date_set(*, actor, membership, leaves_on, request=None):
    """Set the date the account's owner leaves, or clear it (``leaves_on`` None). Only an
    administrator of the organization, not for their own account. Returns whether
    anything changed."""
    if not can_manage_accounts(actor, membership.organization):
        raise LeaverRuleError("not_allowed")
    _lock(membership)
    if actor.pk == membership.user_id:
        raise LeaverRuleError("leave_own")
    if membership.status not in (Status.ACTIVE, Status.DEACTIVATED):
        raise LeaverRuleError("leave_not_possible")
    today = timezone.localdate()
    if leaves_on is not None and leaves_on <= today:
        raise LeaverRuleError("leave_date_past")
    if leaves_on is not None and leaves_on > today + timedelta(days=LEAVE_MAX_DAYS):
        raise LeaverRuleError("leave_date_far")
    old = membership.leaves_on
    if old == leaves_on:
        return False
    membership.leaves_on = leaves_on
    membership.left_at = membership.leave_blocked_at = None  # a new date is processed anew
    membership.version = F("version") + 1
    membership.save(update_fields=["leaves_on", "left_at", "leave_blocked_at", "version", "updated_at"])
    membership.refresh_from_db(fields=["version"])
    audit_record(
        "account_leave_date_set" if leaves_on else "account_leave_date_cleared",
        actor=actor,
        target=membership.user,
        request=request,
        changes={"leaves_on": [_iso(old), _iso(leaves_on)]},
    )
    return True


def recent_leavers(user):
    """The accounts of ``user``'s organization that left in the last ``RECENT_DAYS`` days,
    or whose leave date has come while they are its last administrator.

    Both have a leave date (a database constraint): saying so lets the database read the
    index of accounts with one (``membership_org_leaving``) instead of all of them."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    return (
        Membership.objects.visible_to(user)
        .filter(leaves_on__isnull=False)
        .filter(Q(left_at__gte=since) | Q(left_at__isnull=True, leave_blocked_at__isnull=False))
        .select_related("user")
        .order_by("-leaves_on", "pk")
    )


# --- the daily job -----------------------------------------------------------------------------


def process_leavers(today=None):
    """Deactivate the accounts whose leave date has come (one deactivated already stays so,
    for good). Returns (left, blocked)."""
    today = today or timezone.localdate()
    due = (
        Membership.objects.filter(leaves_on__lte=today, left_at__isnull=True, status__in=[Status.ACTIVE, Status.DEACTIVATED])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    counts = {"left": 0, "blocked": 0}
    for pk in list(due):
        try:
            outcome = _process_leaver(pk, today)
        except Exception:  # go on with the others; the log names the id only
            logger.exception("processing leaver membership %s failed", pk)
            continue
        if outcome:
            counts[outcome] += 1
    return counts["left"], counts["blocked"]


@transaction.atomic
def _process_leaver(pk, today):
    membership = Membership.objects.select_related("user", "organization").get(pk=pk)
    _lock(membership)
    if membership.left_at or membership.leaves_on is None or membership.leaves_on > today:
        return None
    if membership.effective_status == Status.DEACTIVATED:
        return _left_while_deactivated(membership)
    if membership.effective_status != Status.ACTIVE:
        return None
    reason = "uit dienst per " + membership.leaves_on.isoformat()
    try:
        account_deactivate(actor=None, membership=membership, reason=reason)
    except AccountRuleError as error:
        if error.code != "last_administrator":
            raise
        return _blocked(membership)
    membership.left_at = timezone.now()
    membership.leave_blocked_at = None
    membership.save(update_fields=["left_at", "leave_blocked_at"])
    _mail_administrators(membership)
    return "left"


def _left_while_deactivated(membership):
    """Deactivated already when the leave date came: it stays so, also when its
    deactivation had an end date, and the administrators get what it leaves to hand over."""
    changes = {"leaves_on": _iso(membership.leaves_on)}
    if membership.deactivated_until is not None:
        changes["deactivated_until"] = [membership.deactivated_until.isoformat(), None]
    membership.deactivated_until = None
    membership.left_at = timezone.now()
    membership.save(update_fields=["deactivated_until", "left_at"])
    audit_record("account_left", actor=None, target=membership.user, changes=changes)
    _mail_administrators(membership)
    return "left"


def _blocked(membership):
    """The leaver is the last active administrator: tell them and the account manager, once."""
    if membership.leave_blocked_at is None:
        membership.leave_blocked_at = timezone.now()
        membership.save(update_fields=["leave_blocked_at"])
        audit_record(
            "account_leave_blocked", actor=None, target=membership.user, changes={"leaves_on": _iso(membership.leaves_on)}
        )
        context = {"leaver": membership.user, "organization": membership.organization, "leaves_on": _date(membership.leaves_on)}
        if membership.user.email:
            url = site_url(reverse("accountbeheer:list"))
            _send("leaver_blocked", membership.user.email, {**context, "recipient": membership.user, "url": url})
        manager = membership.organization.account_manager
        if manager is not None and manager.is_active and manager.email:
            _send("leaver_blocked", manager.email, {**context, "recipient": manager, "for_staff": True})
    return "blocked"


def _date(value):
    return date_format(value, "j F Y")


def administrators_of(organization_id, exclude=None):
    """The active administrators of an organization who can be mailed."""
    administrators = (
        Membership.objects.active_administrators(organization_id)
        .filter(user__email__isnull=False)
        .select_related("user")
        .order_by("pk")
    )
    return [m for m in administrators if m.pk != exclude]


def _mail_administrators(membership):
    groups = open_items(membership)
    context = {
        "leaver": membership.user,
        "leaves_on": _date(membership.leaves_on),
        "groups": groups,
        "url": site_url(reverse("accountbeheer:handover", args=[membership.pk])),
    }
    for administrator in administrators_of(membership.organization_id, exclude=membership.pk):
        _send("leaver_deactivated", administrator.user.email, {**context, "recipient": administrator.user})
