"""Dormant accounts: an organization's administrator sets after how many days without a
login an account counts as unused (``Organization.dormancy_days``; empty: off), and
how long its owner then has to log in (``dormancy_grace_days``).

The daily job (``process_dormant_accounts``) warns the owner of each such account once,
by mail, naming the date on which it will be deactivated, and flags the account in
Accountbeheer; a login clears the flag. Still unused on that date, the account is
deactivated through ``account_deactivate`` (sessions end, audited). An administrator is
warned and flagged, never deactivated this way.

"Without a login" counts from the last login, or for an account that never logged in,
from the day its invitation was accepted (else the day it was created). Invited accounts
are not counted (their invitation expires by itself), nor accounts that may not log in
(no rights), nor the accounts of an organization without access to the portal."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.core.audit import audit_record
from portal.core.mail import site_url

from ..models import Invitation, Membership, Organization, Role, Status
from ..permissions import can_manage_accounts
from .lifecycle import account_deactivate
from .rules import AccountRuleError, _lock, _lock_organization, _send

logger = logging.getLogger(__name__)

DORMANCY_DAYS_CHOICES = (60, 90, 180, 365)
DORMANCY_GRACE_DAYS_CHOICES = (14, 30, 60)


class DormancyRuleError(AccountRuleError):
    MESSAGES = {
        **AccountRuleError.MESSAGES,
        "dormancy_days": _("Kies na hoeveel dagen zonder inloggen een account als inactief geldt, uit de lijst."),
        "dormancy_grace_days": _("Kies uit de lijst hoe lang iemand daarna nog heeft om in te loggen."),
    }


@transaction.atomic
def organization_dormancy_set(*, actor, organization, days, grace_days, request=None):
    """Turn the dormancy rule on (``days`` one of the choices) or off (``days`` None).
    Only its administrator. Turning it off withdraws the warnings sent: nobody is
    deactivated for it then. Returns whether anything changed."""
    if not can_manage_accounts(actor, organization):
        raise DormancyRuleError("not_allowed")
    organization = _lock_organization(organization.pk)
    if days is not None and days not in DORMANCY_DAYS_CHOICES:
        raise DormancyRuleError("dormancy_days")
    if days is None:
        grace_days = organization.dormancy_grace_days  # kept for the next time it is turned on
    elif grace_days not in DORMANCY_GRACE_DAYS_CHOICES:
        raise DormancyRuleError("dormancy_grace_days")
    changes = {}
    for field, new in (("dormancy_days", days), ("dormancy_grace_days", grace_days)):
        if getattr(organization, field) != new:
            changes[field] = [getattr(organization, field), new]
            setattr(organization, field, new)
    if not changes:
        return False
    organization.save(update_fields=["dormancy_days", "dormancy_grace_days"])
    if days is None:
        Membership.objects.filter(organization=organization, dormancy_warned_at__isnull=False).update(
            dormancy_warned_at=None, dormancy_deadline=None
        )
    audit_record("dormancy_settings_changed", actor=actor, organization=organization, request=request, changes=changes)
    return True


# --- which accounts ---------------------------------------------------------------------------


def _accepted_at():
    return Subquery(
        Invitation.objects.filter(membership=OuterRef("pk"), used_at__isnull=False).order_by("-used_at").values("used_at")[:1]
    )


def with_inactive_since(queryset):
    """Annotate ``inactive_since``: the last login, else the accepted invitation, else creation."""
    return queryset.annotate(inactive_since=Coalesce("user__last_login", _accepted_at(), "created_at"))


def _may_log_in():
    return Q(role=Role.ADMINISTRATOR) | Q(may_use_portal=True) | Q(may_order=True)


def _not_logged_in_since_warning():
    return Q(user__last_login__isnull=True) | Q(user__last_login__lt=F("dormancy_warned_at"))


def flagged(queryset):
    """The accounts flagged as unused (see ``Membership.is_flagged_dormant``)."""
    return queryset.filter(dormancy_warned_at__isnull=False).filter(_not_logged_in_since_warning())


def _inactive_since(membership):
    return with_inactive_since(Membership.objects.filter(pk=membership.pk)).values_list("inactive_since", flat=True)[0]


# --- the daily job ----------------------------------------------------------------------------


def process_dormant_accounts(now=None):
    """Withdraw warnings that no longer hold, deactivate the accounts whose date has come,
    warn the newly unused. Returns (warned, deactivated)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _withdraw_stale_warnings()
    due = (
        Membership.objects.filter(dormancy_deadline__lte=today, status=Status.ACTIVE, role=Role.EMPLOYEE)
        .filter(_not_logged_in_since_warning())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    deactivated = sum(1 for pk in list(due) if _each(_deactivate, pk, today))
    warned = 0
    for organization in Organization.objects.filter(dormancy_days__isnull=False, portal_access=True).order_by("pk"):
        candidates = with_inactive_since(
            Membership.objects.filter(organization=organization, status=Status.ACTIVE, dormancy_warned_at__isnull=True).filter(
                _may_log_in()
            )
        ).filter(inactive_since__lt=now - timedelta(days=organization.dormancy_days))
        warned += sum(1 for pk in list(candidates.order_by("pk").values_list("pk", flat=True)) if _each(_warn, pk, now))
    return warned, deactivated


def _each(step, pk, moment):
    try:
        return step(pk, moment)
    except Exception:  # go on with the others; the log names the id only
        logger.exception("dormancy step %s for membership %s failed", step.__name__, pk)
        return False


def _withdraw_stale_warnings():
    """A warning holds while the account is active, may log in and is unused since, of an
    organization with access and the rule on, and of the kind it was sent for (with a
    date for an employee, without for an administrator)."""
    warned = Membership.objects.filter(dormancy_warned_at__isnull=False)
    stale = (
        Q(user__last_login__gte=F("dormancy_warned_at"))
        | ~Q(status=Status.ACTIVE)
        | Q(organization__dormancy_days__isnull=True)
        | Q(organization__portal_access=False)
        | ~_may_log_in()
        | Q(role=Role.EMPLOYEE, dormancy_deadline__isnull=True)
        | Q(role=Role.ADMINISTRATOR, dormancy_deadline__isnull=False)
    )
    Membership.objects.filter(pk__in=warned.filter(stale).values("pk")).update(dormancy_warned_at=None, dormancy_deadline=None)


@transaction.atomic
def _warn(pk, now):
    membership = Membership.objects.select_related("user", "organization").get(pk=pk)
    _lock(membership)
    organization = membership.organization
    organization.refresh_from_db(fields=["dormancy_days", "dormancy_grace_days", "portal_access"])
    if membership.status != Status.ACTIVE or membership.dormancy_warned_at is not None or not organization.dormancy_days:
        return False
    membership.user.refresh_from_db(fields=["last_login"])
    since = _inactive_since(membership)
    if since >= now - timedelta(days=organization.dormancy_days):
        return False  # logged in a moment ago
    deadline = None if membership.is_administrator else timezone.localdate(now) + timedelta(days=organization.dormancy_grace_days)
    membership.dormancy_warned_at = now
    membership.dormancy_deadline = deadline
    membership.save(update_fields=["dormancy_warned_at", "dormancy_deadline"])
    changes = {"inactive_since": timezone.localdate(since).isoformat()}
    if deadline:
        changes["deactivation_date"] = deadline.isoformat()
    audit_record("account_dormancy_warned", actor=None, target=membership.user, changes=changes)
    if membership.user.email:
        _send(
            "dormancy_warning",
            membership.user.email,
            {
                "user": membership.user,
                "organization": organization,
                "since": date_format(timezone.localdate(since), "j F Y"),
                "deadline": date_format(deadline, "j F Y") if deadline else "",
                "url": site_url(reverse("account_login")),
            },
        )
    return True


@transaction.atomic
def _deactivate(pk, today):
    membership = Membership.objects.select_related("user", "organization").get(pk=pk)
    _lock(membership)
    membership.user.refresh_from_db(fields=["last_login"])
    if not (membership.is_flagged_dormant and membership.dormancy_deadline and membership.dormancy_deadline <= today):
        return False
    if membership.is_administrator or membership.status != Status.ACTIVE:
        return False
    since = timezone.localdate(_inactive_since(membership))
    account_deactivate(actor=None, membership=membership, reason="niet gebruikt sinds " + since.isoformat())
    Membership.objects.filter(pk=pk).update(dormancy_warned_at=None, dormancy_deadline=None)
    if membership.user.email:
        _send(
            "dormancy_deactivated",
            membership.user.email,
            {"user": membership.user, "organization": membership.organization, "since": date_format(since, "j F Y")},
        )
    return True
