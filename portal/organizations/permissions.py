"""Who may do what in a customer organization. The same functions decide whether a
view answers and whether its menu item shows."""

from portal.accounts.staff import can_handle_accounts, can_onboard, is_staff_member
from portal.core.scoping import membership_of

from .models import Status


def may_log_in(user) -> bool:
    """HartingBank staff, or an active account of an organization that has access to
    the portal and that is an administrator or has at least one right. (An
    administrator can always log in, so an organization never locks itself out of
    Accountbeheer by taking rights away.)"""
    if not user.is_active:
        return False
    if user.is_staff:
        return True
    membership = membership_of(user)
    return bool(
        membership
        and membership.effective_status == Status.ACTIVE
        and (membership.is_administrator or membership.may_use_portal or membership.may_order)
        and membership.organization.portal_access
    )


def is_customer(user) -> bool:
    return membership_of(user) is not None


def can_manage_accounts(user, organization=None) -> bool:
    """Only an active administrator, and only for their own organization."""
    membership = membership_of(user)
    if membership is None or not membership.is_active_administrator:
        return False
    return organization is None or membership.organization_id == organization.pk


def can_use_portal(user) -> bool:
    """Service requests: the right "may use the portal". (Asking for a change is open to
    every account: a person must always be able to have their own data corrected.)"""
    membership = membership_of(user)
    return bool(membership and membership.may_use_portal)


def can_order(user) -> bool:
    """The ordering environment (bestelomgeving): the right "may order"."""
    membership = membership_of(user)
    return bool(membership and membership.may_order)


def can_act_on_accounts(actor, organization) -> bool:
    """Who may change an account of ``organization``: its active administrator, or online
    customer service (on request, with a reason the service asks for). ``None`` is the
    portal itself (a deactivation whose end date has come). An account manager invites
    only (``can_invite``)."""
    if actor is None:
        return True
    if is_staff_member(actor):
        return can_handle_accounts(actor)
    return can_manage_accounts(actor, organization)


def can_invite(actor, organization) -> bool:
    """An organization's administrator invites its accounts; HartingBank's account manager
    invites the first administrator."""
    if actor is None:
        return True
    if is_staff_member(actor):
        return can_onboard(actor)
    return can_manage_accounts(actor, organization)
