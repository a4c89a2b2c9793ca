"""/api/v1/service-requests: the organization's service requests (read, and add a message
to the thread as the pages do).

Filing a request is not offered yet: a request is filed by an account, for a location
linked to it, and the requester follows it by mail; a key is no requester. See the README.
"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from portal.core.fields import id_from
from portal.service import services
from portal.service.forms import MessageForm
from portal.service.models import Category, ServiceRequest, Status

from .models import Scope
from .rest import ERRORS, WRITE_ERRORS, Id, Invalid, scoped

PREFIX = "/service-requests"
router = Router(tags=["service-requests"])


class MessageOut(Schema):
    from_customer_service: bool
    body: str
    created_at: datetime


class ServiceRequestOut(Schema):
    id: int
    reference: str
    status: str = Field(..., description=", ".join(Status.values))
    category: str = Field(..., description=", ".join(Category.values))
    subject: str
    description: str
    location: int
    department: int
    created_at: datetime
    updated_at: datetime
    messages: list[MessageOut]


class ServiceRequestPage(Schema):
    items: list[ServiceRequestOut]
    next: str | None = None


class Filters(Schema):
    status: str | None = Field(None, max_length=30)
    location: int | None = Field(None, ge=1, le=2**63 - 1)
    after: str | None = Field(None, max_length=20)
    limit: int = Field(50, ge=1, le=200)


class MessageIn(Schema):
    body: str = Field(..., max_length=5000)


def _visible(principal):
    return ServiceRequest.objects.visible_to(principal).prefetch_related("messages")


def _out(service_request):
    return {
        "id": service_request.pk, "reference": service_request.reference, "status": service_request.status,
        "category": service_request.category, "subject": service_request.subject,
        "description": service_request.description, "location": service_request.location_id,
        "department": service_request.department_id, "created_at": service_request.created_at,
        "updated_at": service_request.updated_at,
        "messages": [{"from_customer_service": m.from_staff, "body": m.body, "created_at": m.created_at}
                     for m in sorted(service_request.messages.all(), key=lambda m: (m.created_at, m.pk))],
    }  # fmt: skip


@router.get("", response={200: ServiceRequestPage, **ERRORS}, summary="Serviceaanvragen van de organisatie")
def service_request_list(request, filters: Query[Filters]):
    principal = scoped(request, Scope.SERVICE)
    queryset = _visible(principal)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.location:
        queryset = queryset.filter(location_id=filters.location)
    if filters.after:
        after = id_from(filters.after)
        if after is None:
            from .rest_accounts import _errors

            raise Invalid(_errors("after", "invalid_cursor", "Deze cursor is niet geldig."))
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset.order_by("pk")[: filters.limit + 1])
    page = rows[: filters.limit]
    return Reply(200, {"items": [_out(s) for s in page], "next": str(page[-1].pk) if len(rows) > filters.limit else None})


@router.get("/{request_id}", response={200: ServiceRequestOut, **ERRORS}, summary="Eén serviceaanvraag")
def service_request_read(request, request_id: Id):
    principal = scoped(request, Scope.SERVICE)
    return Reply(200, _out(get_object_or_404(_visible(principal), pk=request_id)))


@router.post("/{request_id}/messages", response={201: ServiceRequestOut, **WRITE_ERRORS}, summary="Bericht toevoegen")
def service_request_message(request, request_id: Id, data: MessageIn):
    """A message in the thread, as on the request's page (online customer service is told;
    a request that waited for the customer is "in behandeling" again)."""
    principal = scoped(request, Scope.SERVICE)
    service_request = get_object_or_404(_visible(principal), pk=request_id)
    form = MessageForm({"body": data.body})
    if not form.is_valid():
        raise Invalid(form.errors)
    services.service_request_message_add(actor=principal, service_request=service_request, body=form.cleaned_data["body"], request=request)
    return Reply(201, _out(get_object_or_404(_visible(principal), pk=request_id)))
