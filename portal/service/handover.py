"""What Serviceaanvragen lists on the handover page of an account that leaves: its open
service requests. They stay with their location, where its colleagues follow and answer
them (a request has no owner to change)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.organizations.handover import LIMIT, HandoverGroup, HandoverItem

from .models import OPEN_STATUSES, ServiceRequest


def open_requests(membership):
    requests = list(
        ServiceRequest.objects.filter(
            organization_id=membership.organization_id, created_by_id=membership.user_id, status__in=OPEN_STATUSES
        )
        .select_related("location")
        .only("reference", "subject", "status", "created_at", "location__name")
        .order_by("created_at", "pk")[: LIMIT + 1]
    )
    return HandoverGroup(
        key="service_requests",
        title=_("Open serviceaanvragen"),
        items=[
            HandoverItem(
                label=f"{request.reference} {request.subject}",
                url=reverse("service:detail", args=[request.pk]),
                status=request.get_status_display(),
                detail=f"{request.location.name} · {date_format(timezone.localtime(request.created_at), 'j b Y')}",
            )
            for request in requests[:LIMIT]
        ],
        more=len(requests) > LIMIT,
        how=_(
            "Een aanvraag blijft bij zijn locatie: de collega’s van die locatie volgen en beantwoorden hem. "
            "Spreek af wie dat doet, of sluit de aanvraag als die niet meer nodig is."
        ),
    )
