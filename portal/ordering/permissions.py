"""Who may do what in the ordering environment. The same functions guard the views and
decide whether the menu item shows."""

from portal.core.scoping import membership_of
from portal.organizations.permissions import can_order


def can_view_orders(user) -> bool:
    """Order history and details: accounts that may order, and administrators (who
    approve orders even when they do not order themselves)."""
    membership = membership_of(user)
    return bool(membership and (membership.may_order or membership.is_active_administrator))


def can_approve_orders(user) -> bool:
    membership = membership_of(user)
    return bool(membership and membership.is_active_administrator)


__all__ = ["can_order", "can_view_orders", "can_approve_orders"]
