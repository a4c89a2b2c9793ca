"""Readable numbers for what a customer refers to by phone or mail: ``B-2026-000123``
(an order), ``SA-…`` (a service request), ``WV-…`` (a change request), ``CM-…`` (a
contact message). One scheme for every kind: the prefix, the year (local time) and a
number that counts up per prefix and year without a gap.

Take a number inside the transaction that stores the row: the counter's row stays
locked until that transaction ends, so two requests never get the same number, and a
request that rolls back gives its number back.
"""

import re

from django.db import transaction
from django.utils import timezone

from .models import ReferenceCounter

NUMBER_DIGITS = 6


def format_reference(prefix, year, number):
    return f"{prefix}-{year}-{number:0{NUMBER_DIGITS}d}"


def next_reference(prefix, *, today=None):
    """The next reference of ``prefix`` for this year. Needs an open transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_reference needs the transaction that stores the row")
    year = (today or timezone.localdate()).year
    ReferenceCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return format_reference(prefix, year, counter.last_number)


def counters_from_references(prefix, references):
    """{year: highest number} among existing ``references`` of ``prefix``: what the
    counters start from, so that numbers given before this scheme stay as they are and
    new ones follow them (used by the data migrations of the apps that number)."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d{{4}})-(\d+)$")
    highest = {}
    for reference in references:
        match = pattern.match(reference or "")
        if match:
            year, number = int(match[1]), int(match[2])
            highest[year] = max(highest.get(year, 0), number)
    return highest


def seed_counters(apps, prefix, references):
    """For a data migration: raise the counters of ``prefix`` to the highest numbers
    among ``references`` (never lowers one)."""
    Counter = apps.get_model("core", "ReferenceCounter")
    for year, number in counters_from_references(prefix, references).items():
        counter, _created = Counter.objects.get_or_create(prefix=prefix, year=year)
        if counter.last_number < number:
            counter.last_number = number
            counter.save(update_fields=["last_number"])
