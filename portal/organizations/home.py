"""What Accountbeheer puts on an administrator's home page: invitations not yet
accepted (expired ones first, they need a new one) and accounts whose deactivation ends
within a week."""

from datetime import timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.core.addresses import reverse
from portal.core.home import PAGE, HomeItem, HomePanel, first_page
from portal.core.prepared import PreparedQuery
from portal.core.scoping import membership_of

from .models import Invitation, Membership, Status

SOON = timedelta(days=7)


def _open_invitation_expiry():
    return Subquery(Invitation.objects.open().filter(membership=OuterRef("pk")).order_by("-created_at").values("expires_at")[:1])


def _invited(user):
    queryset = (
        Membership.objects.filter(organization_id=membership_of(user).organization_id, status=Status.INVITED)
        .annotate(expires_at=_open_invitation_expiry())
        .select_related("user")
        .order_by("expires_at")
        .only("user__full_name", "user__email")
    )
    return queryset[: PAGE + 1]


_invited_of = PreparedQuery(_invited)


def invitations_panel(user, membership):
    if not membership.is_active_administrator:
        return None
    invited, more = first_page(_invited_of.rows(user))
    if not invited:
        return None
    now = timezone.now()
    items = []
    for account in invited:
        expired = account.expires_at is None or account.expires_at <= now
        when = date_format(timezone.localtime(account.expires_at), "j b Y") if account.expires_at else ""
        items.append(
            HomeItem(
                label=account.user.full_name or account.user.email,
                url=reverse("accountbeheer:detail", args=[account.pk]),
                status=_("Verlopen") if expired else _("Uitgenodigd"),
                detail=(_("verlopen op %(date)s") if expired else _("geldig tot %(date)s")) % {"date": when} if when else "",
                attention=expired,
            )
        )
    return HomePanel(
        key="invitations",
        title=_("Uitnodigingen die nog niet zijn geaccepteerd"),
        items=items,
        more_url=reverse("accountbeheer:list")
        + ("?status=expired" if any(item.attention for item in items) else "?status=invited"),
        more_label=_("Alle uitnodigingen") if more else _("Naar Accountbeheer"),
        attention=any(item.attention for item in items),
    )


def back_within_a_week(organization_id, today):
    """The organization's accounts deactivated until a date in the coming week (read from
    the index of the accounts deactivated until a date, ``membership_org_until``)."""
    return (
        Membership.objects.filter(
            organization_id=organization_id,
            status=Status.DEACTIVATED,
            deactivated_until__gt=today,
            deactivated_until__lte=today + SOON,
        )
        .select_related("user")
        .order_by("deactivated_until")
        .only("deactivated_until", "user__full_name", "user__email")
    )


def reactivations_panel(user, membership):
    if not membership.is_active_administrator:
        return None
    accounts, _more = first_page(back_within_a_week(membership.organization_id, timezone.localdate()))
    if not accounts:
        return None
    return HomePanel(
        key="reactivations",
        title=_("Binnenkort weer actief"),
        items=[
            HomeItem(
                label=account.user.full_name or account.user.email,
                url=reverse("accountbeheer:detail", args=[account.pk]),
                status=_("Gedeactiveerd"),
                detail=_("weer actief op %(date)s") % {"date": date_format(account.deactivated_until, "j b Y")},
            )
            for account in accounts
        ],
        more_url=reverse("accountbeheer:list") + "?status=deactivated",
        more_label=_("Naar Accountbeheer"),
    )
