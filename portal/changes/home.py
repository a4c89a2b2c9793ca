"""What Wijziging doorgeven puts on the home page: the change requests still open (an
administrator sees the organization's, anyone else their own)."""

from django.utils.translation import gettext_lazy as _

from portal.core.addresses import reverse
from portal.core.home import PAGE, HomeItem, HomePanel, first_page, label_of
from portal.core.prepared import PreparedQuery

from .models import ChangeRequest, Kind, Status


def _open_changes(user):
    queryset = ChangeRequest.objects.visible_to(user).open().order_by("-updated_at")
    return queryset.only("reference", "kind", "status", "updated_at")[: PAGE + 1]


_open_changes_of = PreparedQuery(_open_changes)


def change_requests_panel(user, membership):
    changes, _more = first_page(_open_changes_of.rows(user))
    if not changes:
        return None
    return HomePanel(
        key="changes",
        title=_("Open wijzigingsverzoeken"),
        items=[
            HomeItem(
                label=f"{change} · {label_of(Kind, change.kind)}",
                url=reverse("changes:detail", args=[change.pk]),
                status=label_of(Status, change.status),
            )
            for change in changes
        ],
        more_url=reverse("changes:list"),
        more_label=_("Alle wijzigingsverzoeken"),
    )
