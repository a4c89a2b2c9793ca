"""Deactivating, reactivating and deleting an account; its linked locations on request."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal.accounts.sessions import sessions_end
from portal.accounts.staff import is_staff_member
from portal.core.audit import audit_record, personal_data_erase

from ..models import Membership, Status
from .rules import (
    AccountRuleError,
    _bump_version,
    _check_locations,
    _erase,
    _lock,
    _refuse_losing_last_administrator,
    _refuse_self,
    _refuse_unless_may_act,
    _refuse_unless_may_act_on,
    _set_locations,
    logger,
)

# --- deactivate, reactivate, delete ----------------------------------------------------------


@transaction.atomic
def account_deactivate(*, actor, membership, until=None, reason="", request=None):
    """Temporarily: no more logins, open sessions end at once, data and history stay."""
    _lock(membership)
    _refuse_unless_may_act_on(actor, membership, reason)  # the account as it is now, under the lock
    _refuse_self(actor, membership)
    if membership.effective_status != Status.ACTIVE:
        raise AccountRuleError("not_active")
    _refuse_losing_last_administrator(membership)
    membership.status = Status.DEACTIVATED
    membership.deactivated_until = until
    membership.version = F("version") + 1
    membership.save(update_fields=["status", "deactivated_until", "version", "updated_at"])
    membership.refresh_from_db(fields=["version"])
    sessions_end(membership.user, reason="deactivated")
    changes = {"status": [Status.ACTIVE, Status.DEACTIVATED]}
    if until:
        changes["deactivated_until"] = [None, until.isoformat()]
    if reason:
        changes["reason"] = reason
    audit_record("account_deactivated", actor=actor, target=membership.user, request=request, changes=changes)


@transaction.atomic
def account_reactivate(*, actor, membership, reason="", request=None):
    """Restore a deactivated account as it was (not one whose leave date has come)."""
    _lock(membership)
    _refuse_unless_may_act_on(actor, membership, reason)  # the account as it is now, under the lock
    if membership.status != Status.DEACTIVATED:
        raise AccountRuleError("not_deactivated")
    if membership.leaves_on is not None and membership.leaves_on <= timezone.localdate():
        raise AccountRuleError("left")
    changes = {"status": [Status.DEACTIVATED, Status.ACTIVE]}
    if membership.deactivated_until:
        changes["deactivated_until"] = [membership.deactivated_until.isoformat(), None]
    if reason:
        changes["reason"] = reason
    membership.status = Status.ACTIVE
    membership.deactivated_until = None
    membership.version = F("version") + 1
    membership.save(update_fields=["status", "deactivated_until", "version", "updated_at"])
    membership.refresh_from_db(fields=["version"])
    audit_record("account_reactivated", actor=actor, target=membership.user, request=request, changes=changes)


def reactivate_due_accounts():
    """Bring the stored status up to date for deactivations whose end date has come.
    (Logins already treat them as active; this keeps the overview's data exact.)"""
    due = Membership.objects.filter(status=Status.DEACTIVATED, deactivated_until__lte=timezone.localdate()).select_related("user")
    count = 0
    for membership in due:
        try:
            account_reactivate(actor=None, membership=membership, reason="einddatum deactivering bereikt")
        except Exception:  # noqa: BLE001 - go on with the others; the log names the id only
            logger.exception("reactivating membership %s failed", membership.pk)
            continue
        count += 1
    return count


@transaction.atomic
def account_delete(*, actor, membership, reason="", request=None):
    """The person's data is erased and their values in the audit trail become unreadable
    (their key is destroyed); the account's history stays, under "verwijderd account"."""
    _refuse_unless_may_act(actor, membership.organization, reason)
    _lock(membership)
    if membership.status == Status.DELETED:
        raise AccountRuleError("already_deleted")  # a second click, or a colleague just now
    _refuse_self(actor, membership)
    _refuse_losing_last_administrator(membership)
    audit_record(
        "account_deleted",
        actor=actor,
        target=membership.user,
        request=request,
        changes={"reason": reason} if reason else {},
    )
    _erase(membership)
    personal_data_erase(actor=actor, user=membership.user, request=request)


# --- HartingBank: linked locations on request ------------------------------------------------


@transaction.atomic
def account_locations_set(*, actor, membership, locations, reason, request=None):
    """Online customer service links locations to an account on the customer's request
    (an administrator does so in Accountbeheer, through ``account_update``)."""
    if not is_staff_member(actor):
        raise AccountRuleError("not_allowed")
    _refuse_unless_may_act(actor, membership.organization, reason)
    _lock(membership)
    if membership.status == Status.DELETED:
        raise AccountRuleError("not_allowed")
    _check_locations(membership.organization, locations)
    changes = _set_locations(membership, locations)
    if not changes:
        return None
    _bump_version(membership, membership.version)
    audit_record("account_updated", actor=actor, target=membership.user, request=request, changes={**changes, "reason": reason})
    return changes["locations"]
