"""/api/v1/locations: the organization's locations (read only: HartingBank registers
them), for any key that works with accounts, orders or service requests."""

from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja import Status as Reply

from portal.locations.models import Location

from .models import LOCATION_SCOPES
from .rest import ERRORS, Id, scoped

PREFIX = "/locations"
router = Router(tags=["locations"])


class AddressOut(Schema):
    kind: Literal["visiting", "delivery"]
    street: str
    postal_code: str
    city: str


class DepartmentOut(Schema):
    id: int
    name: str
    archived: bool


class LocationOut(Schema):
    id: int
    code: str
    name: str
    archived: bool
    addresses: list[AddressOut]
    departments: list[DepartmentOut]


def _out(location):
    return {
        "id": location.pk, "code": location.code, "name": location.name, "archived": location.is_archived,
        "addresses": [{"kind": a.kind, "street": a.street, "postal_code": a.postal_code, "city": a.city}
                      for a in location.addresses.all()],
        "departments": [{"id": d.pk, "name": d.name, "archived": d.is_archived} for d in location.departments.all()],
    }  # fmt: skip


def _visible(request):
    return Location.objects.visible_to(scoped(request, LOCATION_SCOPES)).for_detail()


@router.get("", response={200: list[LocationOut], **ERRORS}, summary="Locaties van de organisatie")
def location_list(request):
    return Reply(200, [_out(location) for location in _visible(request).order_by("name", "pk")])


@router.get("/{location_id}", response={200: LocationOut, **ERRORS}, summary="Eén locatie")
def location_read(request, location_id: Id):
    return Reply(200, _out(get_object_or_404(_visible(request), pk=location_id)))
