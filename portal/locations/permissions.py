"""Who may see the Locaties pages. The same function guards the pages and decides
whether the menu item shows."""

from portal.core.scoping import membership_of


def can_view_locations(user) -> bool:
    """Any customer account (an administrator sees all of the organization's locations,
    anyone else the ones linked to their own account: ``Location.objects.visible_to``).
    Staff and visitors do not: for them the pages do not exist."""
    return membership_of(user) is not None
