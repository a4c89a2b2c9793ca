from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.locations.models import Location
from portal.organizations.permissions import membership_of


@require_safe
def my_account(request):
    """Mijn account: the user's own data, read-only, and how to have it changed."""
    membership = membership_of(request.user)
    locations = []
    if membership is not None:
        locations = (
            Location.objects.linked_to(membership)
            .prefetch_related("departments", "addresses")
            .order_by("name")
        )
    return render(
        request,
        "accounts/my_account.html",
        {
            "membership": membership,
            "locations": locations,
            "staff_groups": request.user.groups.all() if request.user.is_staff else [],
        },
    )
