"""/api/v1/products: HartingBank's catalogue as the ordering environment offers it, for a
key with the ``orders`` scope (the codes an order's ``lines`` name). The catalogue is
HartingBank's, the same for every organization; archived products are not listed."""

from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from portal.core.fields import id_from
from portal.ordering.models import Product

from .acting import invalid
from .models import Scope
from .rest import ERRORS, scoped

PREFIX = "/products"
router = Router(tags=["products"])


class ProductOut(Schema):
    code: str = Field(..., description="Het artikelnummer, zoals een bestelregel het noemt")
    name: str
    category: str
    unit: str
    price: Decimal = Field(..., description="Prijs per eenheid excl. btw in euro")
    vat_rate: Decimal
    max_quantity: int = Field(..., description="Het hoogste aantal per bestelling")


class ProductPage(Schema):
    items: list[ProductOut]
    next: str | None = None


class ProductFilters(Schema):
    after: str | None = Field(None, max_length=20)
    limit: int = Field(100, ge=1, le=500)


@router.get("", response={200: ProductPage, **ERRORS}, summary="Producten die te bestellen zijn")
def product_list(request, filters: Query[ProductFilters]):
    scoped(request, Scope.ORDERS)
    queryset = Product.objects.offered().select_related("category").order_by("pk")
    if filters.after:
        after = id_from(filters.after)
        if after is None:
            raise invalid("after", "invalid_cursor", "Deze cursor is niet geldig.")
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset[: filters.limit + 1])
    page = rows[: filters.limit]
    items = [
        {"code": p.code, "name": p.name, "category": p.category.name, "unit": p.unit, "price": p.price,
         "vat_rate": Decimal(p.vat_rate), "max_quantity": p.max_quantity}
        for p in page
    ]  # fmt: skip
    return Reply(200, {"items": items, "next": str(page[-1].pk) if len(rows) > filters.limit else None})
