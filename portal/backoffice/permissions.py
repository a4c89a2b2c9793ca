"""Who at HartingBank may do what in the back office.

The rules themselves (``is_staff_member``, ``can_onboard``, ``can_handle_accounts``, …)
live in the identity layer beside the group names (``portal.accounts.staff``), so that the
services below the back office ask the same functions without importing upwards. What
is the back office's own is how a page answers someone without the role:

Customers never reach the back office: for them its URLs do not exist (404), as
Accountbeheer's do not exist for an employee. A staff member without the role gets 403:
they know the back office exists, and the page says it is not for their role.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from portal.accounts.staff import (
    can_edit_master_data,
    can_handle_accounts,
    can_handle_change_requests,
    can_handle_contact_messages,
    can_handle_service_requests,
    can_onboard,
    can_view_audit,
    can_view_organizations,
    is_staff_member,
)

__all__ = [
    "can_edit_master_data",
    "can_handle_accounts",
    "can_handle_change_requests",
    "can_handle_contact_messages",
    "can_handle_service_requests",
    "can_onboard",
    "can_view_audit",
    "can_view_organizations",
    "is_staff_member",
    "staff_required",
]


def staff_required(check):
    """A view decorator: staff with ``check(user)`` get the page, other staff 403, a
    customer 404. (An anonymous visitor never gets here: the login middleware sends them
    to the login page first.)"""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not is_staff_member(request.user):
                raise Http404
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
