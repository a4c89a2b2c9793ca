"""Who may do what in the ordering environment. The same functions guard the views,
decide whether the menu item or a button shows, and are asked again by the services
(under the order's row lock)."""

from portal.accounts.staff import is_staff_member
from portal.core.scoping import membership_of
from portal.locations.models import LocationLink

from .models import OrderStatus


def can_order(user, membership=None) -> bool:
    """The ordering environment (bestelomgeving): the right "may order". The services ask
    again with ``membership``: the user's account as they read it under its row lock."""
    if membership is None:
        membership = membership_of(user)
    return bool(membership and membership.may_order)


def can_view_orders(user) -> bool:
    """Order history and details: accounts that may order, administrators (who approve
    orders even when they do not order themselves), and location managers and approvers
    (the orders of their locations)."""
    membership = membership_of(user)
    return bool(
        membership
        and (
            membership.may_order
            or membership.is_active_administrator
            or membership.is_active_location_manager
            or membership.is_active_approver
        )
    )


def can_approve_orders(user) -> bool:
    """Administrators, and approvers for the orders of their locations up to their amount."""
    membership = membership_of(user)
    return bool(membership and (membership.is_active_administrator or membership.is_active_approver))


def approves_every_order(user) -> bool:
    """An active administrator: decides on every order of the organization that waits,
    at any amount (an approver only on those of their locations within their amount)."""
    membership = membership_of(user)
    return bool(membership and membership.is_active_administrator)


def is_administrator_of(user, order) -> bool:
    """An active administrator of the order's organization."""
    membership = membership_of(user)
    return bool(membership and membership.is_active_administrator and membership.organization_id == order.organization_id)


def is_approver_of(user, order) -> bool:
    """An active approver of the order's location, up to an amount the order stays within."""
    membership = membership_of(user)
    return bool(
        membership
        and membership.is_active_approver
        and membership.organization_id == order.organization_id
        and LocationLink.objects.filter(
            membership=membership, location_id=order.location_id, approval_limit__gte=order.subtotal
        ).exists()
    )


def can_cancel(user, order) -> bool:
    """Its orderer or an administrator of the organization, until HartingBank starts on it."""
    return order.is_cancellable and (order.placed_by_id == user.pk or is_administrator_of(user, order))


def can_decide(user, order) -> bool:
    """Approve or reject an order waiting for approval: an administrator of the
    organization or an approver of its location (up to their amount), never for their
    own order."""
    if order.status != OrderStatus.PENDING_APPROVAL or order.placed_by_id == user.pk:
        return False
    return is_administrator_of(user, order) or is_approver_of(user, order)


def can_record_progress(user) -> bool:
    """HartingBank's staff record an order's progress (in behandeling, verzonden,
    geleverd): any staff role."""
    return is_staff_member(user)
