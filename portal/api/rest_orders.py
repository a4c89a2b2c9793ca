"""/api/v1/orders: the organization's orders (read, and cancel as the pages do).

Placing an order is not offered yet: an order is placed by an orderer, from their cart,
for a location linked to them and under their limit; a key is no orderer. See the README.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from portal.core.fields import id_from
from portal.ordering import services
from portal.ordering.models import Order, OrderStatus

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
        "lines": [{"product_code": l.product_code, "product_name": l.product_name, "unit": l.unit, "unit_price": l.unit_price,
                   "vat_rate": Decimal(l.vat_rate), "quantity": l.quantity, "line_total": l.line_total}
                  for l in order.lines.all()],
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
