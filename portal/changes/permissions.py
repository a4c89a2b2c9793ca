"""Who may do what with a change request. Seeing one at all is decided by
``ChangeRequest.objects.visible_to`` (views fetch them only through it); these
functions decide the actions on one the user can already see. The same function
answers the view (does the button show?), the template and the service (which checks
again under the row's lock)."""

from portal.accounts.staff import can_handle_change_requests
from portal.core.scoping import membership_of
from portal.organizations.permissions import can_manage_accounts, is_customer

from .models import Kind, Status


def can_request_change(user) -> bool:
    """Every customer account: a person must always be able to have their own data corrected."""
    return is_customer(user)


def can_add_change_message(user, change_request) -> bool:
    """The requester or an administrator (who see it), while it is open."""
    return change_request.is_open


def can_withdraw(user, change_request) -> bool:
    """The requester, while customer service has not started on it."""
    return membership_of(user) is not None and change_request.created_by_id == user.pk and change_request.status == Status.NEW


def may_apply_personal_data(user, change_request) -> bool:
    """Who carries out a change of personal data from the request: an administrator of
    the organization, or online customer service."""
    return can_handle_change_requests(user) or can_manage_accounts(user, change_request.organization)


def can_apply_personal_data(user, change_request) -> bool:
    """An open request to change personal data that says what they should become, and
    someone who may carry it out."""
    return (
        change_request.is_open
        and change_request.kind == Kind.PERSONAL_DATA
        and bool(change_request.proposed)
        and may_apply_personal_data(user, change_request)
    )
