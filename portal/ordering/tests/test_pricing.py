from decimal import Decimal

from portal.core.money import cents, money
from portal.ordering.pricing import totals


def test_vat_is_worked_out_per_rate_and_rounded_half_up():
    result = totals([(Decimal("0.05"), 1, "21.00"), (Decimal("14.00"), 3, "9.00"), (Decimal("50.00"), 2, "0.00")])
    assert result.subtotal == Decimal("142.05")
    # 21% of 0.05 = 0.0105 -> 0.01; 9% of 42.00 = 3.78; 0% of 100 = 0
    assert [(r, b, v) for r, b, v in result.vat_lines] == [
        (Decimal("21.00"), Decimal("0.05"), Decimal("0.01")),
        (Decimal("9.00"), Decimal("42.00"), Decimal("3.78")),
        (Decimal("0.00"), Decimal("100.00"), Decimal("0.00")),
    ]
    assert result.vat_total == Decimal("3.79")
    assert result.total == Decimal("145.84")


def test_vat_is_rounded_over_the_rate_total_not_per_line():
    # Three lines of 0.10 at 21%: per line 0.021 -> 0.02 each (0.06); over the sum 0.063 -> 0.06.
    # Seven lines of 0.50: per line 0.105 -> 0.11 each (0.77); over the sum 3.50 * 0.21 = 0.735 -> 0.74.
    result = totals([(Decimal("0.50"), 1, "21.00")] * 7)
    assert result.vat_total == Decimal("0.74")


def test_half_a_cent_rounds_up():
    assert cents(Decimal("0.125")) == Decimal("0.13")
    assert cents(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67


def test_money_is_written_the_dutch_way(settings):
    from django.utils import translation

    with translation.override("nl"):
        assert money(Decimal("1234.5")) == "€\u00a01.234,50"
    with translation.override("en"):
        assert money(Decimal("1234.5")) == "€\u00a01,234.50"
    assert money(None) == ""
