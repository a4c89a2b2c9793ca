from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.locations.models import Address, AddressKind, Department, Location
from portal.organizations.permissions import membership_of


@require_safe
def my_account(request):
    """Mijn account: the user's own data, read-only, and how to have it changed."""
    membership = membership_of(request.user)
    return render(
        request,
        "accounts/my_account.html",
        {
            "membership": membership,
            "locations": _linked_locations(membership) if membership is not None else [],
            "staff_groups": request.user.groups.all() if request.user.is_staff else [],
        },
    )


def _linked_locations(membership):
    """The locations linked to ``membership``, each with its addresses and departments,
    read as plain values in three small queries (prefetching model instances cost more
    than the rest of the page together)."""
    locations = {
        location["pk"]: {**location, "addresses": [], "departments": []}
        for location in Location.objects.linked_to(membership).order_by("name").values("pk", "name", "code")
    }
    addresses = Address.objects.filter(location__in=locations).order_by("kind", "pk")
    for address in addresses.values("location_id", "kind", "street", "postal_code", "city"):
        address["kind_label"] = AddressKind(address["kind"]).label
        locations[address["location_id"]]["addresses"].append(address)
    departments = Department.objects.filter(location__in=locations).order_by("name", "pk")
    for location_id, name in departments.values_list("location_id", "name"):
        locations[location_id]["departments"].append(name)
    return list(locations.values())
