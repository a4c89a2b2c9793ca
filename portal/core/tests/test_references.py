"""One numbering scheme for every kind of reference: prefix, year, and a number that
counts up per prefix and year without a gap."""

import datetime

import pytest
from django.db import transaction

from portal.core.models import ReferenceCounter
from portal.core.references import counters_from_references, next_reference, seed_counters


@pytest.mark.django_db
class TestNextReference:
    def test_counts_up_per_prefix_and_year_without_a_gap(self):
        with transaction.atomic():
            numbers = [next_reference("CM", today=datetime.date(2026, 5, 1)) for _ in range(3)]
            other = next_reference("B", today=datetime.date(2026, 5, 1))
            next_year = next_reference("CM", today=datetime.date(2027, 1, 1))
        assert numbers == ["CM-2026-000001", "CM-2026-000002", "CM-2026-000003"]
        assert other == "B-2026-000001" and next_year == "CM-2027-000001"

    def test_a_rolled_back_transaction_gives_its_number_back(self):
        day = datetime.date(2026, 5, 1)
        with pytest.raises(RuntimeError), transaction.atomic():
            next_reference("SA", today=day)
            raise RuntimeError
        with transaction.atomic():
            assert next_reference("SA", today=day) == "SA-2026-000001"


@pytest.mark.django_db(transaction=True)
def test_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        next_reference("SA")


def test_counters_start_after_the_numbers_given_before():
    references = ["WV-2025-000040", "WV-2026-000007", "WV-2026-000042", "CM-2026-000099", None, "WV-2026-x"]
    assert counters_from_references("WV", references) == {2025: 40, 2026: 42}


@pytest.mark.django_db
def test_seeding_never_lowers_a_counter():
    from django.apps import apps

    ReferenceCounter.objects.create(prefix="B", year=2026, last_number=50)
    seed_counters(apps, "B", ["B-2026-000010", "B-2025-000003"])
    assert dict(ReferenceCounter.objects.filter(prefix="B").values_list("year", "last_number")) == {2026: 50, 2025: 3}
    with transaction.atomic():
        assert next_reference("B", today=datetime.date(2025, 12, 31)) == "B-2025-000004"
