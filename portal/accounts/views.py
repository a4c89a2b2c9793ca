from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.locations.models import Address, AddressKind, Department, Location
from portal.organizations.permissions import membership_of


@require_safe
def my_account(request):
    """Mijn account: the user's own data, read-only, and how to have it changed."""
    membership = membership_of(request.user)
    is_administrator = membership is not None and membership.is_active_administrator
    return render(
        request,
        "accounts/my_account.html",
        {
            "membership": membership,
            "is_administrator": is_administrator,
            "locations": _locations(membership, request.user, is_administrator) if membership is not None else [],
            "staff_groups": request.user.groups.all() if request.user.is_staff else [],
        },
    )


def _locations(membership, user, is_administrator):
    """The locations linked to ``membership`` (for an administrator: all of the
    organization's, each marked whether it is linked), each with its addresses and
    departments, read as plain values in three small queries (prefetching model
    instances cost more than the rest of the page together)."""
    if is_administrator:
        linked = Location.objects.linked_to(membership).filter(pk=OuterRef("pk"))
        rows = Location.objects.visible_to(user).annotate(linked=Exists(linked))
    else:
        rows = Location.objects.linked_to(membership)
    fields = ("pk", "name", "code", "linked") if is_administrator else ("pk", "name", "code")
    locations = {
        location["pk"]: {**location, "addresses": [], "departments": []}
        for location in rows.order_by("name").values(*fields)
    }
    addresses = Address.objects.filter(location__in=locations).order_by("kind", "pk")
    for address in addresses.values("location_id", "kind", "street", "postal_code", "city"):
        address["kind_label"] = AddressKind(address["kind"]).label
        locations[address["location_id"]]["addresses"].append(address)
    departments = Department.objects.filter(location__in=locations).order_by("name", "pk")
    for location_id, name in departments.values_list("location_id", "name"):
        locations[location_id]["departments"].append(name)
    return list(locations.values())
