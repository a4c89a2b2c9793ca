"""Totals of a cart or an order, in Decimal: each line is price × quantity (exact to the
cent); VAT is worked out per rate over the sum of its lines and rounded half up to the
cent, as on an invoice."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from portal.core.money import cents


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    vat_lines: list = field(default_factory=list)  # [(rate as Decimal, base, vat)]
    vat_total: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")


def totals(lines) -> Totals:
    """``lines``: (unit price excl. VAT, quantity, VAT rate in percent) per line."""
    base_per_rate = defaultdict(Decimal)
    for unit_price, quantity, vat_rate in lines:
        base_per_rate[Decimal(vat_rate)] += cents(unit_price) * quantity
    vat_lines = [(rate, cents(base), cents(base * rate / 100)) for rate, base in sorted(base_per_rate.items(), reverse=True)]
    subtotal = cents(sum((base for _, base, _ in vat_lines), Decimal(0)))
    vat_total = cents(sum((vat for *_, vat in vat_lines), Decimal(0)))
    return Totals(subtotal=subtotal, vat_lines=vat_lines, vat_total=vat_total, total=subtotal + vat_total)


def cart_totals(items) -> Totals:
    return totals((item.product.price, item.quantity, item.product.vat_rate) for item in items)


def order_totals(lines) -> Totals:
    return totals((line.unit_price, line.quantity, line.vat_rate) for line in lines)
