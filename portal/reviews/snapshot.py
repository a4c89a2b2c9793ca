"""What a review records of an account, and how an account differs from that now."""

from collections import defaultdict
from datetime import date
from itertools import islice

from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.core.money import money
from portal.locations.models import LocationLink
from portal.organizations.models import Membership, Role, Status

# The fields a reviewer confirms or changes, in the order they are shown.
REVIEWED_FIELDS = (
    "role", "status", "deactivated_until", "may_use_portal", "may_order", "order_limit", "locations",
    "managed_locations", "approved_locations", "approval_limit",
)  # fmt: skip
# What a snapshot taken before location managers and approvers existed had instead.
NOT_YET_RECORDED = {"managed_locations": [], "approved_locations": [], "approval_limit": None}


def with_locations(queryset):
    """Memberships with their linked locations read along (one more query)."""
    return queryset.prefetch_related(
        Prefetch("location_links", queryset=LocationLink.objects.select_related("location").order_by("location__name", "pk"))
    )


# Accounts read at a time when a review starts. Reading them all at once, each with its
# links through Django's prefetch, took 700 MB and 14 s for 100,000 accounts (and asked the
# database for all their links in one statement of 100,000 parameters).
START_BATCH = 2000
# What snapshot_of reads of an account and of its links (snapshots_of reads only these).
SNAPSHOT_FIELDS = ("role", "status", "deactivated_until", "may_use_portal", "may_order", "order_limit")
LINK_FIELDS = ("membership", "location__name", "manages", "approval_limit")


def snapshots_of(organization, batch=START_BATCH):
    """Batches of (membership id, snapshot) of every account of ``organization`` that is
    not deleted, as a review lists them: the accounts in the order of their ids, ``batch``
    at a time, and each batch's location links in one query."""
    accounts = iter(
        Membership.objects.filter(organization=organization, user__organization_id=organization.pk)
        .exclude(status=Status.DELETED)
        .order_by("pk")
        .only(*SNAPSHOT_FIELDS)  # not the dates and texts a snapshot leaves out: a sixth of a start
        .iterator(chunk_size=batch)
    )
    while chunk := list(islice(accounts, batch)):
        links = defaultdict(list)
        in_order = LocationLink.objects.filter(membership__in=[m.pk for m in chunk]).order_by("location__name", "pk")
        for link in in_order.select_related("location").only(*LINK_FIELDS):
            links[link.membership_id].append(link)
        yield [(membership.pk, snapshot_of(membership, links[membership.pk])) for membership in chunk]


def snapshot_of(membership, links=None):
    """Role, status (as it is today), rights and linked locations of ``membership``; its
    location links read along (``with_locations``) or given, in the order of their
    location's name."""
    links = list(membership.location_links.all()) if links is None else links
    status = membership.effective_status
    return {
        "role": membership.role,
        "status": status,
        "deactivated_until": (
            membership.deactivated_until.isoformat() if status == Status.DEACTIVATED and membership.deactivated_until else None
        ),
        "may_use_portal": membership.may_use_portal,
        "may_order": membership.may_order,
        "order_limit": None if membership.order_limit is None else f"{membership.order_limit:.2f}",
        "locations": [link.location.name for link in links],
        "location_ids": sorted(link.location_id for link in links),
        "managed_locations": [link.location.name for link in links if link.manages],
        "approved_locations": [link.location.name for link in links if link.approval_limit is not None],
        "approval_limit": _amount(max((link.approval_limit for link in links if link.approval_limit is not None), default=None)),
    }


def _amount(value):
    return None if value is None else f"{value:.2f}"


def differences(before, now):
    """{field: [before, now]} for each reviewed field that differs (the locations by
    their ids, shown by their names)."""
    changes = {}
    for field in REVIEWED_FIELDS:
        if field == "locations":
            if sorted(before["location_ids"]) != sorted(now["location_ids"]):
                changes[field] = [before["locations"], now["locations"]]
        elif before.get(field, NOT_YET_RECORDED.get(field)) != now.get(field, NOT_YET_RECORDED.get(field)):
            changes[field] = [before.get(field, NOT_YET_RECORDED.get(field)), now.get(field)]
    return changes


def shown_texts():
    """The fixed texts ``shown`` puts in, translated: for many snapshots in one language,
    once (a review's evidence shows 100,000)."""
    return {
        "yes": _("ja"),
        "no": _("nee"),
        "no_limit": _("geen limiet"),
        "roles": {role.value: str(role.label) for role in Role},
        "statuses": {status.value: str(status.label) for status in Status},
    }


def shown(snapshot, texts=None):
    """The snapshot as a person reads it: {field: text}. ``texts``: ``shown_texts()``,
    when the caller shows many."""
    texts = texts or shown_texts()
    yes, no = texts["yes"], texts["no"]
    status = texts["statuses"][snapshot["status"]]
    if snapshot.get("deactivated_until"):
        status = _("%(status)s tot %(date)s") % {
            "status": status,
            "date": date_format(date.fromisoformat(snapshot["deactivated_until"]), "j b Y"),
        }
    limit = snapshot["order_limit"]
    return {
        "role": texts["roles"][snapshot["role"]],
        "status": status,
        "may_use_portal": yes if snapshot["may_use_portal"] else no,
        "may_order": yes if snapshot["may_order"] else no,
        "order_limit": (money(limit) if limit is not None else texts["no_limit"]) if snapshot["may_order"] else "—",
        "locations": ", ".join(snapshot["locations"]) or "—",
        "managed_locations": ", ".join(snapshot.get("managed_locations", [])) or "—",
        "approved_locations": (
            _("%(locations)s, tot %(amount)s")
            % {"locations": ", ".join(snapshot["approved_locations"]), "amount": money(snapshot["approval_limit"])}
            if snapshot.get("approved_locations")
            else "—"
        ),
    }
