"""HartingBank's staff roles, as Django groups, and what each role may do.

A staff role is a Django group and what it may do are the group's permissions, set by
the back office's migrations; the functions below ask for a permission, never for a
group name. They live here, in the identity layer beside the group names, so that every
floor above (the services of organizations, service requests, change requests and
contact messages; the back office; the menu) asks the same function: it guards a page,
decides whether its tab shows and is checked again by the service that changes the data.
"""

ACCOUNT_MANAGER = "Accountmanager"
CUSTOMER_SERVICE = "Online klantenservice"
STAFF_GROUPS = (ACCOUNT_MANAGER, CUSTOMER_SERVICE)


def is_staff_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def staff_may(user, permission) -> bool:
    """A staff member whose role has ``permission`` ("app_label.codename")."""
    return is_staff_member(user) and user.has_perm(permission)


def can_view_organizations(user) -> bool:
    """Both roles: the organizations, their locations and accounts."""
    return staff_may(user, "organizations.view_organization")


def can_onboard(user) -> bool:
    """The account manager: creates organizations, turns their access on and off and
    invites their first administrator."""
    return staff_may(user, "organizations.change_organization")


def can_edit_master_data(user) -> bool:
    """The account manager: locations, departments, addresses, categories and products."""
    return staff_may(user, "locations.change_location")


def can_handle_accounts(user) -> bool:
    """Online customer service: deactivates, reactivates and deletes an account and
    resends an invitation on request, and links locations to an account."""
    return staff_may(user, "organizations.change_membership")


def can_handle_service_requests(user) -> bool:
    return staff_may(user, "service.change_servicerequest")


def can_handle_change_requests(user) -> bool:
    return staff_may(user, "changes.change_changerequest")


def can_handle_contact_messages(user) -> bool:
    return staff_may(user, "contact.change_contactmessage")


def can_view_audit(user) -> bool:
    return staff_may(user, "core.view_auditevent")
