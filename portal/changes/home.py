"""What Wijziging doorgeven puts on the home page: the change requests still open (an
administrator sees the organization's, anyone else their own)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.core.home import HomeItem, HomePanel, first_page

from .models import ChangeRequest


def change_requests_panel(user, membership):
    queryset = ChangeRequest.objects.visible_to(user).open().order_by("-updated_at")
    changes, _more = first_page(queryset.only("reference", "kind", "status", "updated_at"))
    if not changes:
        return None
    return HomePanel(
        key="changes",
        title=_("Open wijzigingsverzoeken"),
        items=[
            HomeItem(
                label=f"{change} · {change.get_kind_display()}",
                url=reverse("changes:detail", args=[change.pk]),
                status=change.get_status_display(),
            )
            for change in changes
        ],
        more_url=reverse("changes:list"),
        more_label=_("Alle wijzigingsverzoeken"),
    )
