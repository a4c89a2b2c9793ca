"""Who may do what in a customer organization. The same functions decide whether a
view answers and whether its menu item shows."""

from portal.accounts.staff import can_handle_accounts, can_onboard, is_staff_member
from portal.core.scoping import membership_of

from .models import Status


def login_refusal(user):
    """Why ``user`` may not log in (one of ``accounts.login_rule.REFUSALS``), or None when
    they may: HartingBank staff, or an active account of an organization that has access
    to the portal and that is an administrator or has at least one right. (An
    administrator can always log in, so an organization never locks itself out of
    Accountbeheer by taking rights away.) The app registers it as the portal's rule of who
    may log in (``accounts.login_rule``), asked at login and on every request."""
    if user.is_staff:
        return None if user.is_active else "deactivated"
    membership = membership_of(user)
    if membership is None or membership.status == Status.DELETED:
        return "deleted"
    if not user.is_active or membership.effective_status != Status.ACTIVE:
        return "deactivated"
    if not membership.organization.portal_access:
        return "access_off"
    if not (membership.is_administrator or membership.may_use_portal or membership.may_order):
        return "no_rights"
    return None


def is_customer(user) -> bool:
    return membership_of(user) is not None


def can_manage_accounts(user, organization=None) -> bool:
    """Only an active administrator, and only for their own organization."""
    membership = membership_of(user)
    if membership is None or not membership.is_active_administrator:
        return False
    return organization is None or membership.organization_id == organization.pk


def is_location_manager(user) -> bool:
    """An active account that manages the accounts of some of its locations."""
    membership = membership_of(user)
    return bool(membership and membership.is_active_location_manager)


def can_open_accountbeheer(user) -> bool:
    """Accountbeheer's list and account pages: administrators, and location managers for
    the accounts of their locations (``Membership.objects.manageable_by``)."""
    return can_manage_accounts(user) or is_location_manager(user)


def can_use_portal(user) -> bool:
    """Service requests: the right "may use the portal". (Asking for a change is open to
    every account: a person must always be able to have their own data corrected.)"""
    membership = membership_of(user)
    return bool(membership and membership.may_use_portal)


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


def can_act_on_account(actor, membership) -> bool:
    """``can_act_on_accounts`` for one account: a location manager too, for the accounts
    they manage."""
    if can_act_on_accounts(actor, membership.organization):
        return True
    return (
        actor is not None
        and is_location_manager(actor)
        and membership_of(actor).organization_id == membership.organization_id
        and type(membership).objects.manageable_by(actor).filter(pk=membership.pk).exists()
    )


def can_invite(actor, organization) -> bool:
    """An organization's administrator invites its accounts; HartingBank's account manager
    invites the first administrator."""
    if actor is None:
        return True
    if is_staff_member(actor):
        return can_onboard(actor)
    if is_location_manager(actor):  # for their own locations only (the invitation's service checks them)
        return membership_of(actor).organization_id == organization.pk
    return can_manage_accounts(actor, organization)
