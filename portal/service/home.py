"""What Serviceaanvragen puts on the home page: the open requests, those waiting for the
customer's answer first."""

from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from portal.core.addresses import reverse
from portal.core.home import PAGE, HomeItem, HomePanel, first_page, label_of
from portal.core.prepared import PreparedQuery
from portal.organizations.permissions import can_use_portal

from .models import OPEN_STATUSES, ServiceRequest, Status


def _open_requests(user):
    waiting_first = Case(When(status=Status.WAITING_FOR_CUSTOMER, then=Value(0)), default=Value(1), output_field=IntegerField())
    queryset = (
        ServiceRequest.objects.visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .order_by(waiting_first, "-updated_at")
        .only("reference", "subject", "status", "updated_at")
    )
    return queryset[: PAGE + 1]


_open_requests_of = PreparedQuery(_open_requests)


def service_panel(user, membership):
    if not can_use_portal(user):
        return None
    requests, _more = first_page(_open_requests_of.rows(user))
    waiting = any(request.status == Status.WAITING_FOR_CUSTOMER for request in requests)
    return HomePanel(
        key="service",
        title=_("Lopende serviceaanvragen"),
        items=[
            HomeItem(
                label=f"{request.reference} · {request.subject}",
                url=reverse("service:detail", args=[request.pk]),
                status=label_of(Status, request.status),
                attention=request.status == Status.WAITING_FOR_CUSTOMER,
            )
            for request in requests
        ],
        more_url=reverse("service:list") if requests else reverse("service:create"),
        more_label=_("Alle serviceaanvragen") if requests else _("Serviceaanvraag indienen"),
        attention=waiting,
        empty_text=_("Er lopen geen serviceaanvragen."),
    )
