"""Who may do what with contact. Seeing a message at all is decided by
``ContactMessage.objects.visible_to`` (views fetch messages only through it); these
functions decide the actions on one the user can already see. The same function
answers the view, the template and the service (which checks again under the row's
lock), and the menu."""

from portal.accounts.staff import is_staff_member
from portal.organizations.permissions import is_customer


def can_use_contact(user) -> bool:
    """Contact is for customers and visitors; HartingBank's staff are the other side."""
    return not is_staff_member(user)


def can_follow_messages(user) -> bool:
    """Mijn berichten: the messages a logged-in customer sent."""
    return is_customer(user)


def can_follow_up(user, contact_message) -> bool:
    """The logged-in sender (who sees it), while it is open."""
    return contact_message.is_open
