"""Who may do what with a service request. Seeing one at all is decided by
``ServiceRequest.objects.visible_to`` (views fetch requests only through it); these
functions decide the actions on a request the user can already see."""

from datetime import timedelta

from django.utils import timezone

from portal.core.scoping import membership_of
from portal.locations.models import LocationLink
from portal.organizations.permissions import can_use_portal  # noqa: F401 - the app's entry right

from .models import FINISHED_STATUSES, OPEN_STATUSES, Status, transition_allowed

# A finished request can be reopened by the customer for this many days after it was
# resolved or closed; after that a new request is the way.
REOPEN_DAYS = 30
# A reopened request goes back to customer service, who already know it.
REOPENED_STATUS = Status.IN_PROGRESS


def _is_requester_or_administrator(user, service_request):
    """Its requester, an administrator, or a location manager of its location."""
    membership = membership_of(user)
    if membership is None or membership.organization_id != service_request.organization_id:
        return False
    if service_request.created_by_id == user.pk or membership.is_active_administrator:
        return True
    return (
        membership.is_active_location_manager
        and LocationLink.objects.filter(membership=membership, location_id=service_request.location_id, manages=True).exists()
    )


def can_add_message(user, service_request) -> bool:
    """Anyone who sees an open request may write in its thread."""
    return service_request.status in OPEN_STATUSES


def can_close(user, service_request) -> bool:
    return transition_allowed(service_request.status, Status.CLOSED) and _is_requester_or_administrator(user, service_request)


def reopen_deadline(service_request):
    if service_request.closed_at is None:
        return None
    return service_request.closed_at + timedelta(days=REOPEN_DAYS)


def reopen_window_open(service_request, now=None) -> bool:
    """Open through the whole last day, as the page says ("tot en met <date>")."""
    deadline = reopen_deadline(service_request)
    return deadline is not None and timezone.localdate(now or timezone.now()) <= timezone.localdate(deadline)


def can_reopen(user, service_request, now=None) -> bool:
    """Within ``REOPEN_DAYS`` of being resolved or closed, by the requester or an administrator."""
    return (
        service_request.status in FINISHED_STATUSES
        and transition_allowed(service_request.status, REOPENED_STATUS)
        and reopen_window_open(service_request, now)
        and _is_requester_or_administrator(user, service_request)
    )
