"""Two-step login: resetting a lost second factor, requiring it for an organization."""

from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.accounts.mfa import second_factors_remove
from portal.accounts.staff import is_staff_member
from portal.core.audit import audit_record

from ..models import Status
from ..permissions import can_manage_accounts
from .rules import AccountRuleError, _lock, _lock_organization, _refuse_unless_may_act, _send

# --- two-step login -----------------------------------------------------------------------------


@transaction.atomic
def account_mfa_reset(*, actor, membership, reason, request=None):
    """Lost phone: remove every second factor of someone else's account (apps, passkeys
    and recovery codes), so that its owner logs in with the password and sets it up
    again. By an administrator of the organization, or by online customer service for an
    administrator on request; always with a reason. Audited, mailed to the owner, and the
    account's open sessions end (the phone may be in someone else's hands)."""
    if actor is not None and actor.pk == membership.user_id:
        raise AccountRuleError("mfa_own")
    if not (reason or "").strip():
        raise AccountRuleError("reason_required")
    _refuse_unless_may_act(actor, membership.organization, reason)
    _lock(membership)
    if is_staff_member(actor) and not membership.is_administrator:
        raise AccountRuleError("mfa_staff_administrators_only")
    if membership.status == Status.DELETED:
        raise AccountRuleError("already_deleted")
    user = membership.user
    if not Authenticator.objects.filter(user=user).exists():
        raise AccountRuleError("mfa_not_set_up")
    second_factors_remove(user, actor=actor, reason=reason, request=request)
    _send("mfa_reset", user.email, {"user": user, "by_staff": is_staff_member(actor), "reason": reason})


@transaction.atomic
def organization_mfa_require(*, actor, organization, required, grace_days=0, request=None):
    """Require two-step login for everyone in ``organization`` (after ``grace_days``), or
    stop requiring it. Only its administrator. Returns the deadline (None: not required)."""
    if not can_manage_accounts(actor, organization):
        raise AccountRuleError("not_allowed")
    organization = _lock_organization(organization.pk)
    if required:
        if grace_days not in settings.MFA_GRACE_DAYS_CHOICES:
            raise AccountRuleError("mfa_grace_days")
        now = timezone.now()
        organization.mfa_required_at = organization.mfa_required_at or now
        organization.mfa_deadline = now + timedelta(days=grace_days)
        action = "mfa_required_set"
        changes = {"deadline": timezone.localdate(organization.mfa_deadline).isoformat(), "grace_days": grace_days}
    else:
        if organization.mfa_deadline is None:
            return None
        organization.mfa_required_at = organization.mfa_deadline = None
        action, changes = "mfa_required_unset", {}
    organization.save(update_fields=["mfa_required_at", "mfa_deadline"])
    audit_record(action, actor=actor, organization=organization, request=request, changes=changes)
    return organization.mfa_deadline
