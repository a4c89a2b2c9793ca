"""Who may do what in the ordering environment. The same functions guard the views,
decide whether the menu item or a button shows, and are asked again by the services
(under the order's row lock)."""

from portal.core.scoping import membership_of
from portal.organizations.permissions import can_order

from .models import OrderStatus


def can_view_orders(user) -> bool:
    """Order history and details: accounts that may order, and administrators (who
    approve orders even when they do not order themselves)."""
    membership = membership_of(user)
    return bool(membership and (membership.may_order or membership.is_active_administrator))


def can_approve_orders(user) -> bool:
    membership = membership_of(user)
    return bool(membership and membership.is_active_administrator)


def is_administrator_of(user, order) -> bool:
    """An active administrator of the order's organization."""
    membership = membership_of(user)
    return bool(membership and membership.is_active_administrator and membership.organization_id == order.organization_id)


def can_cancel(user, order) -> bool:
    """Its orderer or an administrator of the organization, until HartingBank starts on it."""
    return order.is_cancellable and (order.placed_by_id == user.pk or is_administrator_of(user, order))


def can_decide(user, order) -> bool:
    """Approve or reject an order waiting for approval: an administrator of the
    organization, never for their own order."""
    return is_administrator_of(user, order) and order.status == OrderStatus.PENDING_APPROVAL and order.placed_by_id != user.pk


__all__ = ["can_order", "can_view_orders", "can_approve_orders", "is_administrator_of", "can_cancel", "can_decide"]
