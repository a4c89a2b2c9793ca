"""Amounts in euros: Decimal arithmetic, rounded half up to whole cents, shown the way
the reader's language writes them."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

CENT = Decimal("0.01")


def cents(value) -> Decimal:
    """Round an amount to whole cents, half up (as invoices do)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money(value) -> str:
    """ "€ 1.234,56" in Dutch, "€ 1,234.56" in English."""
    if value is None or value == "":
        return ""
    return "€\u00a0" + number_format(cents(value), 2, use_l10n=True, force_grouping=True)
