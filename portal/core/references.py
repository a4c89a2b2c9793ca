"""Readable numbers for what a customer refers to by phone or mail: ``B-2026-000123``."""

from django.utils import timezone


def yearly_reference(prefix, obj):
    """``<prefix>-<year>-<id>``: the year the row was created (local time) and its id,
    unique because the id is. Set it just after the insert, in the same transaction."""
    return f"{prefix}-{timezone.localtime(obj.created_at).year}-{obj.pk:06d}"
