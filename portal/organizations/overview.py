"""The Accountbeheer overview: filtering, sorting and keyset pagination.

A page is found by the sort value and e-mail address of the last (or first) row of the
previous page, not by an offset, so a page deep in a list of 100,000 accounts costs what the
first page costs. The total is counted only up to a bound: past it the page says
"more than ...", instead of counting a huge set on every click.
"""

import base64
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.db import connections
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.accounts import search
from portal.accounts.models import User, search_key
from portal.locations.models import LocationLink

from .models import Invitation, Membership, Role, Status, deactivated_today, effective_status
from .services.dormancy import flagged

COUNT_LIMIT = 200  # past this, the page says "more than 200"
# The longest text a cursor holds: a name, an e-mail address or a moment.
CURSOR_TEXT_MAX = max(User._meta.get_field("full_name").max_length, User._meta.get_field("email").max_length)
# Beside the account statuses, the overview tells an invitation whose link has expired
# (the account is still "invited"; the administrator sends a new one).
EXPIRED = "expired"
# Filters besides the statuses: accounts flagged as not used, and accounts with a leave date to come.
NOT_USED = "not_used"
LEAVING = "leaving"


# Rows with the same sort value are ordered by e-mail address: unique among the
# accounts shown (only deleted accounts have none) and part of each sort index, so the
# database reads a page straight from the index of the organization's users.
TIEBREAK = "user__email"


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


def search_words(q):
    return search_key(q).split()


def searched_users(organization_id, *, q="", status="", role="", location=None):
    """The organization's users whose name or e-mail address has every word of the
    search ``q``, when the search is the only filter (see ``_first_ids``); else None."""
    words = search_words(q)
    if not words or status or role or location is not None:
        return None
    return search.containing(User.objects.filter(organization_id=organization_id), words)


# The stored status an account has when it shows a status of the list, where one index
# finds the accounts with it (an active one may also be deactivated until a date passed).
_STORED_STATUS = {Status.DEACTIVATED: Status.DEACTIVATED, Status.INVITED: Status.INVITED, EXPIRED: Status.INVITED}


def narrowed_ids(organization_id, *, status="", role="", **_other_filters):
    """The ids of the organization's accounts with the ``role`` asked for, or with the
    stored status that the ``status`` asked for needs, when they are at most
    ``COUNT_LIMIT``; else None.

    SQLite keeps one average per index, no histogram of its values: by it a role or a
    status narrows an organization's accounts to a half or a third, so it looked for the
    one administrator or the few open invitations among all of the organization's users
    (200 ms with 100,000). Read from the (organization, role) or (organization, status)
    index, the few ids cost a fraction of a millisecond, and ``page`` starts from them,
    with every condition of the list still applied. A common value is left to the scan,
    which stops when it has found enough."""
    conditions = [("role", role)] if role else []
    if status in _STORED_STATUS:
        conditions.append(("status", _STORED_STATUS[status]))
    for field, value in conditions:
        accounts = Membership.objects.filter(organization_id=organization_id, **{field: value})
        ids = list(accounts.values_list("pk", flat=True)[: COUNT_LIMIT + 1])
        if len(ids) <= COUNT_LIMIT:
            return ids
    return None


def filtered(queryset, *, q="", status="", role="", location=None, search_index=True):
    """The accounts of ``queryset`` that the list's filters select. ``search_index=False``
    when the search's users are found apart (``searched_users``, the same words through
    the same index): the accounts are then checked for the words alone."""
    queryset = search.containing(queryset, search_words(q), user="user__", index=search_index)
    if status == Status.ACTIVE:
        queryset = queryset.effectively_active()
    elif status == Status.DEACTIVATED:
        queryset = queryset.filter(deactivated_today())
    elif status in (Status.INVITED, EXPIRED):
        valid = Exists(Invitation.objects.valid().filter(membership=OuterRef("pk")))
        queryset = queryset.filter(status=Status.INVITED)
        queryset = queryset.filter(valid) if status == Status.INVITED else queryset.exclude(valid)
    elif status == NOT_USED:
        queryset = flagged(queryset)
    elif status == LEAVING:  # as the list shows it: a leave date, not yet carried out
        queryset = queryset.filter(leaves_on__isnull=False, left_at__isnull=True)
    elif status:
        queryset = queryset.filter(status=status)
    if role:
        queryset = queryset.filter(role=role)
    if location is not None:
        queryset = queryset.filter(location_links__location=location)
    return queryset


def encode_cursor(sort, row):
    """The cursor of a row of ``ROW_FIELDS`` values."""
    value, tiebreak = row[sort.field], row[TIEBREAK]
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, tiebreak]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _text_a_row_holds(value):
    return isinstance(value, str) and len(value) <= CURSOR_TEXT_MAX and "\x00" not in value


def decode_cursor(sort, cursor):
    """(value, tiebreak) from a cursor, or None for a cursor that is not valid: one the
    portal did not make (a cursor is the client's to send), such as text no row holds
    (a NUL character failed the query on PostgreSQL)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, tiebreak = json.loads(raw)
        if not _text_a_row_holds(tiebreak) or not (value is None or _text_a_row_holds(value)):
            return None
        if sort.is_datetime and value is not None:
            value = datetime.fromisoformat(value)
        return value, tiebreak
    except (ValueError, TypeError):
        return None


def _beyond(sort, value, tiebreak, forward):
    """Rows after (value, tiebreak) in the sort order; before it when not ``forward``.

    Written as ``value >= v AND (value > v OR tiebreak > t)`` (mirrored for the other
    direction), so the database reads a range of the (organization, value, e-mail)
    index instead of testing every row. In forward order rows without a value (never
    logged in) come last."""
    up = (not sort.descending) == forward  # moving towards larger values
    field = sort.field
    tie_beyond = Q(**{f"{TIEBREAK}__{'gt' if up else 'lt'}": tiebreak})
    if value is None:
        nulls_beyond = Q(**{f"{field}__isnull": True}) & tie_beyond
        return nulls_beyond if forward else Q(**{f"{field}__isnull": False}) | nulls_beyond
    strictly, at_least = ("gt", "gte") if up else ("lt", "lte")
    condition = Q(**{f"{field}__{at_least}": value}) & (Q(**{f"{field}__{strictly}": value}) | tie_beyond)
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
        return [F(sort.field).desc(**nulls), F(TIEBREAK).desc()]
    return [F(sort.field).asc(**nulls), F(TIEBREAK).asc()]


# A page is read as plain values, not model instances: rendering the rows is the cost
# of this page, and building model objects for them was half of it.
ROW_FIELDS = (
    "pk", "user_id", "role", "may_use_portal", "may_order", "status", "deactivated_until", "manages_locations", "approves_orders",
    "user__full_name", "user__email", "user__last_login", "dormancy_warned_at", "leaves_on", "left_at",
)  # fmt: skip


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    count: int
    count_is_exact: bool


PAGE_SIZE = 25


def _first_ids(queryset, searched, narrowed=None):
    """The ids of at most ``COUNT_LIMIT + 1`` accounts of ``queryset``, in no order;
    among ``narrowed`` only, when given (``narrowed_ids``).

    For a search alone (``searched``: the users it matches), the scan starts from those
    users and looks up each one's account, with every condition of ``queryset``, by its
    user: so it finds no account that ``queryset`` would not, and misses none, since
    ``queryset`` (``Membership.objects.visible_to``) only holds accounts whose user is of
    the organization as well. Started from the accounts, PostgreSQL took all of the
    organization's accounts into a hash to join them, as it expects few of the users
    found to belong to the organization (it takes the two conditions to be unrelated):
    50 to 60 ms for a common surname among 100,000 accounts, against some 20 here. With a filter on the
    accounts as well (a role, a status, a location), which may pick out only a few of
    them, the scan starts from the accounts: started from the users, it would look up
    every user the search finds."""
    if narrowed is not None:
        scan = queryset.filter(pk__in=narrowed).values_list("pk", flat=True)
    elif searched is None:
        scan = queryset.values_list("pk", flat=True)
    else:
        account = queryset.filter(user_id=OuterRef("pk")).values("pk")[:1]
        if connections[searched.db].vendor == "postgresql":
            # In name order, PostgreSQL weighs reading the organization's name index until
            # enough are found (a common word) against its trigram index (a rare one);
            # without an order it took the trigram index for a common surname as well:
            # 30 ms of its time among 100,000 accounts, against 9.
            searched = searched.order_by("full_name", "email")
        scan = searched.annotate(account=Subquery(account)).filter(account__isnull=False).values_list("account", flat=True)
    return list(scan[: COUNT_LIMIT + 1])


def page(queryset, *, sort_key=DEFAULT_SORT, after=None, before=None, size=PAGE_SIZE, searched=None, narrowed=None):
    """One page of ``queryset``, in the order of ``sort_key``, after or before a cursor;
    ``searched``: the users a search in ``queryset`` matches (``searched_users``);
    ``narrowed``: the few accounts a filter's index holds (``narrowed_ids``).

    First the ids of at most ``COUNT_LIMIT + 1`` matching accounts are read, unordered:
    that query stops as soon as it has found enough, and gives the (bounded) count.
    When the whole selection is that small (a search, a filter) the page is read from
    those ids; otherwise the page is read in index order from the cursor onwards."""
    sort = SORTS.get(sort_key, SORTS[DEFAULT_SORT])
    ids = _first_ids(queryset, searched, narrowed)
    count_is_exact = len(ids) <= COUNT_LIMIT
    if count_is_exact:
        queryset = Membership.objects.filter(pk__in=ids)
    cursor = decode_cursor(sort, after or before) if (after or before) else None
    forward = before is None or cursor is None
    if cursor is not None:
        queryset = queryset.filter(_beyond(sort, *cursor, forward=forward))
    # The order is found on ids alone, which the (organization, sort value, e-mail) index
    # of the users holds; the columns shown are then read for those few rows.
    page_ids = list(queryset.order_by(*_ordering(sort, forward)).values_list("pk", flat=True)[: size + 1])
    by_id = {row["pk"]: row for row in Membership.objects.filter(pk__in=page_ids).values(*ROW_FIELDS)}
    rows = [by_id[pk] for pk in page_ids]
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    has_next = more if forward else True
    has_previous = (cursor is not None) if forward else more
    return Page(
        rows=rows,
        next_cursor=encode_cursor(sort, rows[-1]) if rows and has_next else None,
        previous_cursor=encode_cursor(sort, rows[0]) if rows and has_previous else None,
        count=min(len(ids), COUNT_LIMIT),
        count_is_exact=count_is_exact,
    )


@dataclass(frozen=True)
class Row:
    pk: int
    name: str
    email: str
    role: str
    rights: str
    locations: str
    status: str
    status_label: str
    until: str
    last_login: str
    invitation: str = ""  # when it was sent and until when its link works (or since when not)
    dormant: bool = False  # warned as unused and not logged in since (Membership.is_flagged_dormant)
    leaves_on: str = ""  # the leave date still to come (Uit dienst per)


def _role_shown(role, row):
    """The role, with what the account manages or approves for its locations."""
    duties = [
        label
        for flag, label in ((row["manages_locations"], _("locatiebeheerder")), (row["approves_orders"], _("goedkeurder")))
        if flag
    ]
    return ", ".join([str(role), *duties])


def display_rows(rows):
    """The overview's rows with every text worked out once, so the template only
    prints them; the linked locations of all rows come in one query, and so do the
    invitations."""
    names = _location_names([r["pk"] for r in rows])
    invitations = invitations_of([r["pk"] for r in rows if r["status"] == Status.INVITED])
    labels = (dict(Role.choices), _("Portal"), _("Bestellen"))
    today = timezone.localdate()
    return [_display_row(r, names.get(r["pk"], ()), invitations.get(r["pk"]), labels, today) for r in rows]


def _location_names(membership_ids):
    """The names of the locations linked to each of these accounts, in name order."""
    names = {}
    links = LocationLink.objects.filter(membership_id__in=membership_ids).order_by("location__name")
    for membership_id, name in links.values_list("membership_id", "location__name"):
        names.setdefault(membership_id, []).append(name)
    return names


def _status_shown(r, invitation, today):
    """The status as it is today, and EXPIRED for an invited account whose invitation's
    link has expired (or that has none open)."""
    status = effective_status(r["status"], r["deactivated_until"], today)
    if status == Status.INVITED and (invitation is None or invitation.expired):
        return EXPIRED
    return status


def _display_row(r, location_names, invitation, labels, today):
    """One row of ``display_rows``: ``labels`` are the role labels and those of the two
    rights, worked out once for the page."""
    roles, portal, order = labels
    status = _status_shown(r, invitation, today)
    last_login = r["user__last_login"]
    return Row(
        pk=r["pk"],
        name=r["user__full_name"] or r["user__email"],
        email=r["user__email"],
        role=_role_shown(roles[r["role"]], r),
        rights=", ".join(label for flag, label in ((r["may_use_portal"], portal), (r["may_order"], order)) if flag),
        locations=", ".join(location_names) or "—",
        status=status,
        status_label=_("Verlopen") if status == EXPIRED else Status(status).label,
        invitation=invitation.text if invitation else "",
        until=date_format(r["deactivated_until"]) if status == Status.DEACTIVATED and r["deactivated_until"] else "",
        last_login=date_format(timezone.localtime(last_login), "j b Y, H:i") if last_login else "—",
        dormant=r["dormancy_warned_at"] is not None and (last_login is None or last_login < r["dormancy_warned_at"]),
        leaves_on=date_format(r["leaves_on"], "j b Y") if r["leaves_on"] and not r["left_at"] else "",
    )


@dataclass(frozen=True)
class InvitationDates:
    sent_at: datetime
    expires_at: datetime
    expired: bool

    @property
    def text(self):
        dates = {
            "sent": date_format(timezone.localtime(self.sent_at), "j b Y"),
            "until": date_format(timezone.localtime(self.expires_at), "j b Y"),
        }
        if self.expired:
            return _("verstuurd %(sent)s, verlopen op %(until)s") % dates
        return _("verstuurd %(sent)s, geldig tot %(until)s") % dates


def invitations_of(membership_ids):
    """The open invitation of each of these accounts (the newest), in one query."""
    now = timezone.now()
    found = {}
    rows = Invitation.objects.open().filter(membership_id__in=membership_ids).order_by("created_at")
    for membership_id, sent_at, expires_at in rows.values_list("membership_id", "created_at", "expires_at"):
        found[membership_id] = InvitationDates(sent_at, expires_at, expires_at <= now)
    return found


# Rows of the export read at a time. Django's prefetch of each batch's location links made a
# query set per account (as much CPU again as reading the rows: 12 s for 100,000 accounts).
EXPORT_BATCH = 2000


def export_rows(queryset, sort_key=DEFAULT_SORT, batch=EXPORT_BATCH):
    """(membership, the names of its locations) of every row of the filtered list, in the
    overview's order: ``batch`` at a time, each batch's location names in one query."""
    sort = SORTS.get(sort_key, SORTS[DEFAULT_SORT])
    rows = iter(queryset.select_related("user").order_by(*_ordering(sort, True)).iterator(chunk_size=batch))
    while chunk := list(islice(rows, batch)):
        names = defaultdict(list)
        links = LocationLink.objects.filter(membership__in=[m.pk for m in chunk]).order_by("location__name", "pk")
        for membership_id, name in links.values_list("membership_id", "location__name"):
            names[membership_id].append(name)
        for membership in chunk:
            yield membership, names[membership.pk]


def visible_accounts(user):
    return Membership.objects.visible_to(user)
