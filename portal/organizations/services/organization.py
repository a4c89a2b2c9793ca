"""HartingBank's side: organizations and their access to the portal."""

from django.db import IntegrityError, transaction

from portal.accounts.sessions import sessions_end_of_organization
from portal.accounts.staff import can_onboard
from portal.core.audit import audit_record

from ..models import Organization
from .rules import AccountRuleError, _lock_organization

# --- HartingBank: organizations and their access ---------------------------------------------


def _refuse_unless_account_manager(actor):
    if not can_onboard(actor):
        raise AccountRuleError("not_account_manager")


@transaction.atomic
def organization_create(*, actor, name, customer_number, account_manager=None, request=None):
    """A new customer organization, with access to Mijn HartingBank; its first
    administrator is invited next (``account_invite``)."""
    _refuse_unless_account_manager(actor)
    customer_number = customer_number.strip()
    if Organization.objects.filter(customer_number__iexact=customer_number).exists():
        raise AccountRuleError("customer_number_in_use")
    try:
        with transaction.atomic():
            organization = Organization.objects.create(
                name=name, customer_number=customer_number, account_manager=account_manager, portal_access=True
            )
    except IntegrityError as exc:  # the same number, taken a moment ago
        raise AccountRuleError("customer_number_in_use") from exc
    audit_record(
        "organization_created",
        actor=actor,
        organization=organization,
        request=request,
        changes={
            "name": [None, name],
            "customer_number": [None, customer_number],
            "account_manager": [None, str(account_manager) if account_manager else None],
        },
    )
    return organization


@transaction.atomic
def organization_update(*, actor, organization, name, account_manager, request=None):
    """Name and account manager; the customer number is the organization's key."""
    _refuse_unless_account_manager(actor)
    organization = _lock_organization(organization.pk)
    changes = {}
    if organization.name != name:
        changes["name"] = [organization.name, name]
    if organization.account_manager_id != (account_manager.pk if account_manager else None):
        changes["account_manager"] = [
            str(organization.account_manager) if organization.account_manager else None,
            str(account_manager) if account_manager else None,
        ]
    if not changes:
        return changes
    organization.name = name
    organization.account_manager = account_manager
    organization.save(update_fields=["name", "account_manager"])
    audit_record("organization_updated", actor=actor, organization=organization, request=request, changes=changes)
    return changes


@transaction.atomic
def organization_access_set(*, actor, organization, access, reason="", request=None):
    """Turn the organization's access to Mijn HartingBank off or on. Off: every open
    session of its accounts ends (so turning it on again does not bring an old session
    back) and nothing is deleted or changed; on again, everything is as it was, and its
    people log in again. Returns whether anything changed."""
    _refuse_unless_account_manager(actor)
    locked = _lock_organization(organization.pk)
    if locked.portal_access == access:
        organization.portal_access = access
        return False
    locked.portal_access = access
    locked.save(update_fields=["portal_access"])
    organization.portal_access = access
    if not access:
        sessions_end_of_organization(organization.pk, reason="access_off")
    changes = {"portal_access": [not access, access]}
    if reason:
        changes["reason"] = reason
    action = "organization_access_on" if access else "organization_access_off"
    audit_record(action, actor=actor, organization=organization, request=request, changes=changes)
    return True
