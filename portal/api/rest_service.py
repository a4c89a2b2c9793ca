"""/api/v1/service-requests: the organization's service requests (read, file, and add a
message to the thread as the pages do).

A request is filed for a requester the request names (``requester_id``), through the
service requests' service exactly as if they filed it: their right, locations linked to
them, the form's rules, the numbering, the mails (the requester's confirmation, customer
service's notice); the audit trail names the key. A message in a thread is the key's:
the thread names the key as its author. ``Idempotency-Key`` may be sent with both
(``idempotency.py``).
"""

from datetime import datetime
from typing import Annotated

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Header, Query, Router, Schema
from ninja import Status as Reply

from portal.core.fields import id_from
from portal.locations.models import Location
from portal.service import services
from portal.service.forms import MessageForm, ServiceRequestForm
from portal.service.models import Category, ServiceRequest, Status

from . import idempotency
from .acting import acting_account
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
    requester: int | None = Field(None, description="Het account dat de aanvraag indiende (null: verwijderd account)")
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


class ServiceRequestIn(Schema):
    requester_id: int = Field(
        ..., ge=1, le=2**63 - 1,
        description="Het account (id uit /accounts) waarvoor de aanvraag is: diens recht en locaties gelden, "
        "en het volgt de aanvraag per e-mail",
    )  # fmt: skip
    location: int = Field(..., ge=1, le=2**63 - 1, description="Een locatie die aan de aanvrager is gekoppeld")
    department: int = Field(..., ge=1, le=2**63 - 1, description="Een afdeling van die locatie")
    category: str = Field(..., max_length=30, description=", ".join(Category.values))
    subject: str = Field(..., max_length=150)
    description: str = Field(..., max_length=5000)


OptionalIdempotencyKey = Annotated[
    str | None,
    Header(
        None, alias=idempotency.HEADER, min_length=1, max_length=idempotency.MAX_LENGTH, pattern=idempotency.PATTERN,
        description="Optioneel: hetzelfde verzoek opnieuw met dezelfde sleutel geeft het eerste antwoord terug en "
        "maakt niets nieuws; 24 uur bewaard.",
    ),
]  # fmt: skip


def _visible(principal):
    return ServiceRequest.objects.visible_to(principal).select_related("created_by__membership").prefetch_related("messages")


def _out(service_request):
    requester = getattr(service_request.created_by, "membership", None)
    return {
        "id": service_request.pk, "reference": service_request.reference,
        "requester": requester.pk if requester is not None else None, "status": service_request.status,
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


def _replied(request, principal, response, key, payload, run):
    status, body, replayed = idempotency.once(request, principal.api_key_in_use, key, payload, run)
    if replayed:
        response[idempotency.REPLAYED_HEADER] = "true"
    return Reply(status, body)


@router.post("", response={201: ServiceRequestOut, **WRITE_ERRORS}, summary="Serviceaanvraag indienen voor een aanvrager")
def service_request_file(request, data: ServiceRequestIn, response: HttpResponse, idempotency_key: OptionalIdempotencyKey = None):
    """As the aanvrager files it on *Serviceaanvraag indienen*: for a location linked to
    them, with the form's rules; it gets the next SA number, the requester gets the
    confirmation by mail and online customer service its notice, and the audit trail
    names the key. Refusals: ``no_portal_right`` (the requester may not file service
    requests), ``not_active``, ``location_not_linked`` (409); ``invalid`` (422)."""
    principal = scoped(request, Scope.SERVICE)

    def run():
        requester = acting_account(principal, data.requester_id, "requester_id")
        form = ServiceRequestForm(
            {"location": data.location, "department": data.department, "category": data.category,
             "subject": data.subject, "description": data.description},
            locations=Location.objects.filter(organization_id=requester.membership.organization_id, is_archived=False),
        )  # fmt: skip
        if not form.is_valid():
            raise Invalid(form.errors)
        cleaned = form.cleaned_data
        filed = services.service_request_create(
            actor=principal, requester=requester, location=cleaned["location"], department=cleaned["department"],
            category=cleaned["category"], subject=cleaned["subject"], description=cleaned["description"], request=request,
        )  # fmt: skip
        return 201, _out(get_object_or_404(_visible(principal), pk=filed.pk))

    return _replied(request, principal, response, idempotency_key, data.model_dump(mode="json"), run)


@router.post("/{request_id}/messages", response={201: ServiceRequestOut, **WRITE_ERRORS}, summary="Bericht toevoegen")
def service_request_message(
    request, request_id: Id, data: MessageIn, response: HttpResponse, idempotency_key: OptionalIdempotencyKey = None
):
    """A message in the thread, as on the request's page (online customer service is told;
    a request that waited for the customer is "in behandeling" again). The message is
    the key's: the thread names the key as who wrote it."""
    principal = scoped(request, Scope.SERVICE)
    service_request = get_object_or_404(_visible(principal), pk=request_id)

    def run():
        form = MessageForm({"body": data.body})
        if not form.is_valid():
            raise Invalid(form.errors)
        services.service_request_message_add(
            actor=principal, service_request=service_request, body=form.cleaned_data["body"], request=request
        )
        return 201, _out(get_object_or_404(_visible(principal), pk=request_id))

    return _replied(request, principal, response, idempotency_key, data.model_dump(mode="json"), run)
