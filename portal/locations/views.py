"""Locaties: the locations a customer account may see, read-only. HartingBank registers
locations, departments and addresses; a customer asks for a change through a change
request (Wijziging doorgeven), never edits them here.

Objects come only through ``Location.objects.visible_to``: an administrator sees all of
the organization's locations, anyone else only the ones linked to their own account.
Staff and other organizations get a 404."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.core.scoping import allowed_or_404, get_visible_or_404, membership_of

from .models import Location, LocationLink
from .permissions import can_see_linked_accounts, can_view_locations

customer_required = allowed_or_404(can_view_locations)

# ``organizations.models.Status.DELETED``: the identity layer stands on this one, so the
# value is named here (a test checks that the two agree).
MEMBERSHIP_DELETED = "deleted"


@require_safe
@customer_required
def location_list(request):
    membership = membership_of(request.user)
    locations = Location.objects.visible_to(request.user).for_overview(membership)
    return render(
        request,
        "locations/location_list.html",
        {"locations": locations, "is_administrator": membership.is_active_administrator},
    )


def linked_accounts(location):
    """The accounts a location is linked to (deleted accounts have no links left)."""
    return (
        LocationLink.objects.filter(location=location)
        .exclude(membership__status=MEMBERSHIP_DELETED)
        .select_related("membership__user")
        .order_by("membership__user__full_name", "membership__user__email")
    )


@require_safe
@customer_required
def location_detail(request, pk):
    location = get_visible_or_404(Location.objects.for_detail(), request.user, pk=pk)
    membership = membership_of(request.user)
    links = list(linked_accounts(location)) if can_see_linked_accounts(request.user) else None
    return render(
        request,
        "locations/location_detail.html",
        {
            "location": location,
            "is_administrator": links is not None,
            "links": links,
            # Anyone but an administrator sees only linked locations.
            "is_linked_to_me": links is None or any(link.membership_id == membership.pk for link in links),
        },
    )
