"""Who at HartingBank may do what in the back office.

A staff role is a Django group (``portal.accounts.staff``) and what it may do are the
group's permissions, set by this app's migration; these functions ask for a permission,
never for a group name. The same function guards a page, decides whether its tab shows
and is checked again by the service that changes the data.

Customers never reach the back office: for them its URLs do not exist (404), as
Accountbeheer's do not exist for an employee. A staff member without the role gets 403:
they know the back office exists, and the page says it is not for their role.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404


def is_staff_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def _may(user, permission) -> bool:
    return is_staff_member(user) and user.has_perm(permission)


def can_view_organizations(user) -> bool:
    """Both roles: the organizations, their locations and accounts."""
    return _may(user, "organizations.view_organization")


def can_onboard(user) -> bool:
    """The account manager: creates organizations, turns their access on and off and
    invites their first administrator."""
    return _may(user, "organizations.change_organization")


def can_edit_master_data(user) -> bool:
    """The account manager: locations, departments, addresses, categories and products."""
    return _may(user, "locations.change_location")


def can_handle_accounts(user) -> bool:
    """Online customer service: deactivates, reactivates and deletes an account and
    resends an invitation on request, and links locations to an account."""
    return _may(user, "organizations.change_membership")


def can_handle_service_requests(user) -> bool:
    return _may(user, "service.change_servicerequest")


def can_handle_change_requests(user) -> bool:
    return _may(user, "support.change_changerequest")


def can_handle_contact_messages(user) -> bool:
    return _may(user, "support.change_contactmessage")



def can_view_audit(user) -> bool:
    return _may(user, "core.view_auditevent")


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
