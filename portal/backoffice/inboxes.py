"""The inboxes of online customer service: one description per kind of request, so
that the list and detail pages serve every kind and a new kind is one more entry.

Each entry names its kind of case (``casework.CaseKind``: the model, the statuses
customer service sets, the staff rule, the errors), its statuses and the kind's services
that reply, set a status and assign a handler; the rules stay in those services
(``portal.service.services``, ``portal.changes.services``, ``portal.contact.services``),
which check the role again.
"""

from dataclasses import dataclass
from typing import Callable

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from portal.casework.services import CaseKind
from portal.changes import models as change_models
from portal.changes import services as change_services
from portal.contact import models as contact_models
from portal.contact import services as contact_services
from portal.service import models as service_models
from portal.service import services as service_services


@dataclass(frozen=True)
class Inbox:
    key: str  # in URLs and templates
    title: str
    kind: CaseKind  # the kind of case (casework): its model, statuses, staff rule and errors
    statuses: type  # the model's Status choices
    object_name: str  # the keyword under which its services take the request
    reply_service: Callable
    status_service: Callable
    assign_service: Callable
    list_url_name: str
    detail_url_name: str
    related: tuple = ("organization", "created_by", "assigned_to")
    detail_prefetch: tuple = ()  # what the request's page reads along besides ``related``
    search_fields: tuple = ("reference", "organization__name", "organization__customer_number")
    subject: Callable = str
    text: Callable = lambda obj: obj.description  # what the customer wrote first
    thread: Callable = lambda obj: obj.messages.select_related("author")
    sender: Callable = lambda obj: (obj.created_by.full_name, obj.created_by.email)
    badge_prefix: str = ""  # the CSS class of a status badge: badge--<prefix><status>

    @property
    def model(self):
        return self.kind.model

    @property
    def open_statuses(self):
        return tuple(status for status in self.statuses if status not in self.model.CLOSED_STATUSES)

    @property
    def staff_statuses(self):
        """What customer service may choose in a reply or a status change."""
        return self.kind.staff_statuses

    @property
    def allowed(self):
        return self.kind.may_handle

    @property
    def error(self):
        """The RuleError subclass its services raise."""
        return self.kind.error

    def _call(self, service, actor, obj, request, **kwargs):
        return service(actor=actor, request=request, **{self.object_name: obj}, **kwargs)

    def reply(self, actor, obj, body, status, request):
        return self._call(self.reply_service, actor, obj, request, body=body, status=status)

    def status_set(self, actor, obj, status, request):
        return self._call(self.status_service, actor, obj, request, status=status)

    def assign(self, actor, obj, assignee, request):
        return self._call(self.assign_service, actor, obj, request, assignee=assignee)

    def queryset(self):
        return self.model.objects.select_related(*self.related)

    def detail_queryset(self):
        return self.queryset().prefetch_related(*self.detail_prefetch)

    def search(self, queryset, text):
        condition = Q()
        for name in self.search_fields:
            condition |= Q(**{f"{name}__icontains": text})
        return queryset.filter(condition)

    def counts(self):
        """{status: number} over the whole inbox, in one query."""
        rows = self.model.objects.values_list("status").annotate(n=Count("pk")).order_by()
        return dict(rows)


SERVICE_REQUESTS = Inbox(
    key="service",
    title=_("Serviceaanvragen"),
    kind=service_services.KIND,
    statuses=service_models.Status,
    object_name="service_request",
    reply_service=service_services.service_request_reply,
    status_service=service_services.service_request_status_set,
    assign_service=service_services.service_request_assign,
    list_url_name="backoffice:service_request_list",
    detail_url_name="backoffice:service_request_detail",
    related=("organization", "created_by", "assigned_to", "location", "department"),
    detail_prefetch=("location__addresses",),  # the page shows the location's visiting address
    search_fields=("reference", "subject", "organization__name", "organization__customer_number"),
    subject=lambda obj: obj.subject,
    badge_prefix="sr-",
)

CHANGE_REQUESTS = Inbox(
    key="change",
    title=_("Wijzigingsverzoeken"),
    kind=change_services.KIND,
    statuses=change_models.Status,
    object_name="change_request",
    reply_service=change_services.change_request_reply,
    status_service=change_services.change_request_status_set,
    assign_service=change_services.change_request_assign,
    list_url_name="backoffice:change_request_list",
    detail_url_name="backoffice:change_request_detail",
    related=("organization", "created_by", "assigned_to", "location", "department"),
    subject=lambda obj: obj.get_kind_display(),
)

CONTACT_MESSAGES = Inbox(
    key="contact",
    title=_("Contactberichten"),
    kind=contact_services.KIND,
    statuses=contact_models.ContactStatus,
    object_name="contact_message",
    reply_service=contact_services.contact_message_reply,
    status_service=contact_services.contact_message_status_set,
    assign_service=contact_services.contact_message_assign,
    list_url_name="backoffice:contact_message_list",
    detail_url_name="backoffice:contact_message_detail",
    search_fields=("reference", "subject", "name", "email", "organization__name", "organization__customer_number"),
    subject=lambda obj: obj.subject,
    text=lambda obj: obj.message,
    thread=lambda obj: obj.replies.select_related("author"),
    sender=lambda obj: (obj.name, obj.email),
)

INBOXES = {inbox.key: inbox for inbox in (SERVICE_REQUESTS, CHANGE_REQUESTS, CONTACT_MESSAGES)}
