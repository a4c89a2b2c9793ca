"""The Accountbeheer overview: filtering, sorting and keyset pagination.

A page is found by the sort value and id of the last (or first) row of the previous
page, not by an offset, so a page deep in a list of 100,000 accounts costs what the
first page costs. The total is counted only up to a bound: past it the page says
"more than ...", instead of counting a huge set on every click.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Prefetch, Q
from django.utils import timezone

from portal.locations.models import LocationLink

from .models import Membership, Status

COUNT_LIMIT = 1000


@dataclass(frozen=True)
class Sort:
    field: str  # a field of the membership's user
    descending: bool = False
    nullable: bool = False
    is_datetime: bool = False


SORTS = {
    "name": Sort("user__full_name"),
    "-name": Sort("user__full_name", descending=True),
    "email": Sort("user__email"),
    "-last_login": Sort("user__last_login", descending=True, nullable=True, is_datetime=True),
}
DEFAULT_SORT = "name"


def filtered(queryset, *, q="", status="", role="", location=None):
    if q:
        queryset = queryset.filter(Q(user__full_name__icontains=q) | Q(user__email__icontains=q.lower()))
    if status == Status.ACTIVE:
        queryset = queryset.effectively_active()
    elif status == Status.DEACTIVATED:
        queryset = queryset.filter(status=Status.DEACTIVATED).exclude(
            deactivated_until__lte=timezone.localdate()
        )
    elif status:
        queryset = queryset.filter(status=status)
    if role:
        queryset = queryset.filter(role=role)
    if location is not None:
        queryset = queryset.filter(location_links__location=location)
    return queryset


def encode_cursor(sort, membership):
    value = _sort_value(sort, membership)
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, membership.user_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort, cursor):
    """(value, user id) from a cursor, or None for a cursor that is not valid."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, user_id = json.loads(raw)
        if sort.is_datetime and value is not None:
            value = datetime.fromisoformat(value)
        if not isinstance(user_id, int) or not (value is None or isinstance(value, (str, datetime))):
            return None
        return value, user_id
    except (ValueError, TypeError):
        return None


def _sort_value(sort, membership):
    obj = membership
    for part in sort.field.split("__"):
        obj = getattr(obj, part)
    return obj


def _beyond(sort, value, user_id, forward):
    """Rows after (value, id) in the sort order; before it when not ``forward``.

    In forward order rows without a value (never logged in) come last."""
    up = (not sort.descending) == forward  # moving towards larger values
    field = sort.field
    id_beyond = Q(user_id__gt=user_id) if up else Q(user_id__lt=user_id)
    if value is None:
        nulls_beyond = Q(**{f"{field}__isnull": True}) & id_beyond
        return nulls_beyond if forward else Q(**{f"{field}__isnull": False}) | nulls_beyond
    condition = Q(**{f"{field}__{'gt' if up else 'lt'}": value}) | (Q(**{field: value}) & id_beyond)
    if sort.nullable and forward:
        condition |= Q(**{f"{field}__isnull": True})
    return condition


def _ordering(sort, forward):
    # Only a nullable sort names where the nulls go: an explicit NULLS clause on the
    # other sorts would keep the database from reading its index in order.
    nulls = {}
    if sort.nullable:
        nulls = {"nulls_last": True} if forward else {"nulls_first": True}
    if sort.descending == forward:
        return [F(sort.field).desc(**nulls), F("user_id").desc()]
    return [F(sort.field).asc(**nulls), F("user_id").asc()]


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    count: int
    count_is_exact: bool


def page(queryset, *, sort_key=DEFAULT_SORT, after=None, before=None, size=50):
    sort = SORTS.get(sort_key, SORTS[DEFAULT_SORT])
    base = queryset
    cursor = decode_cursor(sort, after or before) if (after or before) else None
    forward = before is None or cursor is None
    if cursor is not None:
        queryset = queryset.filter(_beyond(sort, *cursor, forward=forward))
    rows = list(
        queryset.select_related("user")
        .prefetch_related(
            Prefetch("location_links", queryset=LocationLink.objects.select_related("location").order_by("location__name"))
        )
        .order_by(*_ordering(sort, forward))[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    has_next = more if forward else True
    has_previous = (cursor is not None) if forward else more
    count = base.values("pk")[: COUNT_LIMIT + 1].count()
    return Page(
        rows=rows,
        next_cursor=encode_cursor(sort, rows[-1]) if rows and has_next else None,
        previous_cursor=encode_cursor(sort, rows[0]) if rows and has_previous else None,
        count=min(count, COUNT_LIMIT),
        count_is_exact=count <= COUNT_LIMIT,
    )


def export_rows(queryset, sort_key=DEFAULT_SORT):
    """Every row of the filtered list, in the overview's order, read in chunks."""
    sort = SORTS.get(sort_key, SORTS[DEFAULT_SORT])
    return (
        queryset.select_related("user")
        .prefetch_related(
            Prefetch("location_links", queryset=LocationLink.objects.select_related("location").order_by("location__name"))
        )
        .order_by(*_ordering(sort, True))
        .iterator(chunk_size=2000)
    )


def visible_accounts(user):
    return Membership.objects.visible_to(user)
