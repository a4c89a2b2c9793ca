"""Who may see the Locaties pages and what on them. The same function guards the pages
and decides whether the menu item shows."""

from portal.core.scoping import membership_of


def can_view_locations(user) -> bool:
    """Any customer account (an administrator sees all of the organization's locations,
    anyone else the ones linked to their own account: ``Location.objects.visible_to``).
    Staff and visitors do not: for them the pages do not exist."""
    return membership_of(user) is not None


def can_see_linked_accounts(user) -> bool:
    """Which accounts a location is linked to: an active administrator (of the
    organization whose locations they see)."""
    membership = membership_of(user)
    return bool(membership and membership.is_active_administrator)
