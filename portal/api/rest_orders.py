"""/api/v1/orders: the organization's orders (read, place and cancel as the pages do).

An order is placed for an orderer the request names (``orderer_id``), through the
ordering environment's service exactly as if they placed it: their right to order,
their limit (above it the order waits for another administrator's approval, and the
administrators are mailed), locations linked to them, the checkout form's rules; the
audit trail names the key. ``Idempotency-Key`` is required (``idempotency.py``).
"""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Schema
from ninja import Status as Reply

from portal.core.fields import id_from
from portal.locations.models import Location
from portal.ordering import services
from portal.ordering.forms import CheckoutForm
from portal.ordering.models import Order, OrderStatus, Product

from . import idempotency
from .acting import acting_account, invalid
from .models import Scope
from .rest import ERRORS, WRITE_ERRORS, Id, Invalid, scoped

PREFIX = "/orders"
router = Router(tags=["orders"])


class OrderLineOut(Schema):
    product_code: str
    product_name: str
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    quantity: int
    line_total: Decimal


class OrderOut(Schema):
    id: int
    number: str
    status: Literal[tuple(OrderStatus.values)]  # type: ignore[valid-type]
    placed_by: int | None = Field(None, description="Het account dat bestelde (null: verwijderd account)")
    location: int
    department: int
    delivery_street: str
    delivery_postal_code: str
    delivery_city: str
    reference: str
    wished_delivery_date: date | None
    remarks: str
    subtotal: Decimal
    vat_total: Decimal
    total: Decimal
    created_at: datetime
    lines: list[OrderLineOut]


class OrderPage(Schema):
    items: list[OrderOut]
    next: str | None = None


class OrderLineIn(Schema):
    product: str = Field(..., min_length=1, max_length=30, description="Het artikelnummer (`product_code` in een bestelling)")
    quantity: int = Field(..., ge=1, le=10000)


class OrderIn(Schema):
    orderer_id: int = Field(
        ..., ge=1, le=2**63 - 1,
        description="Het account (id uit /accounts) dat bestelt: diens bestelrecht, bestellimiet en locaties gelden",
    )  # fmt: skip
    location: int = Field(..., ge=1, le=2**63 - 1, description="Een locatie die aan de besteller is gekoppeld")
    department: int = Field(..., ge=1, le=2**63 - 1, description="Een afdeling van die locatie")
    lines: list[OrderLineIn] = Field(..., min_length=1, max_length=100)
    reference: str = Field("", max_length=35)
    wished_delivery_date: date | None = Field(None, description="Leeg: zo snel mogelijk (op zijn vroegst de tweede werkdag)")
    remarks: str = Field("", max_length=500)


IdempotencyKey = Annotated[
    str,
    Header(
        alias=idempotency.HEADER, min_length=1, max_length=idempotency.MAX_LENGTH, pattern=idempotency.PATTERN,
        description="Eén sleutel per bestelling (bijvoorbeeld een UUID): hetzelfde verzoek opnieuw met dezelfde sleutel "
        "geeft de eerste bestelling terug en bestelt niets nieuws; 24 uur bewaard.",
    ),
]  # fmt: skip


class OrderFilters(Schema):
    status: Literal[tuple(OrderStatus.values)] | None = None  # type: ignore[valid-type]
    location: int | None = Field(None, ge=1, le=2**63 - 1)
    after: str | None = Field(None, max_length=20)
    limit: int = Field(50, ge=1, le=200)


def _visible(principal):
    return Order.objects.visible_to(principal).select_related("placed_by__membership").prefetch_related("lines")


def _out(order):
    placed_by = getattr(order.placed_by, "membership", None)
    return {
        "id": order.pk, "number": order.number, "status": order.status,
        "placed_by": placed_by.pk if placed_by is not None else None,
        "location": order.location_id, "department": order.department_id,
        "delivery_street": order.delivery_street, "delivery_postal_code": order.delivery_postal_code,
        "delivery_city": order.delivery_city, "reference": order.reference,
        "wished_delivery_date": order.wished_delivery_date, "remarks": order.remarks,
        "subtotal": order.subtotal, "vat_total": order.vat_total, "total": order.total, "created_at": order.created_at,
        "lines": [{"product_code": line.product_code, "product_name": line.product_name, "unit": line.unit,
                   "unit_price": line.unit_price, "vat_rate": Decimal(line.vat_rate), "quantity": line.quantity,
                   "line_total": line.line_total}
                  for line in order.lines.all()],
    }  # fmt: skip


@router.get("", response={200: OrderPage, **ERRORS}, summary="Bestellingen van de organisatie")
def order_list(request, filters: Query[OrderFilters]):
    principal = scoped(request, Scope.ORDERS)
    queryset = _visible(principal)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.location:
        queryset = queryset.filter(location_id=filters.location)
    if filters.after:
        after = id_from(filters.after)
        if after is None:
            from .rest_accounts import _errors

            raise Invalid(_errors("after", "invalid_cursor", "Deze cursor is niet geldig."))
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset.order_by("pk")[: filters.limit + 1])
    page = rows[: filters.limit]
    return Reply(200, {"items": [_out(o) for o in page], "next": str(page[-1].pk) if len(rows) > filters.limit else None})


@router.get("/{order_id}", response={200: OrderOut, **ERRORS}, summary="Eén bestelling")
def order_read(request, order_id: Id):
    principal = scoped(request, Scope.ORDERS)
    return Reply(200, _out(get_object_or_404(_visible(principal), pk=order_id)))


@router.post("/{order_id}/cancel", response={200: OrderOut, **WRITE_ERRORS}, summary="Annuleren")
def order_cancel(request, order_id: Id):
    """As an administrator cancels on the order's page: only until HartingBank starts on
    it (``not_cancellable``); the orderer gets the mail."""
    principal = scoped(request, Scope.ORDERS)
    order = get_object_or_404(_visible(principal), pk=order_id)
    services.order_cancel(actor=principal, order=order, request=request)
    return Reply(200, _out(get_object_or_404(_visible(principal), pk=order_id)))


def _products(lines):
    """The products the lines name by code, in order; 422 on ``lines`` for a code the
    catalogue does not know or a product named twice."""
    codes = [line.product for line in lines]
    if len(set(codes)) != len(codes):
        raise invalid("lines", "duplicate_product", _("Noem elk product één keer, met het totale aantal."))
    found = {p.code: p for p in Product.objects.select_related("category").filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise invalid("lines", "unknown_product", _("Onbekend artikelnummer: %(codes)s.") % {"codes": ", ".join(unknown)})
    return [(found[line.product], line.quantity) for line in lines]


def _checked(orderer, data, submission_key):
    """The checkout form's rules: a location of the organization (that it is linked to
    the orderer the service checks, as ``location_not_linked``), a department of it, the
    reference, remarks and wished delivery date."""
    organization_locations = Location.objects.filter(organization_id=orderer.membership.organization_id, is_archived=False)
    form = CheckoutForm(
        {
            "location": data.location, "department": data.department, "reference": data.reference,
            "wished_delivery_date": data.wished_delivery_date.isoformat() if data.wished_delivery_date else "",
            "remarks": data.remarks, "submission_key": str(submission_key), "cart": "api",
        },
        locations=organization_locations,
    )  # fmt: skip
    if not form.is_valid():
        raise Invalid(form.errors)
    return form.cleaned_data


@router.post("", response={201: OrderOut, **WRITE_ERRORS}, summary="Bestellen voor een besteller")
def order_place(request, data: OrderIn, idempotency_key: IdempotencyKey, response: HttpResponse):
    """As the besteller places an order in the bestelomgeving: for a location linked to
    them, under their limit (above it the order waits for another administrator's
    approval: ``pending_approval``, and the administrators are mailed), with the
    checkout's rules; the orderer gets the confirmation by mail, and the audit trail
    names the key. Refusals: ``no_right`` (the orderer may not order), ``not_active``,
    ``location_not_linked``, ``product_unavailable``, ``quantity_too_high``,
    ``no_approver`` (409); ``invalid`` (422)."""
    principal = scoped(request, Scope.ORDERS)

    def run():
        orderer = acting_account(principal, data.orderer_id, "orderer_id")
        submission_key = uuid.uuid4()
        cleaned = _checked(orderer, data, submission_key)
        order, _created = services.order_place(
            actor=principal, orderer=orderer, lines=_products(data.lines), location=cleaned["location"],
            department=cleaned["department"], submission_key=submission_key, reference=cleaned["reference"],
            wished_delivery_date=cleaned["wished_delivery_date"], remarks=cleaned["remarks"], request=request,
        )  # fmt: skip
        return 201, _out(get_object_or_404(_visible(principal), pk=order.pk))

    status, body, replayed = idempotency.once(
        request, principal.api_key_in_use, idempotency_key, data.model_dump(mode="json"), run
    )
    if replayed:
        response[idempotency.REPLAYED_HEADER] = "true"
    return Reply(status, body)
